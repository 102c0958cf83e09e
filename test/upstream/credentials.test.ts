/**
 * Upstream credentials never leave the Authorization header: not in errors (message, stack, JSON, inspection,
 * causes), events, health, page issues, nor in the URLs the client reports; and the header goes to the index's
 * own origin only. Every failure path of the client is driven with secrets in the URL, in basic credentials and in
 * a token, and everything it produced is searched for them.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { Redactor, Upstream, UpstreamClient, UpstreamConfigError, type UpstreamClientOptions, type UpstreamDefinition } from '../../src/upstream/index.js';
import { startTestUpstream, type TestUpstream } from '../helpers/upstream.js';

const PASSWORD = 'pa55-W0rd/with:odd@chars';
const TOKEN = 'tok_9f8e7d6c5b4a39281706';
const USER = 'svc-reader';
const PASSWORD_FORMS = [PASSWORD, encodeURIComponent(PASSWORD), Buffer.from(`${USER}:${PASSWORD}`).toString('base64')];
const TOKEN_FORMS = [TOKEN, Buffer.from(`__token__:${TOKEN}`).toString('base64')];
const SECRETS = [...PASSWORD_FORMS, ...TOKEN_FORMS];

function assertClean(label: string, text: string, secrets: string[] = SECRETS): void {
  for (const secret of secrets) assert.ok(!text.includes(secret), `${label} shows a secret (${secret.slice(0, 4)}…): ${text.slice(0, 400)}`);
}

/** Everything an error can show: message, stack, own properties, inspection, its causes. */
function everything(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    parts.push(String(e), inspect(e, { depth: 5, showHidden: true }), JSON.stringify(e) ?? '');
    if (e instanceof Error) parts.push(e.stack ?? '');
  }
  return parts.join('\n');
}

