/**
 * The warm path (`cached` on the sources and the index, `cachedPage` on the gates) serves a busy page without an
 * await. Its contract: it answers exactly what the full path answers, or nothing, and it answers nothing whenever
 * a source or the gate would have to look (a page past its TTL, a serial due for a check, a hosted change, a new
 * decision, a file that gained its metadata). A warm path that answered where the full path would look would serve
 * a stale page for as long as the page stays busy.
 */
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';
import { ReservedNameError, UnknownProjectError } from '../../src/index/errors.js';
import { SERIAL_CHECK_MS } from '../../src/index/hosted-source.js';
import type { SourcedPage } from '../../src/index/project-source.js';
import { startGateway } from '../helpers/gateway.js';
import { startTestUpstream } from '../helpers/upstream.js';
import { buildWheel, upload } from '../helpers/wheels.js';

const PAGE_TTL = 600;
const NEGATIVE_TTL = 120;

/** What a client is served of a sourced page (the parts the full path and the warm path must agree on). */
function served(page: SourcedPage) {
  return { source: page.source, project: page.project, page: page.page, files: [...page.files.entries()], revision: page.revision, cacheStatus: page.cacheStatus };
}

test('the warm path answers what the full path answers, and steps aside whenever a source or the gate must look', async (t) => {
  const upstream = await startTestUpstream({ projects: [{ name: 'alpha', releases: [{ version: '1.0' }, { version: '2.0' }] }] });
  t.after(() => upstream.close());
  const gw = await startGateway({
    listen: true,
    config: {
      upstreams: [{ name: 'up', url: upstream.url }],
      index: { reserved: ['acme-*'], pinned: {} },
      proxy: { pageTtl: PAGE_TTL, negativeTtl: NEGATIVE_TTL, offline: false },
    },
  });
  t.after(() => gw.close());
  const { index } = gw.app.services.gateway;
  const gate = gw.app.services.gateway.gate;
  const [source] = index.upstreams;

  // Nothing is known before the first request: the full path fetches.
  assert.equal(index.cached('alpha'), undefined);
  const first = await index.project('alpha');
  assert.equal(first.cacheStatus, 'MISS');
  assert.equal(upstream.requests('/simple/alpha/'), 1);

  // Then the warm path answers, the same as the full path, without asking the upstream again.
  const now = Date.now();
  const warm = index.cached('alpha', now);
  assert.ok(warm, 'a fresh page in memory is answered from memory');
  assert.equal(warm.cacheStatus, 'HIT');
  assert.deepEqual(served(warm), served(await index.project('alpha')));
  assert.equal(upstream.requests('/simple/alpha/'), 1);

  // It steps aside when the page is due for revalidation, and when "not hosted" is due for a check.
  assert.equal(index.cached('alpha', now + PAGE_TTL * 1000 + 1), undefined, 'a page past its TTL is revalidated by the full path');
  assert.equal(index.hosted.cached('alpha', now + SERIAL_CHECK_MS), undefined, '"not hosted" is checked again every SERIAL_CHECK_MS');
  // And when a cached file of the project gained its METADATA, so that the page lists it (PEP 658).
  source!.companionsChanged('alpha');
  assert.equal(index.cached('alpha'), undefined, 'a page whose companions changed is built again');
  await index.project('alpha');
  assert.ok(index.cached('alpha'));

  // A project no source has: each source says so from memory, and the full path words the 404.
  await assert.rejects(index.project('nowhere'), UnknownProjectError);
  assert.deepEqual(source!.cached('nowhere', Date.now()), { found: false });
  assert.equal(index.cached('nowhere'), undefined, 'the full path says where the project was looked for');
  assert.equal(source!.cached('nowhere', Date.now() + NEGATIVE_TTL * 1000 + 1), undefined, '"no such project" is asked again after its TTL');

  // A reserved name is refused on the warm path as on the full one, and never looked up.
  await index.project('alpha'); // the hosted index has "not hosted" fresh for acme-tools only after a lookup:
  await assert.rejects(index.project('acme-tools'), ReservedNameError);
  assert.throws(() => index.cached('acme-tools'), ReservedNameError);
  assert.equal(upstream.requests('/simple/acme-tools/'), 0);

  // A hosted project: answered from memory once built, and built again at once after a change made here.
  const token = await gw.token();
  assert.equal((await upload(gw.url, token, buildWheel('gamma', '1.0'), { name: 'gamma', version: '1.0' })).status, 200);
  const hosted = await index.project('gamma');
  assert.equal(hosted.source, 'hosted');
  assert.deepEqual(served(index.cached('gamma')!), served(hosted));
  assert.equal((await upload(gw.url, token, buildWheel('gamma', '2.0'), { name: 'gamma', version: '2.0' })).status, 200);
  assert.equal(index.cached('gamma'), undefined, 'an upload drops the hosted page at once');
  assert.equal((await index.project('gamma')).page.files.length, 2);

  // The gate: nothing before the policy has built the page, then the same page the full path gives.
  const sourced = await index.project('alpha');
  const policyGate = gw.app.services.policy.gate;
  policyGate.changed('alpha');
  assert.equal(gate.cachedPage(sourced), undefined, 'a decision changed: the policy builds the page again');
  const gated = await gate.page(sourced);
  const warmGated = gate.cachedPage(sourced);
  assert.ok(warmGated);
  assert.deepEqual(served(warmGated), served(gated));
  assert.deepEqual(served(warmGated), served(await gate.page(sourced)));
  policyGate.changed('alpha');
  assert.equal(gate.cachedPage(sourced), undefined);
});

