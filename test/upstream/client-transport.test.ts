/**
 * The client's HTTP behaviour against real servers on 127.0.0.1: retries (which, how often, Retry-After), the
 * circuit breaker, timeouts, keep-alive, and the proxy from HTTP_PROXY / NO_PROXY through a real CONNECT proxy.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import {
  UpstreamClient,
  UpstreamUnavailableError,
  type CircuitEvent,
  type RetryEvent,
  type UpstreamClientOptions,
} from '../../src/upstream/index.js';
import { startTestUpstream, type TestUpstream } from '../helpers/upstream.js';

const upstreams: TestUpstream[] = [];
const clients: UpstreamClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(upstreams.map((u) => u.close()));
});

async function setUp(clientOptions: UpstreamClientOptions = {}): Promise<{ upstream: TestUpstream; client: UpstreamClient }> {
  const upstream = await startTestUpstream({ projects: [{ name: 'demo', releases: [{ version: '1.0' }] }] });
  upstreams.push(upstream);
  const client = new UpstreamClient(
    { name: 'flaky', url: upstream.url },
    { proxy: 'none', ...clientOptions, retry: { baseDelayMs: 5, ...clientOptions.retry } },
  );
  clients.push(client);
  return { upstream, client };
}

function unavailable(pattern: RegExp, options: { timedOut?: boolean } = {}): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(e instanceof UpstreamUnavailableError, String(e));
    assert.equal(e.code, 'upstream.unavailable');
    assert.equal(e.upstream, 'flaky');
    assert.equal(e.timedOut, options.timedOut === true);
    assert.equal(e.status, options.timedOut === true ? 504 : 502);
    assert.match(e.message, pattern);
    return true;
  };
}

test('502, 503 and 504 are retried with backoff, and the request succeeds when the upstream recovers', async () => {
  const retries: RetryEvent[] = [];
  const { upstream, client } = await setUp({ retry: { attempts: 4 }, events: { onRetry: (e) => retries.push(e) } });
  upstream.fault('/simple/demo/', { kind: 'status', status: 503, times: 1 });
  upstream.fault('/simple/demo/', { kind: 'status', status: 502, times: 1 });
  upstream.fault('/simple/demo/', { kind: 'status', status: 504, times: 1 });
  const result = await client.fetchProjectPage('demo');
  assert.equal(result.status, 'ok');
  assert.equal(upstream.requests('/simple/demo/'), 4);
  assert.deepEqual(retries.map((r) => [r.attempt, r.reason.replace(/ for .*/, '')]), [
    [1, 'answered 503 Service Unavailable'],
    [2, 'answered 502 Bad Gateway'],
    [3, 'answered 504 Gateway Timeout'],
  ]);
  assert.ok(retries.every((r) => r.delayMs >= 0 && r.delayMs < 5 * 2 ** r.attempt));
});

test('attempts run out: the last status and the count are in the error; 500 is not retried', async () => {
  const { upstream, client } = await setUp({ retry: { attempts: 3 } });
  upstream.fault('/simple/demo/', { kind: 'status', status: 503 });
  await assert.rejects(client.fetchProjectPage('demo'), unavailable(/answered 503 Service Unavailable for http:\/\/127\.0\.0\.1:\d+\/simple\/demo\/; gave up after 3 attempts/));
  assert.equal(upstream.requests('/simple/demo/'), 3);
  upstream.clearFaults();
  upstream.resetCounts();
  upstream.fault('/simple/demo/', { kind: 'status', status: 500 });
  await assert.rejects(client.fetchProjectPage('demo'), unavailable(/answered 500 Internal Server Error/));
  assert.equal(upstream.requests('/simple/demo/'), 1);
});

