/**
 * A full disk is the server's problem: an upload that fills it gets 507 with a reason (not the 400 of a malformed
 * upload), the log has an error line, nothing is left behind, and the gateway goes on serving.
 *
 * The gateway runs in a mount namespace of its own (unshare) over a 2 MiB tmpfs, so the disk really fills.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
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
    const wrapper = ['unshare', '--map-root-user', '--mount', 'sh', '-c', 'mount -t tmpfs -o size=2m tmpfs "$0" && exec "$@"', dataDir];
    const server = await startServeProcess(['--data', dataDir, '--database', databaseUrl], { wrapper });
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

