/**
 * The wheel option (config `[build]`) end to end: a live gateway in front of a test upstream and of /opt/pypi (where
 * the builds' setuptools comes from, through the gateway itself), with pip as the client.
 *
 * - `matching`: an honest wheel is served once the sandbox has rebuilt it from its sdist; a wheel with one module its
 *   sdist does not build (wheel-jacking) is refused with the difference as the reason, and pip takes the release
 *   before it, or the sdist.
 * - `rebuilt`: the page lists the wheel built here (its own sha256), pip installs it, and its provenance, served
 *   beside it, verifies with `gatehouse verify-provenance` and the gateway's served public key.
 * - the admin API shows each wheel's check and what is served, and rebuilds a release on request.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { PERMISSIVE_POLICY, startGateway } from '../helpers/gateway.js';
import { isolatedPipEnv, runCommand } from '../helpers/packages.js';
import { startTestUpstream } from '../helpers/upstream.js';
import { serveOptPypi, sharedCache } from '../sandbox/fixtures.js';

/** setuptools writes top_level.txt; an honest wheel of these test projects has it too. */
const topLevel = (module: string, version: string) => ({ [`${module}-${version}.dist-info/top_level.txt`]: `${module}\n` });

function pip(index: string, args: string[], python = 'python3') {
  return runCommand(python, ['-m', 'pip', '--isolated', '--disable-pip-version-check', ...args, '--no-cache-dir', '--index-url', index], { env: isolatedPipEnv() });
}

async function distInfos(dir: string): Promise<string[]> {
  return (await readdir(dir).catch(() => [])).filter((f) => f.endsWith('.dist-info')).sort();
}

