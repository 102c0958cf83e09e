/**
 * Single-flight for files: concurrent readers of one uncached file share one upstream fetch through a growing
 * temporary file; a reader that keeps up gets the bytes from memory as they arrive, one that falls behind reads the
 * file; a verified download is committed once; a failed one reaches every reader as an error and leaves nothing
 * behind.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { SharedDownloads, UpstreamClient, UpstreamFileNotFoundError, UpstreamIntegrityError, type ListedFile, type VerifiedDownload } from '../../src/upstream/index.js';
import { startTestUpstream, type TestFile, type TestUpstream } from '../helpers/upstream.js';

const CODE = `DATA = ${JSON.stringify(randomBytes(300_000).toString('base64'))}\n`;
/** A wheel of a few MB: larger than what a download writes at a time, so that some of it is in the file mid-way. */
const LARGE_CODE = `DATA = ${JSON.stringify(randomBytes(3_000_000).toString('base64'))}\n`;

const upstreams: TestUpstream[] = [];
const clients: UpstreamClient[] = [];
const directories: string[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(upstreams.map((u) => u.close()));
  await Promise.all(directories.map((d) => rm(d, { recursive: true, force: true })));
});

async function temporaryDirectory(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  directories.push(dir);
  return dir;
}

async function setUp(code = CODE): Promise<{
  upstream: TestUpstream;
  client: UpstreamClient;
  wheel: TestFile;
  listed: ListedFile;
  tempDir: string;
  committed: VerifiedDownload[];
  downloads: SharedDownloads;
  path: string;
}> {
  const upstream = await startTestUpstream({ projects: [{ name: 'demo', releases: [{ version: '1.0', code, sdist: false }] }] });
  upstreams.push(upstream);
  upstream.compress = false;
  const client = new UpstreamClient({ name: 'up', url: upstream.url }, { proxy: 'none', retry: { baseDelayMs: 1 } });
  clients.push(client);
  const wheel = upstream.filesOf('demo')[0] as TestFile;
  const tempDir = await temporaryDirectory('gatehouse-shared-');
  const committed: VerifiedDownload[] = [];
  const downloads = new SharedDownloads({
    tempDir,
    commit: async (download) => {
      // What a blob store does: the file's bytes must be complete and verified by now.
      assert.equal((await readFile(download.path)).length, download.size);
      committed.push(download);
    },
  });
  const listed = { filename: wheel.filename, url: upstream.fileUrl(wheel.filename), hashes: { sha256: wheel.sha256 }, size: wheel.bytes.length };
  return { upstream, client, wheel, listed, tempDir, committed, downloads, path: `/files/${wheel.filename}` };
}

async function readAll(body: Readable): Promise<{ bytes: Buffer; error: unknown }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of body) chunks.push(chunk as Buffer);
    return { bytes: Buffer.concat(chunks), error: undefined };
  } catch (error) {
    return { bytes: Buffer.concat(chunks), error };
  }
}

test('200 concurrent readers of one uncached file: one upstream request, the same bytes for all, one commit', async () => {
  const { upstream, client, wheel, listed, tempDir, committed, downloads, path } = await setUp();
  upstream.fault(path, { kind: 'delay-headers', ms: 100, times: 1 });
  const readers = await Promise.all(Array.from({ length: 200 }, () => downloads.open(wheel.sha256, () => client.fetchFile(listed))));
  assert.ok(readers.every((r) => r.size === wheel.bytes.length));
  const results = await Promise.all(readers.map((r) => readAll(r.body)));
  assert.equal(upstream.requests(path), 1);
  for (const { bytes, error } of results) {
    assert.equal(error, undefined);
    assert.ok(bytes.equals(wheel.bytes));
  }
  await waitFor(() => committed.length === 1 && downloads.size === 0);
  assert.deepEqual({ ...committed[0], path: undefined }, { key: wheel.sha256, path: undefined, sha256: wheel.sha256, size: wheel.bytes.length });
  assert.deepEqual(await readdir(tempDir), [], 'the temporary file is gone');
  // The next request after completion is a new download (the store serves it by then).
  await readAll((await downloads.open(wheel.sha256, () => client.fetchFile(listed))).body);
  assert.equal(upstream.requests(path), 2);
});

