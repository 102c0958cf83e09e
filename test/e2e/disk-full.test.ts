/**
 * A full disk is the server's problem: an upload that fills it gets 507 with a reason (not the 400 of a malformed
 * upload), the log has an error line, nothing is left behind, and the gateway goes on serving.
 *
 * The gateway runs in a mount namespace of its own (unshare) over a 2 MiB tmpfs, so the disk really fills.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../../src/store/index.js';
import { startServeProcess } from '../helpers/cli.js';
import { createTestDatabase, DATABASES } from '../helpers/postgres.js';
import { buildWheel, upload } from '../helpers/wheels.js';

for (const database of DATABASES) {
  test(`${database}: an upload that fills the disk answers 507 and the gateway stays up`, async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-full-'));
    // The database lives outside the small file system: what fills is where the blobs and uploads go.
    const dbDir = await mkdtemp(join(tmpdir(), 'gatehouse-full-db-'));
    const pg = database === 'postgres' ? await createTestDatabase() : null;
    const databaseUrl = pg?.url ?? `sqlite:${join(dbDir, 'gatehouse.sqlite')}`;
    t.after(async () => {
      await pg?.drop();
      await rm(dataDir, { recursive: true, force: true });
      await rm(dbDir, { recursive: true, force: true });
    });
    const storage = await openStorage({ dataDir: dbDir, databaseUrl });
    const { secret } = await storage.tokens.create({ scope: 'upload', projects: [], allProjects: true, description: 't', expiresAt: null });
    await storage.close();
    // The policy's advisory rules would build the vulnerability database (megabytes) in the data directory at start:
    // turned off here, so that the disk fills on the upload and not before (a start on a full disk is tested below).
    const configFile = join(dbDir, 'gatehouse.toml');
    await writeFile(configFile, '[policy.vulnerabilities]\nmalware = "allow"\nblock_severity = "none"\nwarn_severity = "none"\n');
    const wrapper = ['unshare', '--map-root-user', '--mount', 'sh', '-c', 'mount -t tmpfs -o size=2m tmpfs "$0" && exec "$@"', dataDir];
    const server = await startServeProcess(['--data', dataDir, '--database', databaseUrl, '--config', configFile], { wrapper });
    t.after(() => server.child.kill('SIGKILL'));

    const big = buildWheel('full', '1.0', { files: { 'full/blob.bin': randomBytes(3 * 1024 * 1024).toString('base64') } });
    const r = await upload(server.url, secret, big, { name: 'full', version: '1.0' });
    assert.equal(r.status, 507, `${r.status} ${r.text}`);
    assert.match(r.reason, /storage is full \(ENOSPC\); nothing was stored/);
    assert.doesNotMatch(r.text, /tmp|gatehouse-full/, 'no server path in the response');
    await new Promise((res) => setTimeout(res, 100));
    assert.ok(
      server.logs.some((l) => l.level === 50 && l.code === 'storage.full'),
      'the log has an error line for the full disk',
    );

    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the gateway is still up');
    const small = buildWheel('full', '1.1');
    const ok = await upload(server.url, secret, small, { name: 'full', version: '1.1' });
    assert.equal(ok.status, 200, `space came back once the refused upload was removed: ${ok.text}`);
  });
}


test('a gateway that cannot write its data directory at start says so and why, without a stack trace', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-full-'));
  const dbDir = await mkdtemp(join(tmpdir(), 'gatehouse-full-db-'));
  t.after(async () => {
    await rm(dataDir, { recursive: true, force: true });
    await rm(dbDir, { recursive: true, force: true });
  });
  // 64 KiB: too small for the vulnerability database the default policy builds on first start.
  const wrapper = ['unshare', '--map-root-user', '--mount', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$0" && exec "$@"', dataDir];
  const stderr: string[] = [];
  const failed = await startServeProcess(['--data', dataDir, '--database', `sqlite:${join(dbDir, 'g.sqlite')}`], { wrapper, onStderr: (s) => stderr.push(s) }).then(
    (server) => {
      server.child.kill('SIGKILL');
      return null;
    },
    (err: Error) => err,
  );
  assert.ok(failed, 'the gateway must not start on a full disk');
  assert.match(failed.message, /exited with 74/);
  const text = stderr.join('');
  assert.match(text, /gatehouse: .*failed: no space left on the device \(ENOSPC\)/);
  assert.doesNotMatch(text, /    at /, 'no stack trace');
});
