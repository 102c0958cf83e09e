/**
 * Two gateway processes on one data directory (a rolling restart, a second replica): starting the second leaves
 * the first one's upload in flight alone, and the upload completes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServeProcess } from '../helpers/cli.js';
import { createTestDatabase, DATABASES } from '../helpers/postgres.js';
import { buildWheel } from '../helpers/wheels.js';
import { openStorage } from '../../src/store/index.js';

for (const database of DATABASES) {
  test(`${database}: a second server on the same data directory does not break the first one's upload`, async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-shared-'));
    const pg = database === 'postgres' ? await createTestDatabase() : null;
    const args = ['--data', dataDir, ...(pg ? ['--database', pg.url] : [])];
    const first = await startServeProcess(args);
    t.after(async () => {
      first.child.kill('SIGKILL');
      await pg?.drop();
      await rm(dataDir, { recursive: true, force: true });
    });
    const storage = await openStorage({ dataDir, databaseUrl: pg?.url });
    const { secret } = await storage.tokens.create({ scope: 'upload', projects: [], allProjects: true, description: 't', expiresAt: null });
    await storage.close();

    // An upload to the first server that has sent half its file and then waits.
    const wheel = buildWheel('shared', '1.0', { files: { 'shared/data.txt': 'x'.repeat(200_000) } });
    const boundary = 'gatehouse-shared-boundary';
    const head = Buffer.from(
      Object.entries({ ':action': 'file_upload', name: 'shared', version: '1.0' })
        .map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`)
        .join('') +
        `--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="${wheel.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const url = new URL(first.url);
    const half = Math.floor(wheel.data.length / 2);
    const req = request({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: '/legacy/',
      headers: {
        authorization: `Basic ${Buffer.from(`__token__:${secret}`).toString('base64')}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + wheel.data.length + tail.length),
      },
    });
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      req.on('error', reject);
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
    });
    req.write(head);
    req.write(wheel.data.subarray(0, half));
    for (let i = 0; i < 50 && (await readdir(join(dataDir, 'tmp'))).length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal((await readdir(join(dataDir, 'tmp'))).length, 1, 'the upload is being written to a temporary file');

    const second = await startServeProcess(args);
    t.after(() => second.child.kill('SIGKILL'));
    assert.equal((await readdir(join(dataDir, 'tmp'))).length, 1, 'starting the second server left it alone');

    req.write(wheel.data.subarray(half));
    req.end(tail);
    const done = await response;
    assert.equal(done.status, 200, done.body);
    assert.doesNotMatch(done.body, new RegExp(dataDir.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')), 'no server path in a response');
    const served = await fetch(`${second.url}/files/${wheel.sha256}/${wheel.filename}`);
    assert.equal(served.status, 200);
    assert.equal(Buffer.from(await served.arrayBuffer()).equals(wheel.data), true);
  });
}