test('a reader that joins mid-download gets the file from its first byte; a paused reader holds nobody up', async () => {
  const { upstream, client, wheel, listed, committed, downloads, path } = await setUp();
  upstream.fault(path, { kind: 'stall-body', afterBytes: 100_000, ms: 300, times: 1 });
  const first = await downloads.open(wheel.sha256, () => client.fetchFile(listed));
  const firstRead = readAll(first.body);
  // A reader that reads nothing yet.
  const paused = await downloads.open(wheel.sha256, () => client.fetchFile(listed));
  await new Promise((resolve) => setTimeout(resolve, 150));
  const late = await downloads.open(wheel.sha256, () => client.fetchFile(listed));
  const [a, b] = await Promise.all([firstRead, readAll(late.body)]);
  assert.ok(a.bytes.equals(wheel.bytes));
  assert.ok(b.bytes.equals(wheel.bytes));
  assert.equal(upstream.requests(path), 1);
  // The download finished and was committed while one reader had not read a byte.
  await waitFor(() => committed.length === 1);
  const c = await readAll(paused.body);
  assert.ok(c.bytes.equals(wheel.bytes));
});

test('a reader that keeps up is served from memory as the bytes arrive; a reader that joins mid-way reads the file, then catches up; the same bytes for both', async () => {
  const { upstream, client, wheel, listed, committed, downloads, path } = await setUp(LARGE_CODE);
  assert.ok(wheel.bytes.length > 2_000_000, `the wheel has ${wheel.bytes.length} bytes`);
  const stallAt = Math.floor(wheel.bytes.length / 2);
  upstream.fault(path, { kind: 'stall-body', afterBytes: stallAt, ms: 300, times: 1 });
  const first = await downloads.open(wheel.sha256, () => client.fetchFile(listed));
  const firstRead = readAll(first.body);
  // During the stall: half the file has arrived, most of it is in the file already.
  await new Promise((resolve) => setTimeout(resolve, 150));
  const late = await downloads.open(wheel.sha256, () => client.fetchFile(listed));
  const [a, b] = await Promise.all([firstRead, readAll(late.body)]);
  assert.ok(a.bytes.equals(wheel.bytes));
  assert.ok(b.bytes.equals(wheel.bytes));
  assert.equal(upstream.requests(path), 1);
  assert.equal(first.bytesFromFile(), 0, 'the first reader never read the file back');
  assert.ok(late.bytesFromFile() > 0, 'the late reader read what was written before it came');
  assert.ok(late.bytesFromFile() <= stallAt, `the late reader took the bytes after the stall from memory (${late.bytesFromFile()} from the file)`);
  await waitFor(() => committed.length === 1);
  assert.ok((await readFile(committed[0]!.path).catch(() => null)) === null, 'the temporary file is gone after the commit');
});

test('readers keep reading after the commit moved the file away', async () => {
  const { client, wheel, listed, tempDir } = await setUp();
  const store = await temporaryDirectory('gatehouse-store-');
  const downloads = new SharedDownloads({ tempDir, commit: (d) => rename(d.path, join(store, d.sha256)) });
  const reader = await downloads.open(wheel.sha256, () => client.fetchFile(listed));
  await waitFor(() => downloads.size === 0);
  assert.deepEqual(await readdir(store), [wheel.sha256]);
  assert.ok((await readAll(reader.body)).bytes.equals(wheel.bytes));
  assert.ok((await readFile(join(store, wheel.sha256))).equals(wheel.bytes));
});

