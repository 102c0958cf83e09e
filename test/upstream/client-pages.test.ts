/**
 * Project pages from the test upstream through the real client: JSON and HTML read into one model, revalidation,
 * upload times filled from the JSON API, single-flight, and every kind of bad answer turned into a typed error.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { InvalidNameError } from '../../src/pep/errors.js';
import {
  UpstreamClient,
  UpstreamHostRefusedError,
  UpstreamPageError,
  UpstreamRefusedError,
  type PageIssueEvent,
  type ProjectPageResult,
  type RequestEvent,
  type UpstreamClientOptions,
} from '../../src/upstream/index.js';
import { startTestUpstream, type TestUpstream } from '../helpers/upstream.js';

const PROJECTS = [
  {
    name: 'Demo.Pkg',
    releases: [
      { version: '1.0', requiresPython: '>=3.8' },
      { version: '1.1', yanked: 'broken build' },
      { version: '2.0', wheel: false },
    ],
    status: { status: 'deprecated' as const, reason: 'use other' },
  },
  { name: 'other', releases: [{ version: '0.1' }] },
];

const upstreams: TestUpstream[] = [];
const clients: UpstreamClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(upstreams.map((u) => u.close()));
});

async function setUp(options: Parameters<typeof startTestUpstream>[0] = {}, clientOptions: UpstreamClientOptions = {}): Promise<{ upstream: TestUpstream; client: UpstreamClient }> {
  const upstream = await startTestUpstream({ projects: PROJECTS, ...options });
  upstreams.push(upstream);
  const client = new UpstreamClient({ name: 'test', url: upstream.url }, { proxy: 'none', retry: { baseDelayMs: 1 }, ...clientOptions });
  clients.push(client);
  return { upstream, client };
}

function ok(result: ProjectPageResult): Extract<ProjectPageResult, { status: 'ok' }> {
  assert.equal(result.status, 'ok');
  return result as Extract<ProjectPageResult, { status: 'ok' }>;
}

test('a JSON page is read whole, asked for as PEP 691 says, and gzip is undone', async () => {
  const { upstream, client } = await setUp({ format: 'negotiate' });
  const result = ok(await client.fetchProjectPage('Demo_Pkg'));
  assert.equal(result.format, 'json');
  assert.deepEqual(result.page, upstream.page('demo-pkg'));
  assert.equal(result.url, `${upstream.url}demo-pkg/`);
  assert.deepEqual(result.issues, { count: 0, first: [] });
  assert.deepEqual(result.uploadTimes, { missing: 0, filled: 0 });
  assert.match(result.etag ?? '', /^"[0-9a-f]+"$/);
  const request = upstream.log.find((r) => r.path === '/simple/demo-pkg/');
  assert.equal(request?.headers.accept, 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01');
  assert.match(String(request?.headers['accept-encoding']), /gzip/);
  // The project's files: yanked with its reason, requires-python, PEP 792 status, core metadata on wheels.
  const page = result.page;
  assert.deepEqual(page.projectStatus, { status: 'deprecated', reason: 'use other' });
  assert.deepEqual(page.versions, ['1.0', '1.1', '2.0']);
  assert.equal(page.files.find((f) => f.filename === 'demo_pkg-1.1.tar.gz')?.yanked, 'broken build');
  assert.equal(page.files.find((f) => f.filename === 'demo_pkg-1.0-py3-none-any.whl')?.requiresPython, '>=3.8');
});

test('an HTML page gives the same files, with upload times filled from the JSON API', async () => {
  const { upstream, client } = await setUp({ format: 'html' });
  const result = ok(await client.fetchProjectPage('demo-pkg'));
  assert.equal(result.format, 'html');
  assert.deepEqual(result.uploadTimes, { missing: 0, filled: 5 });
  const expected = upstream.page('demo-pkg');
  // HTML carries no size; everything else comes through.
  assert.deepEqual(result.page, { ...expected, files: expected.files.map((f) => ({ ...f, size: 0 })) });
  assert.equal(upstream.requests('/pypi/demo-pkg/json'), 1);

  // Without a JSON API the times stay missing, and the page is served anyway.
  upstream.jsonApi = false;
  const without = ok(await client.fetchProjectPage('demo-pkg'));
  assert.deepEqual(without.uploadTimes, { missing: 5, filled: 0 });
  // A JSON API that fails is reported, not fatal.
  upstream.jsonApi = true;
  upstream.fault('/pypi/demo-pkg/json', { kind: 'body', body: '{"releases": [}', contentType: 'application/json' });
  const broken = ok(await client.fetchProjectPage('demo-pkg'));
  assert.equal(broken.uploadTimes.missing, 5);
  assert.match(broken.uploadTimes.error ?? '', /invalid JSON API document: not JSON/);
});

test('JSON pages without upload times are filled too, and a JSON API that disagrees on the hash is not used', async () => {
  const { upstream, client } = await setUp({ format: 'json', uploadTimeInPages: false });
  const result = ok(await client.fetchProjectPage('other'));
  assert.deepEqual(result.uploadTimes, { missing: 0, filled: 2 });
  assert.deepEqual(result.page.files.map((f) => f.uploadTime), upstream.page('other').files.map((f) => f.uploadTime));

  const wheel = upstream.filesOf('other')[0];
  assert.ok(wheel !== undefined);
  upstream.fault('/pypi/other/json', {
    kind: 'body',
    contentType: 'application/json',
    body: JSON.stringify({ releases: { '0.1': [{ filename: wheel.filename, upload_time_iso_8601: '2020-01-01T00:00:00Z', digests: { sha256: 'f'.repeat(64) } }] } }),
  });
  const mismatched = ok(await client.fetchProjectPage('other'));
  assert.deepEqual(mismatched.uploadTimes, { missing: 2, filled: 0 });
});

test('revalidation: the validators go back as If-None-Match and If-Modified-Since; 304 is not-modified', async () => {
  const { upstream, client } = await setUp();
  const first = ok(await client.fetchProjectPage('other'));
  const byEtag = await client.fetchProjectPage('other', { etag: first.etag as string });
  assert.deepEqual(byEtag, { status: 'not-modified', etag: first.etag, lastModified: first.lastModified });
  const byDate = await client.fetchProjectPage('other', { lastModified: first.lastModified as string });
  assert.equal(byDate.status, 'not-modified');
  const stale = await client.fetchProjectPage('other', { etag: '"old"' });
  assert.equal(stale.status, 'ok');
  const sent = upstream.log.filter((r) => r.path === '/simple/other/').map((r) => [r.headers['if-none-match'], r.headers['if-modified-since']]);
  assert.deepEqual(sent, [
    [undefined, undefined],
    [first.etag, undefined],
    [undefined, first.lastModified],
    ['"old"', undefined],
  ]);
  // A 304 to a request that had nothing to compare is an error, not a page.
  upstream.fault('/simple/other/', { kind: 'status', status: 304, times: 1 });
  await assert.rejects(client.fetchProjectPage('other'), (e: unknown) => e instanceof UpstreamPageError && /304 Not Modified to a request that had nothing to compare/.test(e.message));
});

test('a project the upstream does not have is not-found; a name that is not a name is refused before any request', async () => {
  const { upstream, client } = await setUp();
  assert.deepEqual(await client.fetchProjectPage('missing'), { status: 'not-found' });
  upstream.fault('/simple/gone/', { kind: 'status', status: 410 });
  assert.deepEqual(await client.fetchProjectPage('gone'), { status: 'not-found' });
  upstream.resetCounts();
  for (const bad of ['../etc', 'a/b', '', '-x', 'name with space']) {
    await assert.rejects(client.fetchProjectPage(bad), InvalidNameError);
  }
  assert.equal(upstream.log.length, 0);
});

test('200 concurrent requests for one page make one upstream request', async () => {
  const { upstream, client } = await setUp();
  upstream.fault('/simple/demo-pkg/', { kind: 'delay-headers', ms: 100, times: 1 });
  const results = await Promise.all(Array.from({ length: 200 }, (_, i) => client.fetchProjectPage(i % 2 === 0 ? 'demo-pkg' : 'Demo.Pkg')));
  assert.equal(upstream.requests('/simple/demo-pkg/'), 1);
  assert.ok(results.every((r) => r === results[0] && r.status === 'ok'));
  // Different validators are different questions.
  await Promise.all([client.fetchProjectPage('other'), client.fetchProjectPage('other', { etag: '"x"' })]);
  assert.equal(upstream.requests('/simple/other/'), 2);
});

test('answers that are not project pages are typed errors that say why', async () => {
  const { upstream, client } = await setUp({}, { maxPageBytes: 100_000 });
  const cases: Array<[Parameters<TestUpstream['fault']>[1], RegExp]> = [
    [{ kind: 'body', body: '\x89PNG\r\n', contentType: 'image/png' }, /answered with content type "image\/png", which is neither a Simple API JSON nor an HTML page/],
    [{ kind: 'body', body: 'hello', contentType: 'text/plain' }, /content type "text\/plain"/],
    [{ kind: 'body', body: '{}' }, /content type "application\/octet-stream"/],
    [{ kind: 'body', body: '{"meta": {"api-version": "1.0"}, "name": "x", "files": [', contentType: 'application/vnd.pypi.simple.v1+json' }, /invalid Simple API document: not JSON/],
    [{ kind: 'body', body: '["a list"]', contentType: 'application/vnd.pypi.simple.v1+json' }, /must be a JSON object/],
    [{ kind: 'body', body: '{"meta": {"api-version": "2.0"}, "name": "x", "files": []}', contentType: 'application/vnd.pypi.simple.v1+json' }, /unsupported repository version "2\.0"/],
    [{ kind: 'body', body: '<meta name="pypi:repository-version" content="3.1">', contentType: 'text/html' }, /unsupported repository version "3\.1"/],
    [{ kind: 'body', body: `<html>${'<a href="x-1.0.tar.gz">x</a>'.repeat(5000)}</html>`, contentType: 'text/html' }, /is larger than 100000 bytes/],
    // A small gzip that inflates past the limit: a compression bomb.
    [{ kind: 'body', body: gzipSync(Buffer.alloc(5_000_000, 0x20)), contentType: 'text/html', headers: { 'content-encoding': 'gzip' } }, /is larger than 100000 bytes/],
    [{ kind: 'body', body: Buffer.from('not gzip at all'), contentType: 'text/html', headers: { 'content-encoding': 'gzip' } }, /its gzip body cannot be decompressed/],
    [{ kind: 'body', body: 'x', contentType: 'text/html', headers: { 'content-encoding': 'compress' } }, /content encoding "compress" is not supported/],
    [{ kind: 'status', status: 401 }, /answered 401 Unauthorized; check the upstream's credentials/],
    [{ kind: 'status', status: 403 }, /answered 403 Forbidden; check/],
    [{ kind: 'status', status: 406 }, /answered 406 Not Acceptable/],
    [{ kind: 'status', status: 204 }, /answered 204 No Content, not 200/],
  ];
  for (const [fault, message] of cases) {
    upstream.clearFaults();
    upstream.fault('/simple/other/', fault);
    await assert.rejects(client.fetchProjectPage('other'), (e: unknown) => {
      assert.ok(e instanceof UpstreamPageError || e instanceof UpstreamRefusedError, `${String(e)}`);
      assert.equal(e.status, 502);
      assert.equal(e.upstream, 'test');
      assert.match(e.message, message);
      assert.match(e.message, /^upstream "test": /);
      return true;
    });
  }
  // None of that counts against the upstream's health: it answered.
  assert.equal(client.health().state, 'closed');
  assert.equal(client.health().failures, 0);
});

test('bad links on an upstream page are left out and reported for a log line; the rest is served', async () => {
  const issues: PageIssueEvent[] = [];
  const { upstream, client } = await setUp({}, { events: { onPageIssue: (e) => issues.push(e) } });
  const sha = 'ab'.repeat(32);
  const html = `<!DOCTYPE html><html><head><base href="${upstream.origin}/files/"></head><body>
    <!-- <a href="commented-1.0.tar.gz">no</a> -->
    <a href='other-0.1.tar.gz#sha256=${sha}' data-requires-python="&gt;=3.7">other-0.1.tar.gz</a>
    <a href="javascript:alert(1)">other-0.2.tar.gz</a>
    <a href="..%2F..%2Fetc%2Fpasswd">x</a>
    <a href="other-0.3.tar.gz#sha256=nothex">other-0.3.tar.gz</a>
    <a href="other-0.4.tar.gz#sha256=${sha.slice(2)}">other-0.4.tar.gz</a>
    <A HREF=other-0.5.tar.gz>other-0.5.tar.gz</A>
  </body></html>`;
  upstream.fault('/simple/other/', { kind: 'body', body: html, contentType: 'text/html; charset=utf-8' });
  const result = ok(await client.fetchProjectPage('other'));
  assert.deepEqual(
    result.page.files.map((f) => [f.url, f.hashes, f.requiresPython]),
    [
      [`${upstream.origin}/files/other-0.1.tar.gz`, { sha256: sha }, '>=3.7'],
      [`${upstream.origin}/files/other-0.5.tar.gz`, {}, undefined],
    ],
  );
  assert.equal(result.issues.count, 4);
  assert.deepEqual(
    result.issues.first.map((i) => i.reason),
    [
      'its scheme "javascript:" is not fetched',
      'the file name "../../etc/passwd" contains a path separator',
      'its sha256 hash "nothex" is not hexadecimal',
      'its sha256 hash has 62 hex digits, not 64',
    ],
  );
  assert.deepEqual(issues.map((e) => [e.upstream, e.project, e.issue.reason]), result.issues.first.map((i) => ['test', 'other', i.reason]));
});

test('pages may redirect within the index host, not off it', async () => {
  const { upstream, client } = await setUp();
  upstream.fault('/simple/other/', { kind: 'redirect', location: '/simple/other', status: 301, times: 1 });
  const result = ok(await client.fetchProjectPage('other'));
  assert.equal(result.url, `${upstream.url}other`);
  assert.equal(result.page.name, 'other');
  // A redirect (or anything else) that ends on another project's page gives no page.
  upstream.fault('/simple/moved/', { kind: 'redirect', location: '/simple/other/', status: 301 });
  await assert.rejects(client.fetchProjectPage('moved'), (e: unknown) => e instanceof UpstreamPageError && /\/simple\/other\/ is the page of "other", not of moved/.test(e.message));

  const foreign = await setUp();
  upstream.fault('/simple/away/', { kind: 'redirect', location: `${foreign.upstream.url}other/` });
  await assert.rejects(client.fetchProjectPage('away'), (e: unknown) => e instanceof UpstreamHostRefusedError && /refused the redirect from .*\/simple\/away\/ to .*\/simple\/other\/: a page may redirect only within 127\.0\.0\.1:\d+/.test(e.message));
  assert.equal(foreign.upstream.requests('/simple/other/'), 0);
  upstream.fault('/simple/loop/', { kind: 'redirect', location: '/simple/loop/' });
  await assert.rejects(client.fetchProjectPage('loop'), /more than 5 redirects/);
  upstream.fault('/simple/scheme/', { kind: 'redirect', location: 'file:///etc/passwd' });
  await assert.rejects(client.fetchProjectPage('scheme'), /file: is not fetched/);
});

test('events: one per attempt with its outcome, and the bytes received', async () => {
  const requests: RequestEvent[] = [];
  let bytes = 0;
  const { upstream, client } = await setUp({}, { events: { onRequest: (e) => requests.push(e), onBytes: (e) => (bytes += e.bytes) } });
  const page = ok(await client.fetchProjectPage('other'));
  await client.fetchProjectPage('other', { etag: page.etag as string });
  await client.fetchProjectPage('nothing');
  assert.deepEqual(
    requests.map((e) => [e.upstream, e.kind, e.attempt, e.status, e.outcome]),
    [
      ['test', 'page', 1, 200, 'ok'],
      ['test', 'page', 1, 304, 'not-modified'],
      ['test', 'page', 1, 404, 'not-found'],
    ],
  );
  assert.ok(requests.every((e) => e.durationMs >= 0));
  const sent = upstream.log.length;
  assert.ok(bytes > 100 && sent === 3, `${bytes} bytes, ${sent} requests`);
});
