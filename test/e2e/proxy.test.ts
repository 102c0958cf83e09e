/**
 * The caching proxy end to end, with pip (`--isolated`, no cache) against a live gateway in front of a test upstream
 * on 127.0.0.1: a cold install, the same install with the upstream stopped, single-flight counted at the upstream,
 * a tampered file refused and not stored, hosted names winning over upstream ones, reserved names never fetched,
 * and a failed upstream answering 502 with its name. On SQLite and PostgreSQL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { isolatedPipEnv, runCommand } from '../helpers/packages.js';
import { DATABASES } from '../helpers/postgres.js';
import { startTestUpstream, type TestUpstream } from '../helpers/upstream.js';
import { buildWheel, upload } from '../helpers/wheels.js';

const JSON_V1 = 'application/vnd.pypi.simple.v1+json';

async function pipInstall(gw: TestGateway, target: string, ...requirements: string[]) {
  return runCommand(
    'python3',
    ['-m', 'pip', '--isolated', 'install', '--no-cache-dir', '--disable-pip-version-check', '--only-binary', ':all:', '--target', target, '--index-url', `${gw.url}/simple/`, ...requirements],
    { env: isolatedPipEnv() },
  );
}

async function storedBlobs(gw: TestGateway): Promise<string[]> {
  const out: string[] = [];
  for await (const blob of gw.storage.blobs.list()) out.push(blob.sha256);
  return out;
}

function upstreamFor(upstream: TestUpstream, name = 'test-upstream') {
  return [{ name, url: upstream.url }];
}

for (const database of DATABASES) {
  test(`${database}: pip installs through the proxy, then from the cache with the upstream down`, async (t) => {
    const upstream = await startTestUpstream({
      projects: [
        { name: 'alpha', releases: [{ version: '1.0', dependencies: ['beta>=2'] }, { version: '1.1', dependencies: ['beta>=2'] }] },
        { name: 'beta', releases: [{ version: '1.0' }, { version: '2.0' }] },
      ],
    });
    let upstreamOpen = true;
    t.after(async () => {
      if (upstreamOpen) await upstream.close();
    });
    const gw = await startGateway({ database, listen: true, config: { upstreams: upstreamFor(upstream) } });
    t.after(() => gw.close());
    const work = await mkdtemp(join(tmpdir(), 'gatehouse-proxy-'));
    t.after(() => rm(work, { recursive: true, force: true }));

    const cold = await pipInstall(gw, join(work, 'cold'), 'alpha');
    assert.equal(cold.code, 0, cold.stdout + cold.stderr);
    assert.deepEqual((await readdir(join(work, 'cold'))).filter((f) => f.endsWith('.dist-info')).sort(), ['alpha-1.1.dist-info', 'beta-2.0.dist-info']);
    const cached = await gw.storage.database.db.selectFrom('cached_file').select(['filename', 'upstream']).orderBy('filename').execute();
    assert.deepEqual(cached.map((c) => c.filename), ['alpha-1.1-py3-none-any.whl', 'beta-2.0-py3-none-any.whl']);
    const filesFetched = upstream.requests('/files/alpha-1.1-py3-none-any.whl');

    // The page says where each file is: the gateway, by sha256.
    const page = (await (await fetch(`${gw.url}/simple/alpha/`, { headers: { accept: JSON_V1 } })).json()) as {
      files: Array<{ filename: string; url: string; 'upload-time'?: string; provenance?: string }>;
    };
    for (const f of page.files) {
      assert.match(f.url, new RegExp(`^\\.\\./\\.\\./files/[0-9a-f]{64}/${f.filename.replace(/\./g, '\\.')}$`));
      assert.ok(f['upload-time'], `${f.filename} keeps its upload time`);
    }

    await upstream.close();
    upstreamOpen = false;
    // The page TTL has not run out: pages and files come from the cache alone.
    const warm = await pipInstall(gw, join(work, 'warm'), 'alpha');
    assert.equal(warm.code, 0, warm.stdout + warm.stderr);
    assert.equal(upstream.requests('/files/alpha-1.1-py3-none-any.whl'), filesFetched, 'no second fetch of a cached file');

    // An uncached project with the upstream down: 502 naming the upstream, not a 404 that says "no such project".
    const down = await fetch(`${gw.url}/simple/gamma/`);
    assert.equal(down.status, 502);
    assert.match(await down.text(), /upstream "test-upstream": unavailable/);
  });

  test(`${database}: single-flight, stale pages, tampered files, hosted and reserved names`, async (t) => {
    const upstream = await startTestUpstream({
      projects: [
        { name: 'burst', releases: [{ version: '1.0', code: `DATA = ${JSON.stringify('x'.repeat(300_000))}\n` }] },
        { name: 'tampered', releases: [{ version: '1.0' }] },
        { name: 'acme-internal', releases: [{ version: '9.9' }] },
        { name: 'acme-secret', releases: [{ version: '1.0' }] },
      ],
    });
    t.after(() => upstream.close());
    const gw = await startGateway({
      database,
      listen: true,
      config: { upstreams: upstreamFor(upstream), index: { reserved: ['acme-*'], pinned: {} } },
    });
    t.after(() => gw.close());
    const work = await mkdtemp(join(tmpdir(), 'gatehouse-proxy-'));
    t.after(() => rm(work, { recursive: true, force: true }));

    // 200 concurrent requests for an uncached page, then for an uncached file: one upstream request each.
    const pages = await Promise.all(Array.from({ length: 200 }, () => fetch(`${gw.url}/simple/burst/`, { headers: { accept: JSON_V1 } })));
    assert.ok(pages.every((r) => r.status === 200));
    const body = (await pages[0]!.json()) as { files: Array<{ filename: string; url: string }> };
    await Promise.all(pages.slice(1).map((r) => r.arrayBuffer()));
    assert.equal(upstream.requests('/simple/burst/'), 1, 'one page request for 200 clients');
    const wheel = body.files.find((f) => f.filename.endsWith('.whl'))!;
    const fileUrl = new URL(wheel.url, `${gw.url}/simple/burst/`).href;
    const downloads = await Promise.all(Array.from({ length: 200 }, async () => Buffer.from(await (await fetch(fileUrl)).arrayBuffer())));
    const expected = upstream.file(wheel.filename).bytes;
    assert.ok(downloads.every((d) => d.equals(expected)), 'every client got the whole, right file');
    assert.equal(upstream.requests(`/files/${wheel.filename}`), 1, 'one file request for 200 clients');

    // A file whose bytes are not the ones listed: pip fails, and nothing of it is stored.
    const tamperedWheel = upstream.filesOf('tampered').find((f) => f.filename.endsWith('.whl'))!;
    upstream.fault(`/files/${tamperedWheel.filename}`, { kind: 'wrong-bytes' });
    const refused = await pipInstall(gw, join(work, 'tampered'), 'tampered');
    assert.notEqual(refused.code, 0, 'pip must not install a tampered file');
    assert.equal(await gw.storage.cachedFiles.get(tamperedWheel.sha256, tamperedWheel.filename), undefined);
    assert.ok(!(await storedBlobs(gw)).includes(tamperedWheel.sha256));
    // Every blob is one a row points at (the verified files and their METADATA): the wrong bytes left nothing.
    const referenced = new Set([...(await gw.storage.hosted.referencedBlobs()), ...(await gw.storage.cachedFiles.referencedBlobs())]);
    assert.deepEqual((await storedBlobs(gw)).filter((b) => !referenced.has(b)), [], 'no blob of the tampered bytes');
    assert.deepEqual(await readdir(join(gw.dataDir, 'tmp')), [], 'no temporary file of it either');

    // A hosted acme-internal 1.0 wins over the upstream's 9.9; the upstream is never asked.
    const token = await gw.token();
    const internal = buildWheel('acme-internal', '1.0');
    assert.equal((await upload(gw.url, token, internal, { name: 'acme-internal', version: '1.0' })).status, 200);
    const hosted = await pipInstall(gw, join(work, 'hosted'), 'acme-internal');
    assert.equal(hosted.code, 0, hosted.stderr);
    assert.ok((await readdir(join(work, 'hosted'))).includes('acme_internal-1.0.dist-info'));
    assert.equal(upstream.requests('/simple/acme-internal/'), 0, 'a hosted name is never looked up upstream');

    // A reserved name that is not hosted: 404 with the reason, and never fetched.
    const reserved = await fetch(`${gw.url}/simple/acme-secret/`);
    assert.equal(reserved.status, 404);
    assert.match(await reserved.text(), /'acme-secret' is reserved for internal projects here \(reserved prefix acme-\*\)/);
    const pipReserved = await pipInstall(gw, join(work, 'reserved'), 'acme-secret');
    assert.notEqual(pipReserved.code, 0);
    assert.equal(upstream.requests('/simple/acme-secret/'), 0, 'a reserved name is never fetched');

  });
}

test('a page whose revalidation fails is served stale with Age and X-Cache-Status; offline serves only the cache', async (t) => {
  const upstream = await startTestUpstream({ projects: [{ name: 'stale', releases: [{ version: '1.0' }] }] });
  t.after(() => upstream.close());
  const proxy = { pageTtl: 0, negativeTtl: 0, offline: false };
  const gw = await startGateway({ listen: true, config: { upstreams: upstreamFor(upstream), proxy } });
  t.after(() => gw.close());
  const first = await fetch(`${gw.url}/simple/stale/`, { headers: { accept: JSON_V1 } });
  assert.equal(first.headers.get('x-cache-status'), 'MISS');
  await first.arrayBuffer();
  const again = await fetch(`${gw.url}/simple/stale/`, { headers: { accept: JSON_V1 } });
  assert.equal(again.headers.get('x-cache-status'), 'REVALIDATED', 'a TTL of 0 revalidates every time (ETag, 304)');
  await again.arrayBuffer();
  upstream.fault('/simple/stale/', { kind: 'status', status: 503 });
  await new Promise((r) => setTimeout(r, 1100));
  const stale = await fetch(`${gw.url}/simple/stale/`, { headers: { accept: JSON_V1 } });
  assert.equal(stale.status, 200);
  assert.equal(stale.headers.get('x-cache-status'), 'STALE');
  assert.ok(Number(stale.headers.get('age')) >= 1, `Age says how old: ${stale.headers.get('age')}`);
  assert.equal(stale.headers.get('warning'), null, 'not the obsolete Warning header');
  const parsed = (await stale.json()) as { files: unknown[] };
  assert.equal(parsed.files.length, 2);
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  assert.match(metrics, /gatehouse_proxy_pages_total\{upstream="test-upstream",status="STALE"\} 1/);

  // Offline: the cached page and nothing else; an uncached project is a 504, not a 404.
  const offline = await startGateway({ listen: true, config: { upstreams: upstreamFor(upstream), proxy: { ...proxy, offline: true }, dataDir: gw.dataDir } });
  t.after(() => offline.close());
  upstream.clearFaults();
  upstream.resetCounts();
  const cachedPage = await fetch(`${offline.url}/simple/stale/`);
  assert.equal(cachedPage.status, 200);
  const unknown = await fetch(`${offline.url}/simple/never-seen/`);
  assert.equal(unknown.status, 504);
  assert.match(await unknown.text(), /offline/);
  assert.equal(upstream.log.length, 0, 'offline means no upstream request at all');
});
