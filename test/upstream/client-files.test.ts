/**
 * Files through the real client from the test upstream: verified bytes, and every way a file can be wrong or
 * go wrong (other bytes, other sizes, a dropped connection, a stall, an endless body, a foreign host), each ending
 * in a typed error and a consumer that never holds the complete bytes. Also what an HTTP server piping the stream
 * looks like to its client when the hash does not match.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import {
  UpstreamClient,
  UpstreamFileNotFoundError,
  UpstreamHostRefusedError,
  UpstreamIntegrityError,
  UpstreamUnavailableError,
  UpstreamUnverifiableFileError,
  type ListedFile,
  type UpstreamClientOptions,
  type UpstreamFile,
} from '../../src/upstream/index.js';
import { startTestUpstream, type TestFile, type TestUpstream } from '../helpers/upstream.js';

/** A module that does not compress, so the wheel is ~200 KB and arrives in several chunks. */
const CODE = `DATA = ${JSON.stringify(randomBytes(150_000).toString('base64'))}\n`;

const upstreams: TestUpstream[] = [];
const clients: UpstreamClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(upstreams.map((u) => u.close()));
});

async function setUp(clientOptions: UpstreamClientOptions = {}, allowedFileHosts: string[] = []): Promise<{ upstream: TestUpstream; client: UpstreamClient; wheel: TestFile; listed: ListedFile }> {
  const upstream = await startTestUpstream({ projects: [{ name: 'demo', releases: [{ version: '1.0', code: CODE }] }] });
  upstreams.push(upstream);
  const built = upstream.filesOf('demo');
  const client = new UpstreamClient({ name: 'files', url: upstream.url, allowedFileHosts }, { proxy: 'none', retry: { baseDelayMs: 1 }, ...clientOptions });
  clients.push(client);
  const wheel = built.find((f) => f.filename.endsWith('.whl')) as TestFile;
  return { upstream, client, wheel, listed: { filename: wheel.filename, url: upstream.fileUrl(wheel.filename), hashes: { sha256: wheel.sha256 }, size: wheel.bytes.length } };
}

/** Reads a file's stream to its end or its error: the bytes the consumer got, and how it ended. */
async function consume(file: UpstreamFile): Promise<{ bytes: Buffer; error: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of file.body) chunks.push(chunk as Buffer);
    return { bytes: Buffer.concat(chunks), error: undefined };
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error };
  }
}

test('a listed file arrives verified: same bytes, its sha256, its size', async () => {
  const { upstream, client, wheel, listed } = await setUp();
  const file = await client.fetchFile(listed);
  assert.equal(file.size, wheel.bytes.length);
  assert.equal(file.url, upstream.fileUrl(wheel.filename));
  const { bytes, error } = await consume(file);
  assert.equal(error, undefined);
  assert.ok(bytes.equals(wheel.bytes));
  assert.equal(file.body.sha256, wheel.sha256);
  // Files are asked for as they are stored: the hash is of these bytes.
  assert.equal(upstream.log.at(-1)?.headers['accept-encoding'], 'identity');
  // Without a listed size, Content-Length gives it.
  const unsized = await client.fetchFile({ ...listed, size: 0 });
  assert.equal(unsized.size, wheel.bytes.length);
  assert.ok((await consume(unsized)).bytes.equals(wheel.bytes));
});

test('other bytes for the listed hash: a typed error, and never the complete file', async () => {
  const { upstream, client, wheel, listed } = await setUp();
  upstream.fault(`/files/${wheel.filename}`, { kind: 'wrong-bytes' });
  const file = await client.fetchFile(listed);
  const { bytes, error } = await consume(file);
  assert.ok(error instanceof UpstreamIntegrityError);
  assert.equal(error.code, 'upstream.hash-mismatch');
  assert.equal(error.status, 502);
  assert.match(error.message, new RegExp(`^upstream "files": ${wheel.filename.replace(/\./g, '\\.')} has sha256 [0-9a-f]{64}, not the ${wheel.sha256} it was listed with$`));
  assert.ok(bytes.length < wheel.bytes.length, `got ${bytes.length} of ${wheel.bytes.length} bytes`);
  assert.equal(file.body.sha256, undefined);
  // Every listed hash is checked, not only sha256.
  upstream.clearFaults();
  const md5 = createHash('md5').update(wheel.bytes).digest('hex');
  const wrongMd5 = await consume(await client.fetchFile({ ...listed, hashes: { sha256: wheel.sha256, md5: md5.replace(/^./, (c) => (c === '0' ? '1' : '0')) } }));
  assert.match(String(wrongMd5.error), /has md5 [0-9a-f]{32}, not the/);
});

