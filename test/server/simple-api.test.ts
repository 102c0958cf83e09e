/**
 * The Simple API and file downloads for hosted projects: canonical URLs,
 * content negotiation, ETags, downloads and PEP 658 metadata, on SQLite and
 * PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../helpers/gateway.js';
import { DATABASES } from '../helpers/postgres.js';
import { wheelEntries, writeZip } from '../helpers/zip.js';

const JSON_V1 = 'application/vnd.pypi.simple.v1+json';
const HTML_V1 = 'application/vnd.pypi.simple.v1+html';

async function uploadWheel(gw: Awaited<ReturnType<typeof startGateway>>, token: string, name: string, version: string) {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-simple-'));
  try {
    const filename = `${name}-${version}-py3-none-any.whl`;
    writeZip(join(dir, filename), wheelEntries(name, version));
    const data = await readFile(join(dir, filename));
    const f = new FormData();
    for (const [k, v] of Object.entries({ ':action': 'file_upload', name, version })) f.append(k, v);
    f.append('content', new Blob([new Uint8Array(data)]), filename);
    const res = await fetch(`${gw.url}/legacy/`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}` },
      body: f,
    });
    assert.equal(res.status, 200, await res.text());
    return { filename, data };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

for (const database of DATABASES) {
  test(`${database}: Simple API pages, negotiation, ETags and downloads`, async (t) => {
    const gw = await startGateway({ database, listen: true });
    t.after(() => gw.close());
    const token = await gw.token();
    const { filename, data } = await uploadWheel(gw, token, 'Sample_Lib', '1.0');
    const sha = createHash('sha256').update(data).digest('hex');

    // Non-normalized names redirect to the canonical URL (PEP 503).
    for (const path of ['/simple/Sample_Lib/', '/simple/sample.lib/', '/simple/sample-lib']) {
      const r = await gw.app.inject({ url: path });
      assert.equal(r.statusCode, 301, path);
      assert.equal(r.headers.location, '/simple/sample-lib/');
    }

    // Negotiation (PEP 691): q-values pick the format; no Accept gives text/html.
    const table: Array<[string | undefined, string | number]> = [
      [undefined, 'text/html; charset=utf-8'],
      ['*/*', 'text/html; charset=utf-8'],
      ['text/html', 'text/html; charset=utf-8'],
      [JSON_V1, `${JSON_V1}; charset=utf-8`],
      [`${JSON_V1}, ${HTML_V1};q=0.1, text/html;q=0.01`, `${JSON_V1}; charset=utf-8`],
      [`${JSON_V1};q=0.2, ${HTML_V1};q=0.9`, `${HTML_V1}; charset=utf-8`],
      ['application/json', 406],
    ];
    for (const [accept, expected] of table) {
      const r = await gw.app.inject({ url: '/simple/sample-lib/', headers: accept ? { accept } : {} });
      if (typeof expected === 'number') {
        assert.equal(r.statusCode, expected, `Accept: ${accept}`);
        assert.match(r.body, /none of the media types/);
      } else {
        assert.equal(r.statusCode, 200, `Accept: ${accept}`);
        assert.equal(r.headers['content-type'], expected, `Accept: ${accept}`);
        assert.equal(r.headers.vary, 'Accept, Accept-Encoding');
      }
    }

    const json = await gw.app.inject({ url: '/simple/sample-lib/', headers: { accept: JSON_V1 } });
    const page = json.json() as {
      meta: { 'api-version': string };
      name: string;
      versions: string[];
      files: Array<{ filename: string; url: string; hashes: { sha256: string }; size: number; 'core-metadata': unknown; 'upload-time': string }>;
    };
    assert.equal(page.meta['api-version'], '1.4');
    assert.deepEqual(page.versions, ['1.0']);
    const file = page.files[0]!;
    assert.equal(file.filename, filename);
    assert.equal(file.hashes.sha256, sha);
    assert.equal(file.size, data.length);
    assert.match(file['upload-time'], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    const fileUrl = new URL(file.url, `${gw.url}/simple/sample-lib/`);
    assert.equal(fileUrl.pathname, `/files/${sha}/${filename}`);

    // ETag and 304, per representation.
    const etag = json.headers.etag as string;
    const again = await gw.app.inject({ url: '/simple/sample-lib/', headers: { accept: JSON_V1, 'if-none-match': etag } });
    assert.equal(again.statusCode, 304);
    const html = await gw.app.inject({ url: '/simple/sample-lib/', headers: { 'if-none-match': etag } });
    assert.equal(html.statusCode, 200, 'the HTML page has its own ETag');
    assert.match(html.body, new RegExp(`href="[^"]*${filename}#sha256=${sha}"`));
    assert.match(html.body, /data-dist-info-metadata="sha256=[0-9a-f]{64}"/);
    assert.match(html.body, /data-core-metadata="sha256=[0-9a-f]{64}"/);

    // A new upload changes the page and its ETag.
    await uploadWheel(gw, token, 'Sample_Lib', '1.1');
    const changed = await gw.app.inject({ url: '/simple/sample-lib/', headers: { accept: JSON_V1, 'if-none-match': etag } });
    assert.equal(changed.statusCode, 200);
    assert.deepEqual((changed.json() as { versions: string[] }).versions.sort(), ['1.0', '1.1']);

    // The index of projects.
    const index = await gw.app.inject({ url: '/simple/', headers: { accept: JSON_V1 } });
    assert.deepEqual((index.json() as { projects: Array<{ name: string }> }).projects.map((p) => p.name), ['Sample_Lib']);
    // It is cached per project-list serial: the same bytes and ETag until a project is created, then at once the new list.
    const indexAgain = await gw.app.inject({ url: '/simple/', headers: { accept: JSON_V1, 'if-none-match': index.headers.etag as string } });
    assert.equal(indexAgain.statusCode, 304);
    await uploadWheel(gw, token, 'another', '1.0');
    const grown = await gw.app.inject({ url: '/simple/', headers: { accept: JSON_V1, 'if-none-match': index.headers.etag as string } });
    assert.equal(grown.statusCode, 200);
    assert.deepEqual((grown.json() as { projects: Array<{ name: string }> }).projects.map((p) => p.name), ['another', 'Sample_Lib']);
    const grownHtml = await gw.app.inject({ url: '/simple/', headers: { accept: 'text/html' } });
    assert.match(grownHtml.body, /<a href="another\/">another<\/a>/);

    // Unknown project: 404 with a one-line reason.
    const missing = await gw.app.inject({ url: '/simple/no-such-thing/' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.body, "no project named 'no-such-thing' is hosted here (no upstream index is configured)\n");

    // Downloads: bytes, type, length, ETag, 304.
    const dl = await fetch(fileUrl);
    assert.equal(dl.status, 200);
    assert.equal(dl.headers.get('content-type'), 'application/zip');
    assert.equal(dl.headers.get('content-length'), String(data.length));
    assert.equal(dl.headers.get('etag'), `"${sha}"`);
    assert.deepEqual(Buffer.from(await dl.arrayBuffer()), data);
    const cached = await fetch(fileUrl, { headers: { 'if-none-match': `"${sha}"` } });
    assert.equal(cached.status, 304);

    // PEP 658: the METADATA file at <url>.metadata, matching the hash on the page.
    const md = await fetch(`${fileUrl}.metadata`);
    assert.equal(md.status, 200);
    const mdBytes = Buffer.from(await md.arrayBuffer());
    assert.match(mdBytes.toString(), /^Metadata-Version: 2\.1\nName: Sample_Lib\nVersion: 1\.0/);
    assert.equal(`sha256=${createHash('sha256').update(mdBytes).digest('hex')}`, /data-core-metadata="([^"]+)"/.exec(html.body)![1]);

    // Unknown or malformed file URLs are 404s, never errors.
    for (const path of [`/files/${sha}/other.whl`, `/files/${'0'.repeat(64)}/${filename}`, `/files/not-a-sha/${filename}`, `/files/${sha}/..%2f..%2fetc%2fpasswd`]) {
      const r = await fetch(`${gw.url}${path}`);
      assert.equal(r.status, 404, path);
    }
  });
}

test('healthz and metrics', async (t) => {
  const gw = await startGateway();
  t.after(() => gw.close());
  const health = await gw.app.inject({ url: '/healthz' });
  assert.equal(health.statusCode, 200);
  assert.deepEqual(health.json(), { status: 'ok' });
  await gw.app.inject({ url: '/simple/nothing/' });
  const metrics = await gw.app.inject({ url: '/metrics' });
  assert.match(metrics.headers['content-type'] as string, /^text\/plain/);
  assert.match(metrics.body, /gatehouse_http_requests_total\{method="GET",route="\/simple\/:project\/",status="404"\} 1/);
  assert.match(metrics.body, /gatehouse_stored_bytes 0/);
  assert.match(metrics.body, /gatehouse_http_request_duration_seconds_bucket/);
});
