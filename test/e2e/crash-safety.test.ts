/**
 * Crash safety: kill -9 the gateway during 50 concurrent uploads. After a
 * restart, every acknowledged upload is complete and downloadable, and no row
 * points at a missing blob.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStorage } from '../../src/store/index.js';
import { startServeProcess, type ServeProcess } from '../helpers/cli.js';
import { createTestDatabase, DATABASES } from '../helpers/postgres.js';
import { wheelEntries, writeZip } from '../helpers/zip.js';

const UPLOADS = 50;

function startServer(dataDir: string, databaseUrl: string | undefined): Promise<ServeProcess> {
  return startServeProcess(['--data', dataDir, ...(databaseUrl ? ['--database', databaseUrl] : [])]);
}

for (const database of DATABASES) {
  test(`${database}: kill -9 during ${UPLOADS} concurrent uploads loses no acknowledged upload`, async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-crash-'));
    const pg = database === 'postgres' ? await createTestDatabase() : null;
    t.after(async () => {
      await pg?.drop();
      await rm(dataDir, { recursive: true, force: true });
    });

    const wheels = await Promise.all(
      Array.from({ length: UPLOADS }, async (_, i) => {
        const filename = `crash_demo-1.0.${i}-py3-none-any.whl`;
        const path = join(dataDir, '..', `${dataDir.split('/').pop()}-${filename}`);
        // Incompressible payload so each upload takes a while on the wire.
        const entries = wheelEntries('crash_demo', `1.0.${i}`, undefined, [
          { name: 'crash_demo/payload.txt', text: randomBytes(384 * 1024).toString('base64') },
        ]);
        writeZip(path, entries);
        const data = await readFile(path);
        await rm(path);
        return { filename, version: `1.0.${i}`, data, sha256: createHash('sha256').update(data).digest('hex') };
      }),
    );

    const first = await startServer(dataDir, pg?.url);
    const storage = await openStorage({ dataDir, databaseUrl: pg?.url });
    const { secret } = await storage.tokens.create({ scope: 'upload', projects: [], allProjects: true, description: 'crash', expiresAt: null });
    await storage.close();

    const acknowledged: typeof wheels = [];
    let killed = false;
    const uploads = wheels.map(async (w) => {
      const form = new FormData();
      for (const [k, v] of Object.entries({ ':action': 'file_upload', name: 'crash_demo', version: w.version, sha256_digest: w.sha256 })) form.append(k, v);
      form.append('content', new Blob([new Uint8Array(w.data)]), w.filename);
      try {
        const res = await fetch(`${first.url}/legacy/`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`__token__:${secret}`).toString('base64')}` },
          body: form,
        });
        if (res.status === 200) acknowledged.push(w);
        else await res.text();
      } catch {
        // The connection died with the server: not acknowledged.
      }
      // Kill while most uploads are still in flight.
      if (!killed && acknowledged.length >= 5) {
        killed = true;
        first.child.kill('SIGKILL');
      }
    });
    await Promise.all(uploads);
    if (!killed) first.child.kill('SIGKILL');
    if (first.child.exitCode === null && first.child.signalCode === null) await new Promise((r) => first.child.once('exit', r));
    assert.ok(acknowledged.length >= 5, 'some uploads were acknowledged before the kill');
    assert.ok(acknowledged.length < UPLOADS, `the kill landed mid-way (${acknowledged.length} of ${UPLOADS} acknowledged)`);

    const second = await startServer(dataDir, pg?.url);
    for (const w of acknowledged) {
      const res = await fetch(`${second.url}/files/${w.sha256}/${w.filename}`);
      assert.equal(res.status, 200, `${w.filename} was acknowledged, so it must be served`);
      assert.equal(createHash('sha256').update(Buffer.from(await res.arrayBuffer())).digest('hex'), w.sha256);
    }
    const after = await openStorage({ dataDir, databaseUrl: pg?.url });
    try {
      const rows = await after.database.db.selectFrom('file').select(['filename', 'sha256', 'size', 'metadata_sha256']).execute();
      assert.ok(rows.length >= acknowledged.length);
      for (const row of rows) {
        assert.equal(await after.blobs.size(row.sha256), row.size, `${row.filename}: the row's blob is complete`);
        if (row.metadata_sha256) assert.ok(await after.blobs.has(row.metadata_sha256), `${row.filename}: metadata blob exists`);
      }
    } finally {
      await after.close();
      second.child.kill('SIGKILL');
    }
  });
}
