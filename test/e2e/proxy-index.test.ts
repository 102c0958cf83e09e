/**
 * The proxy's index behaviour with several upstreams and what pages carry: first-index semantics and pinning,
 * rewritten URLs with upload times, yanks, requires-python, project status and provenance kept; PEP 658 metadata
 * proxied, or computed from the cached wheel when the upstream has none; compressed pages; redirects to foreign
 * hosts refused; dependency-confusion alerts; the admin listings; `gatehouse cache list|prune`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { runCli } from '../helpers/cli.js';
import { startTestUpstream } from '../helpers/upstream.js';
import { buildWheel, upload } from '../helpers/wheels.js';

const JSON_V1 = 'application/vnd.pypi.simple.v1+json';

interface JsonPage {
  name: string;
  versions: string[];
  files: Array<{
    filename: string;
    url: string;
    hashes: Record<string, string>;
    'upload-time'?: string;
    yanked: boolean | string;
    'requires-python'?: string;
    'core-metadata'?: boolean | Record<string, string>;
    provenance?: string;
    size: number;
  }>;
  'project-status'?: { status: string; reason?: string };
}

async function page(gw: TestGateway, project: string): Promise<{ status: number; source: string | null; body: JsonPage }> {
  const res = await fetch(`${gw.url}/simple/${project}/`, { headers: { accept: JSON_V1 } });
  return { status: res.status, source: res.headers.get('x-gatehouse-source'), body: (await res.json().catch(() => ({}))) as JsonPage };
}

test('several upstreams: the first that has a project serves all of it; a pinned project comes from its upstream', async (t) => {
  const first = await startTestUpstream({ projects: [{ name: 'shared', releases: [{ version: '1.0' }] }, { name: 'only-first', releases: [{ version: '1.0' }] }] });
  const second = await startTestUpstream({
    projects: [
      { name: 'shared', releases: [{ version: '1.0' }, { version: '2.0' }] },
      { name: 'only-second', releases: [{ version: '3.0' }] },
      { name: 'pinned', releases: [{ version: '5.0' }] },
    ],
  });
  first.addProject({ name: 'pinned', releases: [{ version: '9.9' }] });
  t.after(() => Promise.all([first.close(), second.close()]));
  const gw = await startGateway({
    listen: true,
    config: {
      upstreams: [
        { name: 'first', url: first.url },
        { name: 'second', url: second.url },
      ],
      index: { reserved: [], pinned: { pinned: 'second' } },
    },
  });
  t.after(() => gw.close());

  const shared = await page(gw, 'shared');
  assert.equal(shared.source, 'first');
  assert.deepEqual(shared.body.versions, ['1.0'], 'versions are never mixed across sources');
  assert.equal((await page(gw, 'only-second')).source, 'second');
  assert.equal((await page(gw, 'only-first')).source, 'first');
  const pinned = await page(gw, 'pinned');
  assert.equal(pinned.source, 'second');
  assert.deepEqual(pinned.body.versions, ['5.0']);
  assert.equal(first.requests('/simple/pinned/'), 0, 'a pinned project is asked of its upstream only');
  const missing = await fetch(`${gw.url}/simple/nowhere/`);
  assert.equal(missing.status, 404);
  assert.match(await missing.text(), /no project named 'nowhere' is hosted here or on 'first', 'second'/);

  // The first upstream failing does not let the second answer for it: 502 naming the first.
  first.fault('/simple/only-second-too/', { kind: 'status', status: 500 });
  second.addProject({ name: 'only-second-too', releases: [{ version: '1.0' }] });
  const failed = await fetch(`${gw.url}/simple/only-second-too/`);
  assert.equal(failed.status, 502);
  assert.match(await failed.text(), /upstream "first"/);
});

test('pages keep what the upstream says, point every file at the gateway, and are compressed on request', async (t) => {
  const upstream = await startTestUpstream({
    format: 'html',
    projects: [
      {
        name: 'Rich_Page',
        status: { status: 'deprecated', reason: 'use rich-page-2' },
        releases: [{ version: '1.0', yanked: 'broken build', requiresPython: '>=3.8' }, { version: '1.1', requiresPython: '>=3.9' }],
      },
    ],
  });
  t.after(() => upstream.close());
  const gw = await startGateway({ listen: true, config: { upstreams: [{ name: 'html-upstream', url: upstream.url }] } });
  t.after(() => gw.close());

  const { body } = await page(gw, 'rich-page');
  assert.equal(body['project-status']?.status, 'deprecated');
  assert.equal(body['project-status']?.reason, 'use rich-page-2');
  assert.equal(body.files.length, 4);
  for (const f of body.files) {
    const listed = upstream.file(f.filename);
    assert.equal(f.url, `../../files/${listed.sha256}/${f.filename}`);
    assert.equal(f.hashes['sha256'], listed.sha256);
    // An HTML page has no upload time: it comes from the upstream's JSON API (PEP 700), which cooldowns need.
    assert.equal(f['upload-time'], listed.uploadTime);
    assert.equal(f.provenance, `${f.url}.provenance`);
  }
  const yanked = body.files.filter((f) => f.yanked !== false);
  assert.deepEqual(yanked.map((f) => [f.yanked, f['requires-python']]), [['broken build', '>=3.8'], ['broken build', '>=3.8']]);

  const gz = await fetch(`${gw.url}/simple/rich-page/`, { headers: { accept: JSON_V1, 'accept-encoding': 'gzip' } });
  assert.equal(((await gz.json()) as JsonPage).name, 'Rich_Page');
  const raw = await new Promise<{ headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    import('node:http').then(({ get }) =>
      get(`${gw.url}/simple/rich-page/`, { headers: { accept: JSON_V1, 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
      }).on('error', reject),
    );
  });
  assert.equal(raw.headers['content-encoding'], 'gzip');
  assert.equal((JSON.parse(gunzipSync(raw.body).toString()) as JsonPage).name, 'Rich_Page');

  // Provenance is proxied and kept.
  const provenance = await fetch(new URL(body.files[0]!.provenance!, `${gw.url}/simple/rich-page/`));
  assert.equal(provenance.status, 200);
  assert.deepEqual(await provenance.json(), { version: 1, attestation_bundles: [] });
});

test('PEP 658 metadata: proxied when the upstream has it, computed from the cached wheel when it does not', async (t) => {
  const withMetadata = await startTestUpstream({ projects: [{ name: 'has-meta', releases: [{ version: '1.0', dependencies: ['idna'] }] }] });
  const without = await startTestUpstream({ coreMetadata: false, projects: [{ name: 'no-meta', releases: [{ version: '1.0', dependencies: ['certifi'] }] }] });
  t.after(() => Promise.all([withMetadata.close(), without.close()]));
  const gw = await startGateway({ listen: true, config: { upstreams: [{ name: 'a', url: withMetadata.url }, { name: 'b', url: without.url }] } });
  t.after(() => gw.close());

  const hasMeta = (await page(gw, 'has-meta')).body.files.find((f) => f.filename.endsWith('.whl'))!;
  assert.ok(hasMeta['core-metadata'] && hasMeta['core-metadata'] !== true);
  const md = await fetch(new URL(`${hasMeta.url}.metadata`, `${gw.url}/simple/has-meta/`));
  const mdBytes = Buffer.from(await md.arrayBuffer());
  assert.equal(createHash('sha256').update(mdBytes).digest('hex'), (hasMeta['core-metadata'] as Record<string, string>)['sha256']);
  assert.match(mdBytes.toString(), /Requires-Dist: idna/);

  const before = (await page(gw, 'no-meta')).body.files.find((f) => f.filename.endsWith('.whl'))!;
  assert.equal(before['core-metadata'], undefined, 'the upstream offers none, and nothing is cached yet');
  const wheelUrl = new URL(before.url, `${gw.url}/simple/no-meta/`);
  assert.equal((await fetch(wheelUrl)).status, 200);
  // The download is committed to the cache just after its last byte is sent.
  for (let i = 0; i < 50 && (await gw.storage.cachedFiles.list()).length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  const computed = await fetch(`${wheelUrl.href}.metadata`);
  assert.equal(computed.status, 200);
  const computedBytes = Buffer.from(await computed.arrayBuffer());
  assert.match(computedBytes.toString(), /Requires-Dist: certifi/);
  const after = (await page(gw, 'no-meta')).body.files.find((f) => f.filename.endsWith('.whl'))!;
  assert.deepEqual(after['core-metadata'], { sha256: createHash('sha256').update(computedBytes).digest('hex') }, 'the next page lists it');
});

test('a file link or redirect to a host that is not the upstream’s is refused', async (t) => {
  const upstream = await startTestUpstream({ projects: [{ name: 'redirected', releases: [{ version: '1.0' }] }] });
  const foreign = await startTestUpstream({ projects: [{ name: 'redirected', releases: [{ version: '1.0' }] }] });
  t.after(() => Promise.all([upstream.close(), foreign.close()]));
  const gw = await startGateway({ listen: true, config: { upstreams: [{ name: 'origin', url: upstream.url }] } });
  t.after(() => gw.close());
  const wheel = (await page(gw, 'redirected')).body.files.find((f) => f.filename.endsWith('.whl'))!;
  upstream.fault(`/files/${wheel.filename}`, { kind: 'redirect', location: foreign.fileUrl(wheel.filename) });
  const res = await fetch(new URL(wheel.url, `${gw.url}/simple/redirected/`));
  assert.equal(res.status, 502);
  assert.match(await res.text(), /upstream "origin": .*neither the index's host nor an allowed file host/);
  assert.equal(foreign.requests(`/files/${wheel.filename}`), 0);
});

test('dependency confusion: an upstream with a hosted or reserved name is recorded, logged and listed, never asked', async (t) => {
  const upstream = await startTestUpstream({
    projects: [
      { name: 'acme-tools', releases: [{ version: '99.0' }] },
      { name: 'acme-secret', releases: [{ version: '1.0' }] },
      { name: 'public-lib', releases: [{ version: '1.0' }] },
    ],
  });
  t.after(() => upstream.close());
  const gw = await startGateway({ listen: true, config: { upstreams: [{ name: 'pypi-like', url: upstream.url }], index: { reserved: ['acme-secret'], pinned: {} } } });
  t.after(() => gw.close());
  const admin = await gw.token({ scope: 'admin' });
  // acme-tools was proxied before the company published its own.
  assert.equal((await page(gw, 'acme-tools')).source, 'pypi-like');
  assert.equal((await upload(gw.url, await gw.token(), buildWheel('acme-tools', '1.0'), { name: 'acme-tools', version: '1.0' })).status, 200);
  assert.equal((await page(gw, 'acme-tools')).source, 'hosted');
  await new Promise((r) => setTimeout(r, 100));
  // The scan reads the upstream's project list, not the names themselves.
  upstream.resetCounts();
  const results = await gw.app.services.gateway.confusion.scan();
  assert.deepEqual(results, [{ upstream: 'pypi-like', listed: 3, alerts: 2 }]);
  assert.equal(upstream.requests('/simple/acme-secret/'), 0);
  assert.equal(upstream.requests('/simple/acme-tools/'), 0);
  const alerts = (await (await fetch(`${gw.url}/admin/api/alerts`, { headers: { authorization: `Bearer ${admin}` } })).json()) as {
    alerts: Array<{ project: string; upstream: string; kind: string; count: number }>;
  };
  assert.deepEqual(alerts.alerts.map((a) => [a.project, a.kind, a.count]), [['acme-tools', 'hosted', 2], ['acme-secret', 'reserved', 1]]);
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  assert.match(metrics, /gatehouse_dependency_confusion_alerts_total\{kind="hosted"\} 1/);
  assert.match(metrics, /gatehouse_dependency_confusion_alerts_total\{kind="reserved"\} 1/);
  const upstreams = (await (await fetch(`${gw.url}/admin/api/upstreams`, { headers: { authorization: `Bearer ${admin}` } })).json()) as {
    upstreams: Array<{ name: string; state: string; cachedPages: { found: number } }>;
  };
  assert.deepEqual(upstreams.upstreams.map((u) => [u.name, u.state, u.cachedPages.found]), [['pypi-like', 'closed', 1]]);
  assert.equal((await fetch(`${gw.url}/admin/api/upstreams`)).status, 401);
});

test('gatehouse cache list and prune: least recently requested first, hosted files never', async (t) => {
  const upstream = await startTestUpstream({ projects: [{ name: 'old', releases: [{ version: '1.0' }] }, { name: 'recent', releases: [{ version: '1.0' }] }] });
  t.after(() => upstream.close());
  const gw = await startGateway({ listen: true, config: { upstreams: [{ name: 'up', url: upstream.url }] } });
  t.after(() => gw.close());
  assert.equal((await upload(gw.url, await gw.token(), buildWheel('hosted-one', '1.0'), { name: 'hosted-one', version: '1.0' })).status, 200);
  for (const project of ['old', 'recent']) {
    const wheel = (await page(gw, project)).body.files.find((f) => f.filename.endsWith('.whl'))!;
    assert.equal((await fetch(new URL(wheel.url, `${gw.url}/simple/${project}/`))).status, 200);
  }
  await new Promise((r) => setTimeout(r, 200));
  await gw.storage.database.db.updateTable('cached_file').set({ last_requested_at: '2026-01-01T00:00:00.000Z' }).where('project', '=', 'old').execute();
  const data = ['--data', gw.dataDir];
  const list = await runCli(['cache', 'list', ...data]);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^UPSTREAM\s+PROJECT\s+FILE\s+SIZE\s+FETCHED\s+LAST REQUESTED\nup\s+old\s+old-1\.0-py3-none-any\.whl .*\nup\s+recent\s+recent-1\.0-py3-none-any\.whl .*\n2 file\(s\), /);
  const dry = await runCli(['cache', 'prune', '--older-than', '30d', '--dry-run', ...data]);
  assert.match(dry.stdout, /would remove up\/old-1\.0-py3-none-any\.whl .*\nwould remove 1 file\(s\)/);
  const oldSha = (await gw.storage.database.db.selectFrom('cached_file').select('sha256').where('project', '=', 'old').executeTakeFirstOrThrow()).sha256;
  const pruned = await runCli(['cache', 'prune', '--older-than', '30d', ...data]);
  assert.equal(pruned.code, 0, pruned.stderr);
  assert.match(pruned.stdout, /removed 1 file\(s\), .*; kept 1 file\(s\)/);
  assert.equal(await gw.storage.blobs.has(oldSha), false, 'the bytes are gone too');
  const none = await runCli(['cache', 'prune', ...data]);
  assert.notEqual(none.code, 0);
  assert.match(none.stderr, /--older-than DURATION and\/or --max-size SIZE/);
  const bad = await runCli(['cache', 'prune', '--max-size', 'lots', ...data]);
  assert.match(bad.stderr, /--max-size takes a size such as 10GiB/);
  const all = await runCli(['cache', 'prune', '--max-size', '0', ...data]);
  assert.match(all.stdout, /removed 1 file\(s\)/);
  assert.equal((await gw.storage.hosted.files((await gw.storage.hosted.project('hosted-one'))!.id)).length, 1, 'hosted files stay');
  assert.equal((await page(gw, 'old')).status, 200, 'a pruned file’s page still lists it, to be fetched again');
});