test('429 waits for a short Retry-After and fails at once on a long one', async () => {
  const { upstream, client } = await setUp({ retry: { maxRetryAfterMs: 2000 } });
  upstream.fault('/simple/demo/', { kind: 'status', status: 429, headers: { 'retry-after': '0' }, times: 1 });
  assert.equal((await client.fetchProjectPage('demo')).status, 'ok');
  assert.equal(upstream.requests('/simple/demo/'), 2);
  upstream.resetCounts();
  upstream.fault('/simple/demo/', { kind: 'status', status: 429, headers: { 'retry-after': '3600' } });
  await assert.rejects(client.fetchProjectPage('demo'), unavailable(/answered 429 Too Many Requests .*; it asks to retry after 3600 s, longer than the 2 s we wait/));
  assert.equal(upstream.requests('/simple/demo/'), 1);
  // Being rate limited says nothing bad about the upstream's health.
  assert.equal(client.health().failures, 0);
});

test('a page whose connection drops mid-body is fetched again (nothing was handed over yet)', async () => {
  const { upstream, client } = await setUp();
  upstream.compress = false;
  upstream.fault('/simple/demo/', { kind: 'drop', afterBytes: 40, times: 1 });
  const result = await client.fetchProjectPage('demo');
  assert.equal(result.status, 'ok');
  assert.equal(upstream.requests('/simple/demo/'), 2);
});

test('no connection, no headers in time, a stalled body: 502 or 504 with the reason, after the retries', async () => {
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const refused = new UpstreamClient({ name: 'flaky', url: `http://127.0.0.1:${port}/simple/` }, { proxy: 'none', retry: { attempts: 2, baseDelayMs: 1 } });
  clients.push(refused);
  await assert.rejects(refused.fetchProjectPage('demo'), unavailable(new RegExp(`connection refused \\(GET http://127\\.0\\.0\\.1:${port}/simple/demo/\\)`)));

  // undici times headers and bodies with ~1 s resolution (its fast timers): the delays here are longer than that.
  const { upstream, client } = await setUp({ timeouts: { headersMs: 200 }, retry: { attempts: 2 } });
  upstream.fault('/simple/demo/', { kind: 'delay-headers', ms: 5000 });
  const started = Date.now();
  await assert.rejects(client.fetchProjectPage('demo'), unavailable(/no response within 200 ms/, { timedOut: true }));
  assert.ok(Date.now() - started < 4500, 'the timeout, not the slow server, ended both attempts');
  assert.equal(upstream.requests('/simple/demo/'), 2);

  const stalled = await setUp({ timeouts: { bodyIdleMs: 200 }, retry: { attempts: 1 } });
  stalled.upstream.compress = false;
  stalled.upstream.fault('/simple/demo/', { kind: 'stall-body', afterBytes: 20, ms: 4000 });
  await assert.rejects(stalled.client.fetchProjectPage('demo'), unavailable(/the response stalled for 200 ms/, { timedOut: true }));
});

test('the circuit opens after repeated failures, refuses without asking, then lets one probe through', async () => {
  const changes: CircuitEvent[] = [];
  const { upstream, client } = await setUp({ retry: { attempts: 1 }, circuit: { failureThreshold: 2, openMs: 300 }, events: { onCircuitChange: (e) => changes.push(e) } });
  upstream.fault('/simple/demo/', { kind: 'status', status: 500, times: 2 });
  for (let i = 0; i < 2; i++) await assert.rejects(client.fetchProjectPage('demo'), UpstreamUnavailableError);
  assert.equal(client.health().state, 'open');
  await assert.rejects(client.fetchProjectPage('demo'), unavailable(/not tried: its circuit is open after repeated failures \(last: answered 500 Internal Server Error .*\); next try after \d{4}-/));
  assert.equal(upstream.requests('/simple/demo/'), 2, 'an open circuit sends nothing');
  await new Promise((resolve) => setTimeout(resolve, 350));
  assert.equal((await client.fetchProjectPage('demo')).status, 'ok');
  const health = client.health();
  assert.equal(health.state, 'closed');
  assert.equal(health.name, 'flaky');
  assert.equal(health.url, upstream.url);
  assert.equal(health.failures, 2);
  assert.equal(health.rejected, 1);
  assert.deepEqual(changes.map((c) => [c.upstream, c.from, c.to]), [
    ['flaky', 'closed', 'open'],
    ['flaky', 'open', 'half-open'],
    ['flaky', 'half-open', 'closed'],
  ]);
});