test('the redactor masks secrets in every form, any URL userinfo, and query strings', () => {
  const redactor = new Redactor([PASSWORD, TOKEN]);
  const text = [
    `password ${PASSWORD}`,
    `encoded ${encodeURIComponent(PASSWORD)}`,
    `basic ${Buffer.from(PASSWORD).toString('base64')}`,
    `https://someone:unknown-pass@host.example/simple/x/`,
    `"http://u:p@127.0.0.1:9/x"`,
    `https://files.example/a.whl?X-Amz-Signature=abc&token=${TOKEN}#sha256=00`,
    `Bearer ${TOKEN}`,
  ].join('\n');
  const out = redactor.text(text);
  assertClean('redacted text', out);
  assert.doesNotMatch(out, /unknown-pass|u:p@|X-Amz-Signature/);
  assert.match(out, /https:\/\/\*\*\*@host\.example\/simple\/x\//);
  assert.match(out, /https:\/\/files\.example\/a\.whl\?\*\*\*#sha256=00/);
  assert.equal(redactor.url('https://a:b@host.example/simple/?q=1#f'), 'https://host.example/simple/?***#f');
  // An error from anywhere (undici's embed URLs) becomes one clean line with its code.
  const undiciLike = Object.assign(new Error(`connect to https://${USER}:${encodeURIComponent(PASSWORD)}@idx.example/ failed`), { code: 'UND_ERR_SOCKET' });
  assert.equal(redactor.error(undiciLike), 'connect to https://***@idx.example/ failed (UND_ERR_SOCKET)');
  assert.ok(!inspect(redactor).includes(TOKEN), 'printing the redactor shows no secret');
});

test('the redactor reads a long text in linear time (a quadratic scan would take hours here)', { timeout: 10_000 }, () => {
  const redactor = new Redactor([TOKEN]);
  const long = 'a'.repeat(2_000_000) + ` https://u:${TOKEN}@h.example/?q=1 ` + 'b'.repeat(2_000_000);
  const out = redactor.text(long);
  assert.equal(out.length, long.length - ` https://u:${TOKEN}@h.example/?q=1 `.length + ' https://***@h.example/?*** '.length);
});

test('an upstream definition keeps its secrets out of its URL, its printed form and its configuration errors', () => {
  const fromUrl = new Upstream({ name: 'corp', url: `https://${USER}:${encodeURIComponent(PASSWORD)}@idx.example/simple` });
  assert.equal(fromUrl.indexUrl.href, 'https://idx.example/simple/');
  assert.equal(fromUrl.authorizationFor(new URL('https://idx.example/simple/x/')), 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64'));
  assert.equal(fromUrl.authorizationFor(new URL('https://files.example/x.whl')), null, 'never to another origin');
  assert.equal(fromUrl.authorizationFor(new URL('http://idx.example/simple/x/')), null, 'never over another scheme');
  assertClean('inspect', inspect(fromUrl, { depth: 10, showHidden: true }));
  assertClean('JSON', JSON.stringify(fromUrl));
  assert.deepEqual(JSON.parse(JSON.stringify(fromUrl)), { name: 'corp', url: 'https://idx.example/simple/' });

  const token = new Upstream({ name: 'corp', url: 'https://idx.example/simple/', credentials: { tokenEnv: 'CORP_TOKEN' } }, { CORP_TOKEN: TOKEN });
  assert.equal(token.authorizationFor(new URL('https://idx.example/simple/')), `Bearer ${TOKEN}`);
  const tokenAsPassword = new Upstream({ name: 'corp', url: 'https://idx.example/simple/', credentials: { tokenEnv: 'T', username: '__token__' } }, { T: TOKEN });
  assert.equal(tokenAsPassword.authorizationFor(new URL('https://idx.example/simple/')), 'Basic ' + Buffer.from(`__token__:${TOKEN}`).toString('base64'));
  assertClean('inspect', inspect(tokenAsPassword, { depth: 10, showHidden: true }));

  const refusals: Array<[UpstreamDefinition, NodeJS.ProcessEnv, RegExp]> = [
    [{ name: 'corp', url: 'https://idx.example/simple/', credentials: { tokenEnv: 'MISSING_TOKEN' } }, {}, /the token variable MISSING_TOKEN is not set/],
    [{ name: 'corp', url: `https://u:${PASSWORD}@[bad/simple/` }, {}, /the index URL is not a valid URL/],
    [{ name: 'corp', url: `ftp://u:${encodeURIComponent(PASSWORD)}@idx.example/` }, {}, /must be http or https, not ftp:/],
    [{ name: 'corp', url: `https://u:${encodeURIComponent(PASSWORD)}@idx.example/`, credentials: { username: 'u', password: PASSWORD } }, {}, /credentials are given both in the URL and separately/],
    [{ name: 'corp', url: `https://u:${encodeURIComponent(PASSWORD)}@idx.example/`, allowedFileHosts: [`x:${PASSWORD}@h`] }, {}, /is not a host name/],
    [{ name: 'bad name!', url: 'https://idx.example/' }, {}, /the name must be/],
    [{ name: 'corp', url: 'https://idx.example/', jsonApiUrl: `https://u:${encodeURIComponent(PASSWORD)}@idx.example/pypi/` }, {}, /must not carry credentials/],
  ];
  for (const [definition, env, message] of refusals) {
    assert.throws(
      () => new Upstream(definition, env),
      (e: unknown) => {
        assert.ok(e instanceof UpstreamConfigError, String(e));
        assert.match(e.message, message);
        assertClean(String(message), everything(e));
        return true;
      },
    );
  }
});

const upstreams: TestUpstream[] = [];
const clients: UpstreamClient[] = [];
after(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(upstreams.map((u) => u.close()));
});

test('every failure path of the client, with credentials three ways: no secret in errors, events, issues or health', async () => {
  const upstream = await startTestUpstream({ projects: [{ name: 'demo', releases: [{ version: '1.0' }] }] });
  const foreign = await startTestUpstream({ projects: [{ name: 'demo', releases: [{ version: '1.0' }] }] });
  upstreams.push(upstream, foreign);
  const closedPort = await new Promise<number>((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
  /** What each upstream produced, checked against its own secrets (a token is only a secret to the upstream it belongs to). */
  let produced: string[] = [];
  let errors: unknown[] = [];
  const runs: Array<{ secrets: string[]; produced: string[]; errors: unknown[] }> = [];
  const options: UpstreamClientOptions = {
    proxy: 'none',
    retry: { attempts: 2, baseDelayMs: 1 },
    // The circuit stays closed for the paths below; the unreachable upstream opens its own.
    circuit: { failureThreshold: 100, openMs: 60_000 },
    events: {
      onRequest: (e) => produced.push(JSON.stringify(e)),
      onRetry: (e) => produced.push(JSON.stringify(e)),
      onCircuitChange: (e) => produced.push(JSON.stringify(e)),
      onPageIssue: (e) => produced.push(JSON.stringify(e)),
      onBytes: (e) => produced.push(JSON.stringify(e)),
    },
  };
  const origin = new URL(upstream.url);
  const definitions: Array<[UpstreamDefinition, string[]]> = [
    [{ name: 'in-url', url: `http://${USER}:${encodeURIComponent(PASSWORD)}@${origin.host}/simple/` }, PASSWORD_FORMS],
    [{ name: 'basic', url: upstream.url, credentials: { username: USER, password: PASSWORD } }, PASSWORD_FORMS],
    [{ name: 'token', url: upstream.url, credentials: { tokenEnv: 'GATEHOUSE_TEST_TOKEN', username: '__token__' } }, TOKEN_FORMS],
  ];
  process.env['GATEHOUSE_TEST_TOKEN'] = TOKEN;
  const expectFailure = async (run: () => Promise<unknown>): Promise<void> => {
    try {
      const result = await run();
      produced.push(JSON.stringify(result) ?? '');
    } catch (error) {
      errors.push(error);
    }
  };
  const drain = async (run: () => Promise<{ body: AsyncIterable<unknown> }>): Promise<void> => {
    await expectFailure(async () => {
      const file = await run();
      for await (const chunk of file.body) void chunk;
    });
  };
  try {
    for (const [definition, secrets] of definitions) {
      produced = [];
      errors = [];
      runs.push({ secrets, produced, errors });
      const client = new UpstreamClient(definition, options);
      clients.push(client);
      const wheel = upstream.filesOf('demo').find((f) => f.filename.endsWith('.whl'));
      assert.ok(wheel !== undefined);
      const listed = { filename: wheel.filename, url: upstream.fileUrl(wheel.filename), hashes: { sha256: wheel.sha256 }, size: wheel.bytes.length };
      upstream.clearFaults();
      upstream.resetCounts();

      // The header reaches the index, and only the index.
      assert.equal((await client.fetchProjectPage('demo')).status, 'ok');
      assert.match(String(upstream.log[0]?.headers.authorization), /^Basic /);

      const faults: Array<[string, Parameters<TestUpstream['fault']>[1]]> = [
        ['/simple/p401/', { kind: 'status', status: 401 }],
        ['/simple/p500/', { kind: 'status', status: 500 }],
        ['/simple/p503/', { kind: 'status', status: 503 }],
        ['/simple/ptype/', { kind: 'body', body: `secret ${PASSWORD}`, contentType: 'text/plain' }],
        ['/simple/pjson/', { kind: 'body', body: `{"meta": ${TOKEN}`, contentType: 'application/vnd.pypi.simple.v1+json' }],
        [
          '/simple/plinks/',
          {
            kind: 'body',
            contentType: 'text/html',
            body: `<a href="javascript:${PASSWORD}">x</a><a href="https://${USER}:${PASSWORD}@h.example/..%2F${TOKEN}">y</a><a href="f-1.0.tar.gz#sha256=${TOKEN}">z</a><a href="https://h.example/a-1.0.tar.gz?token=${TOKEN}#md5=${TOKEN}">w</a>`,
          },
        ],
        ['/simple/predirect/', { kind: 'redirect', location: `http://${USER}:${encodeURIComponent(PASSWORD)}@${new URL(foreign.url).host}/simple/demo/?token=${TOKEN}` }],
        ['/simple/pinner/', { kind: 'redirect', location: `/simple/demo/?token=${TOKEN}` }],
        ['/simple/pstall/', { kind: 'delay-headers', ms: 10 }],
      ];
      for (const [path, fault] of faults) upstream.fault(path, fault);
      for (const [path] of faults) await expectFailure(() => client.fetchProjectPage(path.split('/')[2] as string));

      upstream.fault(`/files/${wheel.filename}`, { kind: 'wrong-bytes', times: 1 });
      await drain(() => client.fetchFile(listed));
      upstream.fault(`/files/${wheel.filename}`, { kind: 'drop', afterBytes: 10, times: 1 });
      await drain(() => client.fetchFile(listed));
      upstream.fault(`/files/${wheel.filename}`, { kind: 'redirect', location: `https://${USER}:${encodeURIComponent(PASSWORD)}@elsewhere.example/x?sig=${TOKEN}`, times: 1 });
      await drain(() => client.fetchFile(listed));
      await drain(() => client.fetchFile({ ...listed, url: `http://${USER}:${PASSWORD}@elsewhere.example/${TOKEN}.whl` }));
      await drain(() => client.fetchFile({ ...listed, url: `${upstream.origin}/files/missing-${TOKEN}.whl` }));
      await drain(() => client.fetchFile({ ...listed, hashes: { [TOKEN]: 'ab' } }));

      // A file fetched from another host gets no credentials.
      const files = new UpstreamClient({ ...definition, allowedFileHosts: [new URL(foreign.url).host] }, options);
      clients.push(files);
      foreign.resetCounts();
      await drain(() => files.fetchFile({ ...listed, url: foreign.fileUrl(wheel.filename) }));
      assert.equal(foreign.log.length, 1);
      assert.equal(foreign.log[0]?.headers.authorization, undefined, 'no credentials to a file host');

      produced.push(JSON.stringify(client.health()), inspect(client, { depth: 4 }));
      await client.close();
    }

    // The upstream unreachable: connection refused, then the circuit open.
    produced = [];
    errors = [];
    runs.push({ secrets: PASSWORD_FORMS, produced, errors });
    const unreachable = new UpstreamClient(
      { name: 'down', url: `http://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:${closedPort}/simple/` },
      { ...options, circuit: { failureThreshold: 2, openMs: 60_000 } },
    );
    clients.push(unreachable);
    for (let i = 0; i < 3; i++) await expectFailure(() => unreachable.fetchProjectPage('demo'));
    produced.push(JSON.stringify(unreachable.health()));
  } finally {
    delete process.env['GATEHOUSE_TEST_TOKEN'];
  }
  for (const run of runs) {
    for (const error of run.errors) assertClean(`error ${String(error).slice(0, 80)}`, everything(error), run.secrets);
    for (const text of run.produced) assertClean('event, result or health', text, run.secrets);
  }
  const allErrors = runs.flatMap((r) => r.errors);
  assert.ok(allErrors.length >= 39, `only ${allErrors.length} failures were produced`);
  // The failures were the ones meant.
  assert.ok(allErrors.some((e) => /circuit is open/.test(String(e))));
  assert.ok(allErrors.some((e) => /has sha256 [0-9a-f]+, not the/.test(String(e))));
  assert.ok(allErrors.some((e) => /refused the redirect/.test(String(e))));
  assert.ok(runs.some((r) => r.produced.some((p) => /"dropped":"file"/.test(p))), 'page issues were reported');
});
