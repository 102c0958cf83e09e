/**
 * Downloads behave as any static file server's (RFC 9110): HEAD gives GET's headers, byte ranges resume a download,
 * conditional requests answer 304, and a row whose bytes are missing is a server error on HEAD and GET alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../helpers/gateway.js';
import { runCommand } from '../helpers/packages.js';
import { DATABASES } from '../helpers/postgres.js';
import { buildWheel, upload } from '../helpers/wheels.js';

for (const database of DATABASES) {
  test(`${database}: HEAD, Range, If-Range and If-None-Match on files`, async (t) => {
    const gw = await startGateway({ database, listen: true });
    t.after(() => gw.close());
    const token = await gw.token();
    const wheel = buildWheel('dl', '1.0', { files: { 'dl/data.txt': 'abcdefghij'.repeat(10_000) } });
    assert.equal((await upload(gw.url, token, wheel, { name: 'dl', version: '1.0' })).status, 200);
    const url = `${gw.url}/files/${wheel.sha256}/${wheel.filename}`;
    const size = wheel.data.length;
    const etag = `"${wheel.sha256}"`;

    const get = await fetch(url);
    assert.equal(get.status, 200);
    assert.equal(get.headers.get('content-length'), String(size));
    assert.equal(get.headers.get('accept-ranges'), 'bytes');
    await get.arrayBuffer();
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), String(size), 'HEAD gives the length GET sends');
    assert.equal(head.headers.get('etag'), etag);

    const range = async (headers: Record<string, string>) => {
      const r = await fetch(url, { headers });
      return { status: r.status, range: r.headers.get('content-range'), length: r.headers.get('content-length'), body: Buffer.from(await r.arrayBuffer()) };
    };
    let r = await range({ range: 'bytes=0-99' });
    assert.deepEqual([r.status, r.range, r.length], [206, `bytes 0-99/${size}`, '100']);
    assert.ok(r.body.equals(wheel.data.subarray(0, 100)));
    r = await range({ range: 'bytes=-10' });
    assert.deepEqual([r.status, r.range], [206, `bytes ${size - 10}-${size - 1}/${size}`]);
    assert.ok(r.body.equals(wheel.data.subarray(size - 10)));
    r = await range({ range: `bytes=${size - 5}-` });
    assert.ok(r.body.equals(wheel.data.subarray(size - 5)));
    r = await range({ range: `bytes=${size}-` });
    assert.deepEqual([r.status, r.range], [416, `bytes */${size}`], 'a range past the end');
    r = await range({ range: 'bytes=0-9,20-29' });
    assert.deepEqual([r.status, r.body.length], [200, size], 'several ranges: the whole file');
    r = await range({ range: 'lines=1-2' });
    assert.equal(r.status, 200, 'another unit: the whole file');
    r = await range({ range: 'bytes=0-9', 'if-range': etag });
    assert.equal(r.status, 206, 'If-Range with the current ETag');
    r = await range({ range: 'bytes=0-9', 'if-range': '"other"' });
    assert.deepEqual([r.status, r.body.length], [200, size], 'If-Range with another ETag: the whole file');
    const headRange = await fetch(url, { method: 'HEAD', headers: { range: 'bytes=0-9' } });
    assert.deepEqual([headRange.status, headRange.headers.get('content-length')], [206, '10']);

    for (const inm of ['*', etag, `W/${etag}`, `"x", ${etag}`]) {
      assert.equal((await fetch(url, { headers: { 'if-none-match': inm } })).status, 304, inm);
      assert.equal((await fetch(url, { method: 'HEAD', headers: { 'if-none-match': inm } })).status, 304, `HEAD ${inm}`);
    }
    assert.equal((await fetch(url, { headers: { 'if-none-match': '"other"' } })).status, 200);

    // A real client resuming an interrupted download.
    const dir = await mkdtemp(join(tmpdir(), 'gatehouse-dl-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, wheel.filename), wheel.data.subarray(0, 1000));
    const curl = await runCommand('curl', ['-sS', '-f', '-C', '-', '-o', join(dir, wheel.filename), url]);
    assert.equal(curl.code, 0, curl.stderr);
    assert.ok((await readFile(join(dir, wheel.filename))).equals(wheel.data), 'curl -C - completes the file');

    const missing = await fetch(`${gw.url}/files/${'0'.repeat(64)}/nope.whl`);
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-content-type-options'), 'nosniff', '404s are not sniffed either');
    const unknownRoute = await fetch(`${gw.url}/nowhere`);
    assert.equal(unknownRoute.headers.get('x-content-type-options'), 'nosniff');

    // The row is there, its bytes are not: the same server error for HEAD and GET.
    await gw.storage.blobs.collect(wheel.sha256, async () => true);
    for (const method of ['GET', 'HEAD']) {
      const res = await fetch(url, { method });
      assert.equal(res.status, 500, method);
      assert.equal(res.headers.get('x-gatehouse-error'), 'storage.blob-missing', method);
    }
  });
}