test('a file that is not where its page says, or has no hash to check', async () => {
  const { upstream, client, listed } = await setUp();
  await assert.rejects(client.fetchFile({ ...listed, url: `${upstream.origin}/files/nothing-1.0.tar.gz` }), (e: unknown) => e instanceof UpstreamFileNotFoundError && /is listed but .* answered 404/.test(e.message));
  upstream.resetCounts();
  await assert.rejects(client.fetchFile({ ...listed, hashes: {} }), UpstreamUnverifiableFileError);
  assert.equal(upstream.log.length, 0, 'an unverifiable file is not asked for');
});

test('sizes: a Content-Length or a body that disagrees with the listed size, an endless body', async () => {
  const { upstream, client, wheel, listed } = await setUp({ maxFileBytes: 1024 * 1024 });
  const path = `/files/${wheel.filename}`;
  upstream.fault(path, { kind: 'body', body: Buffer.concat([wheel.bytes, Buffer.from('appended')]), times: 1 });
  await assert.rejects(client.fetchFile(listed), (e: unknown) => e instanceof UpstreamIntegrityError && e.code === 'upstream.size-mismatch' && /listed with \d+ bytes, but its Content-Length is \d+/.test(e.message));

  // An endless body stops at the listed size...
  upstream.fault(path, { kind: 'endless', times: 1 });
  const capped = await consume(await client.fetchFile(listed));
  assert.equal((capped.error as UpstreamIntegrityError).code, 'upstream.size-mismatch');
  assert.ok(capped.bytes.length <= wheel.bytes.length);
  // ...and at the configured maximum when the size is unknown.
  upstream.fault(path, { kind: 'endless', times: 1 });
  const endless = await consume(await client.fetchFile({ ...listed, size: 0 }));
  assert.equal((endless.error as UpstreamIntegrityError).code, 'upstream.file-too-large');
  assert.match(String(endless.error), /larger than the 1048576 bytes a file may have/);
  assert.ok(endless.bytes.length <= 1024 * 1024);
  // A listed size over the maximum is refused before any request.
  upstream.resetCounts();
  await assert.rejects(client.fetchFile({ ...listed, size: 2 * 1024 * 1024 }), /listed with 2097152 bytes, more than the 1048576 a file may have/);
  assert.equal(upstream.log.length, 0);
});

test('a connection dropped mid-file: a typed error after the first bytes, no retry once the stream is handed over', async () => {
  const { upstream, client, wheel, listed } = await setUp();
  upstream.fault(`/files/${wheel.filename}`, { kind: 'drop', afterBytes: 300, times: 1 });
  const { bytes, error } = await consume(await client.fetchFile(listed));
  assert.ok(error instanceof UpstreamIntegrityError, String(error));
  assert.equal(error.code, 'upstream.file-truncated');
  assert.match(error.message, /broke off after \d+ bytes: /);
  assert.ok(bytes.length < wheel.bytes.length);
  assert.equal(upstream.requests(`/files/${wheel.filename}`), 1);
});

test('a stalled body ends with a 504-class error; slow headers are retried like any request', async () => {
  const { upstream, client, wheel, listed } = await setUp({ timeouts: { bodyIdleMs: 200 } });
  upstream.fault(`/files/${wheel.filename}`, { kind: 'stall-body', afterBytes: 100, ms: 4000, times: 1 });
  const { error } = await consume(await client.fetchFile(listed));
  assert.ok(error instanceof UpstreamUnavailableError, String(error));
  assert.equal(error.timedOut, true);
  assert.match(error.message, /the response stalled for 200 ms after \d+ bytes/);
  upstream.fault(`/files/${wheel.filename}`, { kind: 'status', status: 503, times: 1 });
  assert.ok((await consume(await client.fetchFile(listed))).bytes.equals(wheel.bytes));
});