test('over HTTP, a page served from memory is the page the full path served', async (t) => {
  const upstream = await startTestUpstream({ projects: [{ name: 'alpha', releases: [{ version: '1.0' }] }] });
  t.after(() => upstream.close());
  const gw = await startGateway({ listen: true, config: { upstreams: [{ name: 'up', url: upstream.url }] } });
  t.after(() => gw.close());
  const get = async (accept: string) => {
    const res = await fetch(`${gw.url}/simple/alpha/`, { headers: { accept } });
    return { status: res.status, cache: res.headers.get('x-cache-status'), etag: res.headers.get('etag'), type: res.headers.get('content-type'), body: await res.text() };
  };
  const json = 'application/vnd.pypi.simple.v1+json';
  const cold = await get(json);
  assert.equal(cold.cache, 'MISS');
  assert.ok(gw.app.services.gateway.index.cached('alpha'), 'the page is now in memory');
  const warm = await get(json);
  assert.deepEqual({ ...warm, cache: null }, { ...cold, cache: null });
  assert.equal(warm.cache, 'HIT');
  // Each Accept is negotiated on its own, remembered or not.
  assert.match((await get('text/html')).type!, /^text\/html/);
  assert.match((await get(json)).type!, /json/);
  assert.equal((await get('image/png')).status, 406);
  assert.equal(upstream.requests('/simple/alpha/'), 1);
});

// With the second upstream's page always due for revalidation (TTL 0), the warm path walks as far as the first
// upstream's remembered "not found" and then steps aside: that answer must not be counted before the full path
// counts it again.
for (const pageTtl of [600, 0]) {
  test(`pages are counted once per request by each upstream asked, from memory or not (page TTL ${pageTtl} s)`, async (t) => {
    const first = await startTestUpstream({ projects: [{ name: 'other', releases: [{ version: '1.0' }] }] });
    const second = await startTestUpstream({ projects: [{ name: 'beta', releases: [{ version: '1.0' }] }] });
    t.after(() => Promise.all([first.close(), second.close()]));
    const gw = await startGateway({
      listen: true,
      config: {
        upstreams: [
          { name: 'first', url: first.url },
          { name: 'second', url: second.url },
        ],
        proxy: { pageTtl, negativeTtl: 600, offline: false },
      },
    });
    t.after(() => gw.close());
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${gw.url}/simple/beta/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } });
      assert.equal(res.headers.get('x-gatehouse-source'), 'second');
      await res.arrayBuffer();
    }
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    const count = (upstream: string, status: string) => Number(new RegExp(`gatehouse_proxy_pages_total\\{upstream="${upstream}",status="${status}"\\} (\\d+)`).exec(metrics)?.[1] ?? 0);
    const counted = ['NEGATIVE', 'MISS', 'HIT', 'REVALIDATED'].flatMap((status) => ['first', 'second'].map((u) => [`${u} ${status}`, count(u, status)] as const)).filter(([, n]) => n > 0);
    assert.deepEqual(Object.fromEntries(counted), pageTtl > 0 ? { 'first NEGATIVE': 5, 'second MISS': 1, 'second HIT': 4 } : { 'first NEGATIVE': 5, 'second MISS': 1, 'second REVALIDATED': 4 });
    assert.equal(first.requests('/simple/beta/'), 1, '"not found" is remembered');
    assert.match(metrics, /gatehouse_simple_pages_total\{format="json"\} 5\n/);
    assert.match(metrics, /gatehouse_http_requests_total\{method="GET",route="\/simple\/:project\/",status="200"\} 5\n/);
  });
}

test('pages asked for while the decisions serial is read wait for that one read', async (t) => {
  const upstream = await startTestUpstream({ projects: [{ name: 'alpha', releases: [{ version: '1.0' }] }] });
  t.after(() => upstream.close());
  const gw = await startGateway({ config: { upstreams: [{ name: 'up', url: upstream.url }] } });
  t.after(() => gw.close());
  const { judge, gate } = gw.app.services.policy;
  const sourced = await gw.app.services.gateway.index.project('alpha');
  await gate.page(sourced);
  let reads = 0;
  const read = judge.decisionsSerial.bind(judge);
  judge.decisionsSerial = async () => {
    reads++;
    return read();
  };
  await sleep(SERIAL_CHECK_MS + 50);
  assert.equal(gate.cachedPage(sourced), undefined, 'the serial is due: the warm path steps aside');
  const pages = await Promise.all(Array.from({ length: 50 }, () => gate.page(sourced)));
  assert.equal(reads, 1);
  assert.ok(pages.every((p) => p.revision === pages[0]!.revision));
  assert.ok(gate.cachedPage(sourced), 'and then the page is answered from memory again');
});