test('the wheel option: matching serves honest wheels only, rebuilt serves the wheel built here with its provenance', async (t) => {
  // Build environments and fetched build dependencies are content-keyed: shared with the sandbox tests.
  process.env.GATEHOUSE_SANDBOX_CACHE = sharedCache;
  const upstream = await startTestUpstream({
    projects: [
      { name: 'honest-lib', releases: [{ version: '1.0', wheelFiles: topLevel('honest_lib', '1.0') }] },
      {
        name: 'jacked-lib',
        releases: [
          { version: '1.0', wheelFiles: topLevel('jacked_lib', '1.0') },
          { version: '2.0', wheelFiles: { ...topLevel('jacked_lib', '2.0'), 'jacked_lib/_telemetry.py': 'TELEMETRY = "inert"\n' } },
        ],
      },
      { name: 'rebuilt-lib', releases: [{ version: '1.0' }] },
    ],
  });
  t.after(() => upstream.close());
  const pypi = await serveOptPypi();
  t.after(() => pypi.stop());
  const work = await mkdtemp(join(tmpdir(), 'gatehouse-wheel-option-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const config = {
    dataDir: join(work, 'data'),
    upstreams: [
      { name: 'test-upstream', url: upstream.url },
      { name: 'pypi', url: pypi.url },
    ],
    // Every project on `matching`, setuptools included: the builds get theirs from the builds' own index.
    build: { wheels: 'matching' as const, projects: { 'rebuilt-lib': 'rebuilt' as const }, concurrency: 1, pageWait: 30 },
  };
  let gw = await startGateway({ listen: true, config });
  t.after(() => gw.close());
  const index = `${gw.url}/simple/`;
  const admin = { authorization: `Bearer ${await gw.token({ scope: 'admin' })}` };

  // (a) matching, honest: the page waits for the check, then pip installs the upstream wheel itself.
  const honest = await pip(index, ['install', '--only-binary', ':all:', '--target', join(work, 'a'), 'honest-lib']);
  assert.equal(honest.code, 0, honest.stdout + honest.stderr);
  assert.match(honest.stdout, /honest_lib-1\.0-py3-none-any\.whl/);
  assert.deepEqual(await distInfos(join(work, 'a')), ['honest_lib-1.0.dist-info']);
  const honestStatus = (await (await fetch(`${gw.url}/admin/api/builds/honest-lib`, { headers: admin })).json()) as { mode: string; wheels: { check: { state: string; reason: string }; served: string; wheel: { sha256: string } }[] };
  assert.equal(honestStatus.mode, 'matching');
  assert.equal(honestStatus.wheels[0]!.check.state, 'matches', honestStatus.wheels[0]!.check.reason);
  assert.equal(honestStatus.wheels[0]!.served, 'upstream');
  assert.equal(honestStatus.wheels[0]!.wheel.sha256, upstream.file('honest_lib-1.0-py3-none-any.whl').sha256);

  // (b) matching, wheel-jacked 2.0: refused with the difference; pip takes the 1.0 wheel, or builds 2.0 from its sdist.
  const jackedWheel = upstream.file('jacked_lib-2.0-py3-none-any.whl');
  const page = (await (await fetch(`${index}jacked-lib/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json()) as { files: { filename: string; yanked?: string | boolean }[] };
  const listed = page.files.find((f) => f.filename === jackedWheel.filename);
  assert.match(String(listed?.yanked), /^refused by policy: build\.wheels = "matching": 1 difference from what its sdist builds: jacked_lib\/_telemetry\.py is in the published wheel but not in the wheel its sdist builds$/);
  assert.equal(page.files.find((f) => f.filename === 'jacked_lib-2.0.tar.gz')?.yanked, false);
  assert.equal(page.files.find((f) => f.filename === 'jacked_lib-1.0-py3-none-any.whl')?.yanked, false);
  const binary = await pip(index, ['install', '--only-binary', ':all:', '--target', join(work, 'b1'), 'jacked-lib']);
  assert.equal(binary.code, 0, binary.stdout + binary.stderr);
  assert.deepEqual(await distInfos(join(work, 'b1')), ['jacked_lib-1.0.dist-info']);
  const direct = await fetch(`${gw.url}/files/${jackedWheel.sha256}/${jackedWheel.filename}`);
  assert.equal(direct.status, 403);
  assert.equal(direct.headers.get('x-gatehouse-error'), 'policy.blocked');
  const pinned = await pip(index, ['download', '--only-binary', ':all:', '--no-deps', '--dest', join(work, 'b2'), 'jacked-lib==2.0']);
  assert.notEqual(pinned.code, 0);
  assert.match(pinned.stdout + pinned.stderr, /403 Client Error: jacked_lib-2\.0-py3-none-any\.whl is refused by policy \(build\.wheel-differs\): build\.wheels = "matching": 1 difference from what its sdist builds: jacked_lib\/_telemetry\.py is in the published wheel but not in the wheel its sdist builds/);
  // Without --only-binary, pip builds 2.0 from its sdist (with Debian's setuptools: the gateway serves no setuptools
  // wheel to installers here, since /opt/pypi has no setuptools sdist to check it against).
  const fromSource = await pip(index, ['install', '--no-deps', '--no-build-isolation', '--target', join(work, 'b3'), 'jacked-lib==2.0'], '/usr/bin/python3');
  assert.equal(fromSource.code, 0, fromSource.stdout + fromSource.stderr);
  assert.match(fromSource.stdout, /jacked_lib-2\.0\.tar\.gz/);
  const jackedFiles = await readdir(join(work, 'b3', 'jacked_lib'));
  assert.ok(!jackedFiles.includes('_telemetry.py'), jackedFiles.join(', '));

  // The builds above got setuptools through the gateway's policy, from the builds' own index; installers do not get it.
  const setuptools = (await (await fetch(`${index}setuptools/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json()) as { files: { filename: string; yanked?: unknown }[] };
  assert.match(String(setuptools.files.find((f) => f.filename === 'setuptools-84.0.0-py3-none-any.whl')?.yanked), /^refused by policy: build\.wheels = "matching": its release has no sdist to check it against$/);

  // (c) rebuilt: the page lists the wheel built here, not the upstream's (which lacks top_level.txt, so it differs).
  const upstreamWheel = upstream.file('rebuilt_lib-1.0-py3-none-any.whl');
  const rebuiltPage = (await (await fetch(`${index}rebuilt-lib/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json()) as { files: { filename: string; url: string; hashes: { sha256: string }; yanked?: unknown }[] };
  const wheelEntry = rebuiltPage.files.find((f) => f.filename.endsWith('.whl'))!;
  assert.equal(wheelEntry.filename, 'rebuilt_lib-1.0-py3-none-any.whl');
  assert.notEqual(wheelEntry.hashes.sha256, upstreamWheel.sha256);
  assert.equal(wheelEntry.yanked, false);
  const dest = join(work, 'c');
  const download = await pip(index, ['download', '--only-binary', ':all:', '--no-deps', '--dest', dest, 'rebuilt-lib']);
  assert.equal(download.code, 0, download.stdout + download.stderr);
  const downloaded = join(dest, wheelEntry.filename);
  assert.equal(createHash('sha256').update(await readFile(downloaded)).digest('hex'), wheelEntry.hashes.sha256);
  const installed = await pip(index, ['install', '--only-binary', ':all:', '--target', join(work, 'c-installed'), 'rebuilt-lib']);
  assert.equal(installed.code, 0, installed.stdout + installed.stderr);
  assert.deepEqual(await distInfos(join(work, 'c-installed')), ['rebuilt_lib-1.0.dist-info']);
  // The upstream's wheel is not served in its place, and says which one is.
  const replaced = await fetch(`${gw.url}/files/${upstreamWheel.sha256}/${upstreamWheel.filename}`);
  assert.equal(replaced.status, 403);
  assert.match(await replaced.text(), new RegExp(`serves rebuilt_lib-1\\.0-py3-none-any\\.whl \\(sha256 ${wheelEntry.hashes.sha256}\\), built from its sdist`));
  // Its provenance, beside it, verifies with the public key the gateway serves.
  const provenance = await fetch(new URL(`${wheelEntry.url}.provenance.json`, `${index}rebuilt-lib/`));
  assert.equal(provenance.status, 200);
  await writeFile(join(work, 'provenance.json'), Buffer.from(await provenance.arrayBuffer()));
  const key = await fetch(`${gw.url}/keys/provenance-ed25519.pub`);
  assert.equal(key.status, 200);
  await writeFile(join(work, 'gateway.pub'), await key.text());
  const sdist = upstream.file('rebuilt_lib-1.0.tar.gz');
  await writeFile(join(work, sdist.filename), sdist.bytes);
  const verified = await runCli(['verify-provenance', join(work, 'provenance.json'), '--wheel', downloaded, '--sdist', join(work, sdist.filename), '--key', join(work, 'gateway.pub')]);
  assert.equal(verified.code, 0, verified.stdout + verified.stderr);
  assert.match(verified.stdout, /^VERIFIED  rebuilt_lib-1\.0-py3-none-any\.whl/m);
  assert.match(verified.stdout, /build dependencies: setuptools 84\.0\.0/);

  // The admin API: status per wheel, and a rebuild on request (queued, then the same result again).
  const jackedStatus = (await (await fetch(`${gw.url}/admin/api/builds/jacked-lib`, { headers: admin })).json()) as { wheels: { version: string; check: { state: string; differences?: string[] }; served: string; reason?: string }[] };
  const v2 = jackedStatus.wheels.find((w) => w.version === '2.0')!;
  assert.equal(v2.check.state, 'differs');
  assert.equal(v2.served, 'none');
  assert.deepEqual(v2.check.differences, ['jacked_lib/_telemetry.py is in the published wheel but not in the wheel its sdist builds']);
  assert.equal(jackedStatus.wheels.find((w) => w.version === '1.0')?.served, 'upstream');
  const rebuild = await fetch(`${gw.url}/admin/api/builds/honest-lib/rebuild`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ version: '1.0' }) });
  assert.equal(rebuild.status, 202, await rebuild.clone().text());
  assert.deepEqual(((await rebuild.json()) as { queued: unknown[] }).queued, [{ wheel: 'honest_lib-1.0-py3-none-any.whl', sdist: 'honest_lib-1.0.tar.gz' }]);
  // While it is rebuilt the wheel is being checked: marked on the page, and refused at download with that reason.
  const honestWheel = upstream.file('honest_lib-1.0-py3-none-any.whl');
  const during = await fetch(`${gw.url}/files/${honestWheel.sha256}/${honestWheel.filename}`);
  assert.equal(during.status, 403);
  assert.equal(during.headers.get('x-gatehouse-error'), 'build.pending');
  assert.match(await during.text(), /honest_lib-1\.0-py3-none-any\.whl is being checked against its sdist by the gateway before it is served; try again in a minute/);
  let state = '';
  for (let i = 0; i < 100 && state !== 'matches'; i++) {
    await new Promise((r) => setTimeout(r, 200));
    state = ((await (await fetch(`${gw.url}/admin/api/builds/honest-lib`, { headers: admin })).json()) as typeof honestStatus).wheels[0]!.check.state;
  }
  assert.equal(state, 'matches');
  assert.equal((await fetch(`${gw.url}/files/${honestWheel.sha256}/${honestWheel.filename}`)).status, 200);
  const nothing = await fetch(`${gw.url}/admin/api/builds/honest-lib/rebuild`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ version: '9.9' }) });
  assert.equal(nothing.status, 404);

  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  assert.match(metrics, /gatehouse_wheel_checks_total\{result="matches"\} 3/);
  assert.match(metrics, /gatehouse_wheel_checks_total\{result="differs"\} 2/);
  assert.match(metrics, /gatehouse_wheel_checks_under_way\{state="queued"\} 0/);

  // After a restart the results are read back from the store: the pages are served at once, and nothing is rebuilt.
  await gw.close();
  gw = await startGateway({ listen: true, config });
  const again = await (await fetch(`${gw.url}/simple/jacked-lib/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json() as { files: { filename: string; yanked?: unknown }[] };
  assert.match(String(again.files.find((f) => f.filename === jackedWheel.filename)?.yanked), /^refused by policy: build\.wheels = "matching": 1 difference/);
  assert.equal(again.files.find((f) => f.filename === 'jacked_lib-1.0-py3-none-any.whl')?.yanked, false);
  const rebuiltAgain = await (await fetch(`${gw.url}/simple/rebuilt-lib/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json() as typeof rebuiltPage;
  assert.equal(rebuiltAgain.files.find((f) => f.filename.endsWith('.whl'))?.hashes.sha256, wheelEntry.hashes.sha256);
  assert.doesNotMatch(await (await fetch(`${gw.url}/metrics`)).text(), /gatehouse_wheel_checks_total\{/);
  // The refusal is a policy decision: explained, in the decision log, and a waiver can accept the wheel.
  const explained = JSON.stringify(await (await fetch(`${gw.url}/admin/api/explain/jacked-lib?version=2.0`, { headers: { authorization: `Bearer ${await gw.token({ scope: 'admin' })}` } })).json());
  assert.match(explained, /build\.wheel-differs/);
  await gw.close();
  const waiver = { project: 'jacked-lib', version: '==2.0', rule: 'build.wheel-differs', reason: 'reviewed: _telemetry.py is inert', grantedBy: 'security@example.com', expires: '2099-01-01' };
  gw = await startGateway({ listen: true, config, policy: { ...PERMISSIVE_POLICY, waivers: [waiver] } });
  const waived = await (await fetch(`${gw.url}/simple/jacked-lib/`, { headers: { accept: 'application/vnd.pypi.simple.v1+json' } })).json() as { files: { filename: string; yanked?: unknown }[] };
  assert.equal(waived.files.find((f) => f.filename === jackedWheel.filename)?.yanked, false);
  assert.equal((await fetch(`${gw.url}/files/${jackedWheel.sha256}/${jackedWheel.filename}`)).status, 200);
});
