/**
 * The policy file: what each key reads into, every mistake named with its key and line, and `gatehouse policy check`
 * printing them all at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPolicy, PolicyError } from '../../src/policy/policy-file.js';
import { DEFAULT_POLICY, policyRevision } from '../../src/policy/policy.js';
import { runCli } from '../helpers/cli.js';

async function withFile(text: string, work: (path: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-policy-'));
  try {
    const path = join(dir, 'gatehouse.toml');
    await writeFile(path, text);
    await work(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function problems(path: string): string[] {
  try {
    loadPolicy(path);
  } catch (err) {
    if (err instanceof PolicyError) return err.problems;
    throw err;
  }
  assert.fail('the policy was accepted');
}

test('no config file and an empty one give the defaults; each key reads into its rule', async () => {
  assert.deepEqual(loadPolicy(null).policy, DEFAULT_POLICY);
  await withFile('[server]\nport = 8080\n', async (path) => assert.equal(policyRevision(loadPolicy(path).policy), policyRevision(DEFAULT_POLICY)));
  const text = `
[policy.cooldown]
minimum_age = "36h"
exempt = ["Acme_*", "Certifi"]
cutoff = 2026-11-01T00:00:00Z
unknown_upload_time = "warn"

[policy.lists]
deny = ["django<4", "left-pad"]

[[policy.waiver]]
project = "Fresh_Lib"
version = "1.1"
rule = "cooldown.too-new"
reason = "needed for the hotfix"
granted_by = "alice"
expires = 2027-01-31
`;
  await withFile(text, async (path) => {
    const { policy } = loadPolicy(path);
    assert.equal(policy.cooldown.minimumAgeMs, 36 * 3_600_000);
    assert.deepEqual(policy.cooldown.exempt, ['acme-*', 'certifi'], 'names normalized, prefixes kept');
    assert.equal(policy.cooldown.cutoff, '2026-11-01T00:00:00.000Z');
    assert.equal(policy.cooldown.unknownUploadTime, 'warn');
    assert.deepEqual(policy.lists.deny.map((e) => e.text), ['django<4', 'left-pad']);
    assert.deepEqual(policy.waivers, [
      { project: 'fresh-lib', version: '==1.1', rule: 'cooldown.too-new', reason: 'needed for the hotfix', grantedBy: 'alice', expires: '2027-01-31' },
    ]);
  });
});

test('every mistake is named with its key and its line, all of them at once', async () => {
  const text = [
    '[policy.scanner]', // 1
    'malicious = "deny"', // 2
    'suspicous = "block"', // 3
    '[policy.cooldown]', // 4
    'minimum_age = "a week"', // 5
    '[policy.lists]', // 6
    'allow = ["requests @ https://example.com/r.whl"]', // 7
    '[policy.typo]', // 8
    '[policy.metadata]', // 9
    'require = ["license-expression", "licence"]', // 10
    '[[policy.waiver]]', // 11
    'project = "demo"', // 12
    'reason = "x"', // 13
    '[[policy.waiver]]', // 14
    'project = "demo"', // 15
    'reason = "x"', // 16
    'granted_by = "bob"', // 17
    'expires = "someday"', // 18
    'version = "=>1"', // 19
  ].join('\n');
  await withFile(text, async (path) => {
    const found = problems(path);
    const expect = [
      /^policy\.scanner\.malicious must be one of allow, warn, quarantine, block, not "deny" \(line 2\)$/,
      /^unknown key policy\.scanner\.suspicous \(known: mode, malicious, suspicious, error\) \(line 3\)$/,
      /^policy\.cooldown\.minimum_age must be a duration such as "7d".* \(line 5\)$/,
      /^policy\.lists\.allow: "requests @ https:\/\/example\.com\/r\.whl" is not a name with an optional PEP 440 specifier .*\(line 7\)$/,
      /^unknown table \[policy\.typo\] .*\(line 8\)$/,
      /^policy\.metadata\.require: "licence" is not a core metadata field .*\(line 10\)$/,
      /^policy\.waiver\[0\] needs granted_by: every waiver says what it covers, why, who granted it and until when \(line 11\)$/,
      /^policy\.waiver\[1\]\.expires must be a date .*"someday" \(line 18\)$/,
      /^policy\.waiver\[1\]\.version: .*\(line 19\)$/,
    ];
    for (const e of expect) assert.ok(found.some((p) => e.test(p)), `${e} among:\n${found.join('\n')}`);
  });
  await withFile('[policy.names\ntyposquat = "block"\n', async (path) => {
    assert.match(problems(path)[0]!, /^not valid TOML \(line 1, column \d+\)/);
  });
});

test('a policy in a file of its own, named by the config file, relative to it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-policy-'));
  try {
    await writeFile(join(dir, 'gatehouse.toml'), '[policy]\nfile = "policy.toml"\n');
    await writeFile(join(dir, 'policy.toml'), '[policy.scanner]\nsuspicious = "warn"\n');
    const loaded = loadPolicy(join(dir, 'gatehouse.toml'));
    assert.equal(loaded.path, join(dir, 'policy.toml'));
    assert.equal(loaded.policy.scanner.suspicious, 'warn');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('gatehouse policy check: ok with the revision, or every problem and a non-zero exit', async () => {
  await withFile('[policy.scanner]\nsuspicious = "warn"\n', async (path) => {
    const ok = await runCli(['policy', 'check', path]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /^ok: .*gatehouse\.toml \(revision [0-9a-f]{16}\)/);
  });
  await withFile('[policy.scanner]\nsuspicious = "maybe"\n[policy.names]\ntyposquat = 1\n', async (path) => {
    const bad = await runCli(['policy', 'check', path]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /2 problems:/);
    assert.match(bad.stderr, /policy\.scanner\.suspicious must be one of .* \(line 2\)/);
    assert.match(bad.stderr, /policy\.names\.typosquat must be one of .* \(line 4\)/);
    assert.equal(bad.stdout, '');
  });
});
