/**
 * The gateway's settings: defaults, the TOML file ([[upstream]], [proxy], [index]), environment variables and
 * flags, in that order of precedence; every mistake is an error that names the key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_CONFIG, PYPI_UPSTREAM, readConfigFile, wheelSourceFor } from '../../src/config/gateway.js';
import { resolveConfig } from '../../src/cli/gateway-options.js';

async function withFile(text: string, fn: (path: string) => void | Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-config-'));
  try {
    const path = join(dir, 'gatehouse.toml');
    await writeFile(path, text);
    await fn(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('with no configuration the gateway proxies PyPI with documented cache lifetimes', () => {
  const config = resolveConfig({}, {});
  assert.deepEqual(config.upstreams, [PYPI_UPSTREAM]);
  assert.deepEqual(config.proxy, { pageTtl: 600, negativeTtl: 120, offline: false });
  assert.deepEqual(config.index, { reserved: [], pinned: {} });
});

test('[[upstream]] tables, credentials, [proxy] and [index] are read in order', async () => {
  await withFile(
    `
[[upstream]]
name = "internal"
url = "https://nexus.example.com/repository/pypi/simple/"
username = "ci"
password_env = "NEXUS_PASSWORD"
allowed_file_hosts = ["files.example.com"]

[[upstream]]
name = "pypi"
url = "https://pypi.org/simple/"
token_env = "PYPI_TOKEN"
json_api = false

[proxy]
page_ttl = 1800
negative_ttl = 60
offline = true

[index]
reserved = ["Acme_*", "Internal.Tool"]
pinned = { "Acme_Lib" = "internal" }
`,
    (path) => {
      const config = readConfigFile(path);
      assert.deepEqual(config.upstreams, [
        {
          name: 'internal',
          url: 'https://nexus.example.com/repository/pypi/simple/',
          credentials: { tokenEnv: 'NEXUS_PASSWORD', username: 'ci' },
          allowedFileHosts: ['files.example.com'],
        },
        { name: 'pypi', url: 'https://pypi.org/simple/', credentials: { tokenEnv: 'PYPI_TOKEN' }, jsonApiUrl: false },
      ]);
      assert.deepEqual(config.proxy, { pageTtl: 1800, negativeTtl: 60, offline: true });
      assert.deepEqual(config.index, { reserved: ['acme-*', 'internal-tool'], pinned: { 'acme-lib': 'internal' } });
    },
  );
});

test('[build]: which wheels proxied projects get, for all and per project', async () => {
  assert.deepEqual(resolveConfig({}, {}).build, { wheels: 'upstream', projects: {}, concurrency: 1, pageWait: 8 });
  await withFile('[build]\nwheels = "matching"\nprojects = { "Rebuilt_Lib" = "rebuilt", requests = "upstream" }\nconcurrency = 2\npage_wait = 0\n', (path) => {
    const { build } = readConfigFile(path);
    assert.deepEqual(build, { wheels: 'matching', projects: { 'rebuilt-lib': 'rebuilt', requests: 'upstream' }, concurrency: 2, pageWait: 0 });
    assert.equal(wheelSourceFor(build, 'rebuilt-lib'), 'rebuilt');
    assert.equal(wheelSourceFor(build, 'requests'), 'upstream');
    assert.equal(wheelSourceFor(build, 'idna'), 'matching');
  });
});

test('upstream = [] means hosted only', async () => {
  await withFile('upstream = []\n', (path) => assert.deepEqual(readConfigFile(path).upstreams, []));
});

test('every mistake names the key', async () => {
  const cases: Array<[string, RegExp]> = [
    ['[[upstream]]\nname = "a"\n', /upstream\[0\] \(a\) needs a url/],
    ['[[upstream]]\nname = "a"\nurl = "https://x/simple/"\ntoken = "x"\n', /unknown key upstream\[0\]\.token/],
    ['[[upstream]]\nname = "a"\nurl = "https://x/simple/"\npassword = "x"\n', /has a password but no username/],
    ['[[upstream]]\nname = "a"\nurl = "https://x/simple/"\nusername = "u"\npassword = "p"\ntoken_env = "T"\n', /takes one of password, password_env and token_env/],
    ['[[upstream]]\nname = "a"\nurl = "https://x/simple/"\n[[upstream]]\nname = "a"\nurl = "https://y/simple/"\n', /two upstreams are named "a"/],
    ['[index]\npinned = { torch = "nowhere" }\n', /torch is pinned to the upstream "nowhere", which is not configured/],
    ['[index]\nreserved = ["-bad-"]\n', /"-bad-" is neither a project name nor a prefix/],
    ['[proxy]\npage_ttl = "10m"\n', /proxy\.page_ttl must be a non-negative integer/],
    ['[proxy]\nofline = true\n', /unknown key proxy\.ofline/],
    ['upstream = "https://x/"\n', /upstream must be \[\[upstream\]\] tables/],
    ['[build]\nwheel = "matching"\n', /unknown key build\.wheel \(known: wheels, projects, concurrency, page_wait\)/],
    ['[build]\nwheels = "rebuild"\n', /build\.wheels must be one of "upstream", "matching", "rebuilt", not "rebuild"/],
    ['[build]\nprojects = { requests = "yes" }\n', /build\.projects\.requests must be one of "upstream", "matching", "rebuilt", not "yes"/],
    ['[build]\nprojects = { "-bad-" = "matching" }\n', /build\.projects: "-bad-" is not a project name/],
    ['[build]\nprojects = "requests"\n', /build\.projects must be a table/],
    ['[build]\nconcurrency = 0\n', /build\.concurrency must be at least 1/],
    ['[build]\npage_wait = -1\n', /build\.page_wait must be a non-negative integer/],
  ];
  for (const [text, message] of cases) {
    await withFile(text, (path) => assert.throws(() => readConfigFile(path), message, text));
  }
});

test('flags beat the environment, which beats the file; --no-upstream and an empty list mean hosted only', async () => {
  await withFile('[[upstream]]\nname = "file"\nurl = "https://file.example/simple/"\n', (path) => {
    assert.deepEqual(resolveConfig({ config: path }, {}).upstreams.map((u) => u.name), ['file']);
    const env = { GATEHOUSE_UPSTREAMS: 'https://a.example/simple/, mirror=https://b.example/simple/' };
    assert.deepEqual(
      resolveConfig({ config: path }, env).upstreams,
      [
        { name: 'upstream-1', url: 'https://a.example/simple/' },
        { name: 'mirror', url: 'https://b.example/simple/' },
      ],
    );
    assert.deepEqual(resolveConfig({ config: path, upstream: ['https://c.example/simple/'] }, env).upstreams, [{ name: 'upstream-1', url: 'https://c.example/simple/' }]);
    assert.deepEqual(resolveConfig({ config: path, upstream: false }, env).upstreams, []);
    assert.deepEqual(resolveConfig({}, { GATEHOUSE_UPSTREAMS: '' }).upstreams, []);
    assert.equal(resolveConfig({ offline: true }, {}).proxy.offline, true);
    assert.equal(resolveConfig({}, { GATEHOUSE_OFFLINE: '1' }).proxy.offline, true);
  });
  assert.equal(DEFAULT_CONFIG.proxy.offline, false, 'resolving never changes the defaults');
});
