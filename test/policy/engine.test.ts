/**
 * The policy engine's rules, one behaviour per case, without the name gate and the advisory database (the e2e test
 * drives those with pip): lists with specifiers, cooldown with exemptions, cut-off and unknown upload times, dry
 * run, waivers by rule, file, version and expiry, required metadata, and what stays pending until a file's bytes
 * are scanned.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCoreMetadata } from '../../src/pep/metadata.js';
import { parseRequirement } from '../../src/pep/requirement.js';
import { PolicyEngine, type ContentFacts, type FileSubject } from '../../src/policy/engine.js';
import { DEFAULT_POLICY, type Policy, type Waiver } from '../../src/policy/policy.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const daysAgo = (d: number) => new Date(NOW.getTime() - d * 86_400_000).toISOString();

function engine(change: (p: Policy) => void = () => {}): PolicyEngine {
  const policy = structuredClone(DEFAULT_POLICY);
  change(policy);
  return new PolicyEngine(policy, { nameGate: null, vulndb: null, now: () => NOW });
}

function file(project: string, version: string, extra: Partial<FileSubject> = {}): FileSubject {
  return { project, source: 'pypi', version, filename: `${project}-${version}-py3-none-any.whl`, sha256: 'a'.repeat(64), uploadTime: daysAgo(30), ...extra };
}

const clean: ContentFacts = { scan: { verdict: 'clean', reasons: [] }, metadata: parseCoreMetadata('Metadata-Version: 2.1\nName: x\nVersion: 1.0\n') };
const suspicious: ContentFacts = { ...clean, scan: { verdict: 'suspicious', reasons: ['runs a hidden command at install'] } };
const malicious: ContentFacts = { ...clean, scan: { verdict: 'malicious', reasons: ['downloads and runs a payload'] } };
const entries = (...texts: string[]) => texts.map((text) => ({ text, requirement: parseRequirement(text) }));
const waiver = (w: Partial<Waiver>): Waiver => ({ project: 'demo', reason: 'reviewed', grantedBy: 'alice', expires: '2027-01-01', ...w });
const rules = (d: { results: Array<{ rule: string }> }) => d.results.map((r) => r.rule);

test('deny list: a bare name refuses the project; a specifier refuses only the versions it covers', () => {
  const e = engine((p) => (p.lists.deny = entries('left-pad', 'django<4')));
  assert.equal(e.project({ project: 'left-pad', source: 'pypi' }).outcome, 'block');
  assert.equal(e.file(file('left-pad', '1.0'), clean).outcome, 'block');
  assert.equal(e.project({ project: 'django', source: 'pypi' }).outcome, 'allow', 'the project is not refused by name');
  assert.equal(e.file(file('django', '3.2.25'), clean).outcome, 'block');
  assert.deepEqual(rules(e.file(file('django', '3.2.25'), clean)), ['lists.deny']);
  assert.equal(e.file(file('django', '4.0'), clean).outcome, 'allow');
  assert.equal(e.file(file('django', '4.0rc1'), clean).outcome, 'allow', 'a pre-release of 4.0 is not < 4');
  assert.equal(e.file(file('django', '4.0.dev1'), clean).outcome, 'allow', '<4 excludes pre-releases of 4 (PEP 440, as packaging says)');
});

test('allow list: passes the cooldown and a suspicious scan, never a malicious one', () => {
  const e = engine((p) => (p.lists.allow = entries('internal-tool')));
  const fresh = file('internal-tool', '2.0', { uploadTime: daysAgo(0.1) });
  assert.equal(engine().file(fresh, suspicious).outcome, 'block', 'without the entry: too new');
  const passed = e.file(fresh, suspicious);
  assert.equal(passed.outcome, 'allow');
  assert.ok(passed.results.every((r) => r.allowedBy === 'internal-tool'));
  assert.equal(e.file(fresh, malicious).outcome, 'block', 'a malicious scan is never listed away');
});

test('cooldown: too new, exempt projects, the absolute cut-off, unknown upload times, hosted files', () => {
  const e = engine((p) => {
    p.cooldown.exempt = ['acme-*', 'certifi'];
    p.cooldown.cutoff = '2026-11-01T00:00:00.000Z';
  });
  const young = e.file(file('requests', '2.33.0', { uploadTime: daysAgo(2) }), clean);
  assert.equal(young.outcome, 'block');
  assert.deepEqual(rules(young), ['cooldown.after-cutoff', 'cooldown.too-new']);
  assert.match(young.results[1]!.message, /uploaded 2 days ago; releases are served once they are 7 days old \(2026-12-06T12:00:00\.000Z\)/);
  assert.equal(young.inputs.ageSeconds, 2 * 86_400);
  assert.equal(e.file(file('requests', '2.32.0', { uploadTime: daysAgo(40) }), clean).outcome, 'allow');
  assert.equal(e.file(file('acme-lib', '1.0', { uploadTime: daysAgo(0) }), clean).outcome, 'allow', 'acme-* is exempt');
  assert.equal(e.file(file('certifi', '2026.11.30', { uploadTime: daysAgo(1) }), clean).outcome, 'allow');
  assert.equal(e.file(file('old', '1.0', { uploadTime: daysAgo(20) }), clean).outcome, 'block', 'after the cut-off, however old');
  assert.deepEqual(rules(e.file(file('old', '1.0', { uploadTime: daysAgo(20) }), clean)), ['cooldown.after-cutoff']);

  const unknown = file('mystery', '1.0', { uploadTime: undefined });
  delete unknown.uploadTime;
  assert.deepEqual(rules(engine().file(unknown, clean)), ['cooldown.unknown-upload-time'], 'the default fails closed');
  assert.equal(engine((p) => (p.cooldown.unknownUploadTime = 'allow')).file(unknown, clean).outcome, 'allow');
  assert.equal(engine().file(file('ours', '1.0', { source: 'hosted', uploadTime: daysAgo(0) }), clean).outcome, 'allow', 'hosted uploads are not waited out');
});

test('dry run: the decision is recorded as it would be, and nothing is refused', () => {
  const e = engine((p) => (p.scanner.mode = 'dry-run'));
  const d = e.file(file('demo', '1.0'), malicious);
  assert.deepEqual([d.outcome, d.wouldBe], ['allow', 'block']);
  assert.deepEqual(d.results.map((r) => [r.rule, r.mode]), [['scanner.malicious', 'dry-run']]);
});

test('waivers: by rule (a prefix covers its rules), by version, by file; an expired waiver covers nothing', () => {
  const fresh = file('demo', '1.1', { uploadTime: daysAgo(1) });
  const check = (w: Partial<Waiver>, subject = fresh) => engine((p) => (p.waivers = [waiver(w)])).file(subject, clean).outcome;
  assert.equal(check({}), 'allow', 'a waiver of the whole project');
  assert.equal(check({ rule: 'cooldown.too-new' }), 'allow');
  assert.equal(check({ rule: 'cooldown' }), 'allow', 'a prefix covers its rules');
  assert.equal(check({ rule: 'scanner.suspicious' }), 'block', 'another rule stays');
  assert.equal(check({ version: '==1.1' }), 'allow');
  assert.equal(check({ version: '==1.0' }), 'block');
  assert.equal(check({ version: '<2' }), 'allow');
  assert.equal(check({ filename: 'demo-1.1-py3-none-any.whl' }), 'allow');
  assert.equal(check({ filename: 'demo-1.1.tar.gz' }), 'block');
  assert.equal(check({ expires: '2026-12-01T11:59:59Z' }), 'block', 'expired a second ago');
  assert.equal(check({ project: 'other' }), 'block');
  const waived = engine((p) => (p.waivers = [waiver({ rule: 'cooldown' })])).file(fresh, clean);
  assert.equal(waived.results[0]!.waivedBy?.reason, 'reviewed', 'the result keeps the waiver that set it aside');
  assert.equal(waived.wouldBe, 'allow');
});

test('required metadata applies to hosted uploads only, and names what is missing', () => {
  const e = engine((p) => (p.metadata.require = ['license-expression', 'project-url']));
  const hosted = file('ours', '1.0', { source: 'hosted' });
  const d = e.file(hosted, clean);
  assert.equal(d.outcome, 'block');
  assert.match(d.results[0]!.message, /lacks required metadata: license-expression, project-url/);
  const complete = { ...clean, metadata: parseCoreMetadata('Metadata-Version: 2.4\nName: ours\nVersion: 1.0\nLicense-Expression: MIT\nProject-URL: Home, https://example.com\n') };
  assert.equal(e.file(hosted, complete).outcome, 'allow');
  assert.equal(e.file(file('public', '1.0'), clean).outcome, 'allow', 'a public project is not asked');
  const blank = { ...clean, metadata: parseCoreMetadata('Metadata-Version: 2.4\nName: ours\nVersion: 1.0\nLicense-Expression:  \nProject-URL: Home, https://example.com\n') };
  assert.match(e.file(hosted, blank).results[0]?.message ?? '', /lacks required metadata: license-expression$/, 'a blank value is missing');
});

test('the content rules wait for the bytes: pending until scanned, unless no rule reads them', () => {
  const d = engine().file(file('demo', '1.0'));
  assert.equal(d.pendingContent, true);
  assert.equal(d.outcome, 'allow', 'what is known so far');
  const noContentRules = engine((p) => {
    p.scanner = { mode: 'enforce', malicious: 'allow', suspicious: 'allow', error: 'allow' };
  });
  assert.equal(noContentRules.file(file('demo', '1.0')).pendingContent, false);
  assert.equal(engine().file(file('demo', '1.0'), suspicious).outcome, 'quarantine', 'the default quarantines a suspicious file');
  assert.equal(engine().file(file('demo', '1.0'), { ...clean, scan: { verdict: 'error', reasons: ['truncated archive'] } }).outcome, 'quarantine');
});