test('hosts: a file link or a redirect off the index host is refused unless it is an allowed file host', async () => {
  const files = await startTestUpstream();
  upstreams.push(files);
  const { upstream, client, wheel, listed } = await setUp();
  files.addProject({ name: 'demo', releases: [{ version: '1.0', code: CODE }] });
  const elsewhere = files.fileUrl(wheel.filename);

  await assert.rejects(client.fetchFile({ ...listed, url: elsewhere }), (e: unknown) => e instanceof UpstreamHostRefusedError && /is on 127\.0\.0\.1:\d+, which is neither the index's host nor an allowed file host/.test(e.message));
  await assert.rejects(client.fetchFile({ ...listed, url: 'http://169.254.169.254/latest/meta-data/' }), UpstreamHostRefusedError);
  await assert.rejects(client.fetchFile({ ...listed, url: 'file:///etc/passwd' }), /only http and https are fetched/);
  upstream.fault(`/files/${wheel.filename}`, { kind: 'redirect', location: elsewhere });
  await assert.rejects(client.fetchFile(listed), (e: unknown) => e instanceof UpstreamHostRefusedError && /refused the redirect from .* to .*: 127\.0\.0\.1:\d+ is neither the index's host nor an allowed file host/.test(e.message));
  assert.equal(files.requests(`/files/${wheel.filename}`), 0, 'the foreign host was never asked');

  // An allowed file host (host:port) is followed, and gets no credentials.
  const allowed = await setUp({}, [new URL(files.origin).host]);
  allowed.upstream.fault(`/files/${allowed.wheel.filename}`, { kind: 'redirect', location: elsewhere });
  const { bytes, error } = await consume(await allowed.client.fetchFile(allowed.listed));
  assert.equal(error, undefined);
  assert.ok(bytes.equals(wheel.bytes));
  assert.equal(files.requests(`/files/${wheel.filename}`), 1);
});

test('served over HTTP, a file whose hash does not match aborts the response short of its Content-Length', async () => {
  const { upstream, client, wheel, listed } = await setUp();
  upstream.fault(`/files/${wheel.filename}`, { kind: 'wrong-bytes' });
  // A bare server that does what a gateway route does: Content-Length from the listed size, then pipe.
  const server = createServer((_req, res) => {
    client.fetchFile(listed).then(
      async (file) => {
        res.writeHead(200, { 'content-length': String(file.size), 'content-type': 'application/octet-stream' });
        await pipeline(file.body, res).catch(() => {});
      },
      () => {
        res.writeHead(502);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const outcome = await new Promise<{ received: number; aborted: boolean; complete: boolean }>((resolve) => {
      const req = httpRequest(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, (res) => {
        let received = 0;
        res.on('data', (chunk: Buffer) => (received += chunk.length));
        res.on('end', () => resolve({ received, aborted: false, complete: res.complete }));
        res.on('aborted', () => resolve({ received, aborted: true, complete: res.complete }));
        res.on('error', () => resolve({ received, aborted: true, complete: res.complete }));
      });
      req.on('error', () => resolve({ received: -1, aborted: true, complete: false }));
      req.end();
    });
    assert.equal(outcome.aborted, true);
    assert.equal(outcome.complete, false);
    assert.ok(outcome.received < wheel.bytes.length, `the client got ${outcome.received} of ${wheel.bytes.length} bytes`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('core metadata (PEP 658) and provenance (PEP 740) come verified where the page lists a hash', async () => {
  const { upstream, client, wheel } = await setUp();
  const page = await client.fetchProjectPage('demo');
  assert.equal(page.status, 'ok');
  const listed = page.status === 'ok' ? page.page.files.find((f) => f.filename === wheel.filename) : undefined;
  assert.ok(listed !== undefined);
  const metadata = await client.fetchCoreMetadata(listed);
  assert.deepEqual(metadata, { bytes: Buffer.from(wheel.metadata), verified: true });
  const provenance = await client.fetchProvenance(listed);
  assert.equal(provenance?.verified, false);
  assert.deepEqual(JSON.parse(String(provenance?.bytes)), { version: 1, attestation_bundles: [] });

  upstream.fault(`/files/${wheel.filename}.metadata`, { kind: 'body', body: 'Metadata-Version: 2.1\nName: evil\n', times: 1 });
  await assert.rejects(client.fetchCoreMetadata(listed), (e: unknown) => e instanceof UpstreamIntegrityError && /the metadata of demo-1\.0-py3-none-any\.whl has sha256 [0-9a-f]+, not the/.test(e.message));
  // Listed without a hash: fetched, and said to be unverified.
  assert.deepEqual(await client.fetchCoreMetadata({ ...listed, coreMetadata: true }), { bytes: Buffer.from(wheel.metadata), verified: false });
  // Not listed, or not there.
  assert.equal(await client.fetchCoreMetadata({ ...listed, coreMetadata: false }), null);
  assert.equal(await client.fetchCoreMetadata({ ...listed, url: `${upstream.origin}/files/none-1.0-py3-none-any.whl` }), null);
  assert.equal(await client.fetchProvenance({ ...listed, provenance: undefined } as typeof listed), null);
  await assert.rejects(client.fetchProvenance({ ...listed, provenance: 'http://169.254.169.254/latest/' }), UpstreamHostRefusedError);
});
