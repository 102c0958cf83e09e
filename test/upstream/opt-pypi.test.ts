/**
 * The client against a realistic upstream: /opt/pypi (real PyPI wheels, a static PEP 503 tree) served by
 * `python3 -m http.server`. Every project page is read with nothing left out, files arrive verified, a page
 * revalidates by Last-Modified, and the largest wheel (274 MB) streams through in flat memory, alone and shared by
 * two readers.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SharedDownloads, UpstreamClient, type ProjectPageResult, type VerifiedDownload } from '../../src/upstream/index.js';
import { serveDirectory, type StaticIndex } from '../helpers/static-index.js';

const PYPI = '/opt/pypi';

let index: StaticIndex;
let client: UpstreamClient;
before(async () => {
  index = await serveDirectory(PYPI);
  // A static tree has no JSON API; upload times stay missing.
  client = new UpstreamClient({ name: 'opt-pypi', url: `${index.origin}/simple/`, jsonApiUrl: false }, { proxy: 'none' });
});
after(async () => {
  await client?.close();
  await index?.close();
});

function ok(result: ProjectPageResult): Extract<ProjectPageResult, { status: 'ok' }> {
  assert.equal(result.status, 'ok');
  return result as Extract<ProjectPageResult, { status: 'ok' }>;
}

test('every project page of /opt/pypi is read over HTTP with nothing left out, its files on the index host', async () => {
  const projects = readdirSync(join(PYPI, 'simple')).filter((n) => statSync(join(PYPI, 'simple', n)).isDirectory());
  assert.ok(projects.length > 500, `expected hundreds of projects, found ${projects.length}`);
  let files = 0;
  const queue = [...projects];
  const worker = async (): Promise<void> => {
    for (let project = queue.pop(); project !== undefined; project = queue.pop()) {
      const result = ok(await client.fetchProjectPage(project));
      assert.equal(result.format, 'html');
      assert.deepEqual(result.issues, { count: 0, first: [] }, project);
      assert.ok(result.page.files.length > 0, project);
      assert.ok(result.lastModified !== undefined);
      for (const file of result.page.files) {
        files++;
        assert.equal(file.url, `${index.origin}/files/${encodeURIComponent(file.filename).replace(/%2B/g, '+')}`);
        assert.match(file.hashes['sha256'] ?? '', /^[0-9a-f]{64}$/);
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  assert.ok(files >= projects.length);
});

test('the files pip needs for `requests` arrive verified; a page revalidates by Last-Modified', async () => {
  for (const project of ['requests', 'urllib3', 'idna', 'certifi', 'charset-normalizer']) {
    const result = ok(await client.fetchProjectPage(project));
    const wheel = result.page.files.find((f) => f.filename.endsWith('-none-any.whl')) ?? result.page.files[0];
    assert.ok(wheel !== undefined, project);
    const file = await client.fetchFile(wheel);
    const hash = createHash('sha256');
    for await (const chunk of file.body) hash.update(chunk as Buffer);
    assert.equal(file.body.sha256, wheel.hashes['sha256']);
    assert.equal(hash.digest('hex'), wheel.hashes['sha256']);
    assert.equal(file.size, statSync(join(PYPI, 'files', wheel.filename)).size);
    const again = await client.fetchProjectPage(project, { lastModified: result.lastModified as string });
    assert.equal(again.status, 'not-modified', project);
  }
});

test('the largest wheel streams through verified while memory stays flat', { timeout: 120_000 }, async () => {
  const files = readdirSync(join(PYPI, 'files')).map((name) => ({ name, size: statSync(join(PYPI, 'files', name)).size }));
  files.sort((a, b) => b.size - a.size);
  const largest = files[0];
  assert.ok(largest !== undefined && largest.size > 100 * 1024 * 1024, 'expected a wheel over 100 MB in /opt/pypi');
  const project = readdirSync(join(PYPI, 'simple')).find((p) => statSync(join(PYPI, 'simple', p)).isDirectory() && readFileSync(join(PYPI, 'simple', p, 'index.html'), 'utf8').includes(largest.name));
  assert.ok(project !== undefined);
  const listed = ok(await client.fetchProjectPage(project)).page.files.find((f) => f.filename === largest.name);
  assert.ok(listed !== undefined);

  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const before = process.memoryUsage();
  let peak = 0;
  let received = 0;
  let n = 0;
  const file = await client.fetchFile(listed);
  for await (const chunk of file.body) {
    received += (chunk as Buffer).length;
    if (++n % 512 === 0) {
      gc();
      const now = process.memoryUsage();
      peak = Math.max(peak, now.rss - before.rss, now.arrayBuffers + now.heapUsed - before.arrayBuffers - before.heapUsed);
    }
  }
  assert.equal(received, largest.size);
  assert.equal(file.body.sha256, listed.hashes['sha256']);
  assert.ok(peak < 64 * 1024 * 1024, `memory grew by ${peak} bytes while ${largest.size} bytes streamed`);

  // The same through a shared download, with a fast reader and a slow one: one fetch, flat memory, one commit.
  const tempDir = await mkdtemp(join(tmpdir(), 'gatehouse-opt-pypi-'));
  const committed: VerifiedDownload[] = [];
  const downloads = new SharedDownloads({ tempDir, commit: async (download) => void committed.push(download) });
  try {
    gc();
    const start = process.memoryUsage();
    let sharedPeak = 0;
    const measure = (): void => {
      gc();
      const now = process.memoryUsage();
      sharedPeak = Math.max(sharedPeak, now.rss - start.rss, now.arrayBuffers + now.heapUsed - start.arrayBuffers - start.heapUsed);
    };
    const read = async (slow: boolean): Promise<string> => {
      const reader = await downloads.open(listed.hashes['sha256'] as string, () => client.fetchFile(listed));
      const hash = createHash('sha256');
      let chunks = 0;
      for await (const chunk of reader.body) {
        hash.update(chunk as Buffer);
        if (++chunks % 512 === 0) {
          measure();
          if (slow) await new Promise((resolve) => setTimeout(resolve, 20));
        }
      }
      return hash.digest('hex');
    };
    const digests = await Promise.all([read(false), read(true)]);
    assert.deepEqual(digests, [listed.hashes['sha256'], listed.hashes['sha256']]);
    assert.equal(committed.length, 1);
    assert.equal(committed[0]?.size, largest.size);
    assert.ok(sharedPeak < 64 * 1024 * 1024, `memory grew by ${sharedPeak} bytes while two readers shared ${largest.size} bytes`);
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
});