test('keep-alive: sequential requests share one connection', async () => {
  const { upstream, client } = await setUp();
  upstream.resetCounts();
  for (let i = 0; i < 20; i++) await client.fetchProjectPage(i % 2 === 0 ? 'demo' : 'missing');
  assert.equal(upstream.log.length, 20);
  // One connection, or two when undici had not yet put the first back in its pool as the next request left.
  assert.ok(upstream.connections <= 2, `${upstream.connections} connections for 20 requests`);
});

/** A forward proxy that tunnels CONNECT requests, counting them; as corporate proxies do for HTTPS_PROXY. */
async function startConnectProxy(): Promise<{ url: string; tunnels: string[]; authorizations: Array<string | undefined>; close(): Promise<void> }> {
  const tunnels: string[] = [];
  const authorizations: Array<string | undefined> = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  server.on('connect', (req, client: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    authorizations.push(req.headers['proxy-authorization']);
    const [host, port] = (req.url ?? '').split(':');
    const target = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      target.write(head);
      target.pipe(client);
      client.pipe(target);
    });
    for (const s of [client, target]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    authorizations,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

test('HTTP_PROXY: requests go through the proxy (with its credentials), unless NO_PROXY names the host', async () => {
  const proxy = await startConnectProxy();
  try {
    const { upstream } = await setUp();
    const proxyUrl = proxy.url.replace('http://', 'http://corp-user:proxy-s3cret@');
    const proxied = new UpstreamClient({ name: 'flaky', url: upstream.url }, { proxy: { httpProxy: proxyUrl, httpsProxy: proxyUrl, noProxy: '' } });
    clients.push(proxied);
    assert.equal((await proxied.fetchProjectPage('demo')).status, 'ok');
    assert.deepEqual(proxy.tunnels, [new URL(upstream.url).host]);
    assert.equal(proxy.authorizations[0], 'Basic ' + Buffer.from('corp-user:proxy-s3cret').toString('base64'));

    const bypassed = new UpstreamClient({ name: 'flaky', url: upstream.url }, { proxy: { httpProxy: proxyUrl, noProxy: 'localhost,127.0.0.1' } });
    clients.push(bypassed);
    assert.equal((await bypassed.fetchProjectPage('demo')).status, 'ok');
    assert.equal(proxy.tunnels.length, 1, 'NO_PROXY bypassed the proxy');

    // The proxy's password never shows, even when the proxy is the thing that fails.
    await proxy.close();
    const failing = new UpstreamClient({ name: 'flaky', url: upstream.url }, { proxy: { httpProxy: proxyUrl, noProxy: '' }, retry: { attempts: 1 } });
    clients.push(failing);
    await assert.rejects(failing.fetchProjectPage('demo'), (e: unknown) => {
      assert.ok(e instanceof UpstreamUnavailableError);
      assert.doesNotMatch(`${e.message} ${e.stack} ${JSON.stringify(e)}`, /proxy-s3cret/);
      return true;
    });
  } finally {
    await proxy.close().catch(() => {});
  }
});

test('the proxy comes from the environment by default', async () => {
  const proxy = await startConnectProxy();
  const saved = { HTTP_PROXY: process.env['HTTP_PROXY'], NO_PROXY: process.env['NO_PROXY'], http_proxy: process.env['http_proxy'], no_proxy: process.env['no_proxy'] };
  try {
    const { upstream } = await setUp();
    delete process.env['http_proxy'];
    delete process.env['no_proxy'];
    process.env['HTTP_PROXY'] = proxy.url;
    process.env['NO_PROXY'] = 'example.invalid';
    const client = new UpstreamClient({ name: 'flaky', url: upstream.url });
    clients.push(client);
    assert.equal((await client.fetchProjectPage('demo')).status, 'ok');
    assert.equal(proxy.tunnels.length, 1);
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    await proxy.close();
  }
});