test('a file with other bytes fails every reader short of the end, is not committed, and leaves no file', async () => {
  const { upstream, client, wheel, listed, tempDir, committed, downloads, path } = await setUp();
  upstream.fault(path, { kind: 'wrong-bytes', times: 1 });
  const readers = await Promise.all(Array.from({ length: 20 }, () => downloads.open(wheel.sha256, () => client.fetchFile(listed))));
  const results = await Promise.all(readers.map((r) => readAll(r.body)));
  for (const { bytes, error } of results) {
    assert.ok(error instanceof UpstreamIntegrityError, String(error));
    assert.equal(error.code, 'upstream.hash-mismatch');
    assert.ok(bytes.length < wheel.bytes.length);
  }
  // They were served from memory as the bytes arrived: the held-back last chunk is what they never got.
  assert.ok(readers.every((r) => r.bytesFromFile() === 0));
  await waitFor(() => downloads.size === 0);
  assert.deepEqual(committed, []);
  assert.deepEqual(await readdir(tempDir), []);
  // The next reader starts a fresh download, which succeeds.
  const retry = await readAll((await downloads.open(wheel.sha256, () => client.fetchFile(listed))).body);
  assert.ok(retry.bytes.equals(wheel.bytes));
  assert.equal(upstream.requests(path), 2);
});

test('a wrong hash or a body cut short ends the reader served from memory and one that fell behind short of the complete file, and nothing is committed', async () => {
  const { upstream, client, wheel, listed, tempDir, committed, downloads, path } = await setUp(LARGE_CODE);
  const cases: Array<{ fault: Parameters<TestUpstream['fault']>[1]; code: string }> = [
    { fault: { kind: 'wrong-bytes', times: 1 }, code: 'upstream.hash-mismatch' },
    // All but the last 10 bytes: what the held-back last chunk protects against.
    { fault: { kind: 'drop', afterBytes: wheel.bytes.length - 10, times: 1 }, code: 'upstream.file-truncated' },
  ];
  for (const c of cases) {
    upstream.fault(path, c.fault);
    const fast = await downloads.open(wheel.sha256, () => client.fetchFile(listed));
    const fastRead = readAll(fast.body);
    // A slow reader: it asks for nothing until the download is over, then reads what the file holds.
    const slow = await downloads.open(wheel.sha256, () => client.fetchFile(listed));
    const slowFailed = new Promise((resolve) => slow.body.once('error', resolve));
    const { bytes, error } = await fastRead;
    await slowFailed;
    assert.ok(error instanceof UpstreamIntegrityError, `${c.code}: ${String(error)}`);
    assert.equal(error.code, c.code);
    assert.ok(bytes.length < wheel.bytes.length, `${c.code}: ${bytes.length} bytes of ${wheel.bytes.length}`);
    assert.equal(fast.bytesFromFile(), 0, `${c.code}: the fast reader was served from memory`);
    const late = await readAll(slow.body);
    assert.ok(late.error instanceof UpstreamIntegrityError, `${c.code}, the slow reader: ${String(late.error)}`);
    assert.ok(late.bytes.length < wheel.bytes.length);
    await waitFor(() => downloads.size === 0);
    assert.deepEqual(committed, [], c.code);
    assert.deepEqual(await readdir(tempDir), [], c.code);
  }
});

test('a fetch that fails before any byte rejects every opener alike, and is forgotten', async () => {
  const { client, listed, tempDir, downloads, wheel } = await setUp();
  const missing = { ...listed, url: listed.url.replace(wheel.filename, 'gone-1.0.tar.gz') };
  const outcomes = await Promise.allSettled(Array.from({ length: 10 }, () => downloads.open('k', () => client.fetchFile(missing))));
  assert.ok(outcomes.every((o) => o.status === 'rejected' && o.reason instanceof UpstreamFileNotFoundError));
  assert.equal(downloads.size, 0);
  assert.deepEqual(await readdir(tempDir), []);
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(condition(), 'condition not reached in 2 s');
}
