/**
 * `gatehouse scan` end to end: the real CLI over the labelled corpus packed
 * into a directory of wheels and sdists, plus a source tree; formats, exit
 * codes and input errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { cliEntry, repoRoot, runCli } from '../helpers/cli.js';
import { labelledCorpus } from '../analyze/corpus/labelled.js';
import { packArtifacts } from '../analyze/corpus/pack.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-scan-cli-'));
const wheelhouse = join(dir, 'wheelhouse');
const paths = packArtifacts(wheelhouse, labelledCorpus);
const cleanOnly = join(dir, 'clean');
const cleanPaths = packArtifacts(
  cleanOnly,
  labelledCorpus.filter((a) => a.verdict === 'clean'),
);
const suspiciousPath = packArtifacts(join(dir, 'suspicious'), labelledCorpus.filter((a) => a.name === 'pip-turbo'))[0]!;
test.after(() => rmSync(dir, { recursive: true, force: true }));

interface JsonArtifact {
  path: string;
  verdict: string;
  findings: Array<{ rule: string; severity: string; file: string | null; line: number | null; message: string }>;
}

test('scans a directory of wheels and sdists; every artifact gets its labelled verdict; exit 1 on malicious', async () => {
  const r = await runCli(['scan', wheelhouse, '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /\[#*\.*\] \d+\//, 'no progress bar when stderr is not a terminal');
  const { artifacts } = JSON.parse(r.stdout) as { artifacts: JsonArtifact[] };
  assert.equal(artifacts.length, labelledCorpus.length);
  for (const [i, a] of labelledCorpus.entries()) {
    const got = artifacts.find((x) => x.path === paths[i]);
    assert.ok(got, `no report for ${paths[i]}`);
    assert.equal(got.verdict, a.verdict, `${a.name}`);
    for (const f of got.findings) {
      assert.equal(typeof f.rule, 'string');
      assert.ok(['info', 'low', 'medium', 'high', 'critical'].includes(f.severity));
      assert.equal(typeof f.message, 'string');
      assert.ok(f.file === null || typeof f.file === 'string');
      assert.ok(f.line === null || Number.isInteger(f.line));
    }
  }
});

test('a progress bar is drawn on stderr when it is a terminal and there are many inputs', () => {
  // util-linux `script` runs the CLI under a pseudo-terminal; stdout goes to a file so only stderr reaches it.
  const out = join(dir, 'progress.json');
  const command = [process.execPath, '--import', 'tsx', cliEntry, 'scan', wheelhouse, '--format', 'json']
    .map((a) => `'${a}'`)
    .join(' ');
  const r = spawnSync('script', ['-qec', `${command} > '${out}'`, '/dev/null'], { cwd: repoRoot, encoding: 'utf8' });
  assert.equal(r.error, undefined, 'util-linux script is needed to give the CLI a terminal');
  assert.match(r.stdout, new RegExp(`\\[#{24}\\] ${labelledCorpus.length}/${labelledCorpus.length} done`));
  assert.match(r.stdout, /\[\.{24}\] 0\//);
});

test('exit status follows --fail-on', async () => {
  const clean = await runCli(['scan', ...cleanPaths]);
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  const suspiciousDefault = await runCli(['scan', suspiciousPath]);
  assert.equal(suspiciousDefault.code, 0, 'suspicious does not fail the default --fail-on malicious');
  const suspiciousStrict = await runCli(['scan', suspiciousPath, '--fail-on', 'suspicious']);
  assert.equal(suspiciousStrict.code, 1);
});

test('the table names the verdict, the reasons and the findings with their location', async () => {
  const i = labelledCorpus.findIndex((a) => a.name === 'netdiag-tools');
  const r = await runCli(['scan', paths[i]!]);
  assert.equal(r.code, 1);
  assert.match(r.stdout, /^MALICIOUS\s+\S+netdiag_tools-0\.3\.0-py3-none-any\.whl \(netdiag-tools 0\.3\.0\)/m);
  assert.match(r.stdout, /why: critical combo\.reverse-shell in netdiag_tools\/__init__\.py:\d+/);
  assert.match(r.stdout, /1 artifact: 1 malicious, 0 suspicious, 0 clean/);
});

test('SARIF 2.1.0 output has rules with help, results with levels and locations', async () => {
  const r = await runCli(['scan', wheelhouse, '--format', 'sarif']);
  assert.equal(r.code, 1);
  const sarif = JSON.parse(r.stdout) as {
    version: string;
    runs: Array<{
      tool: { driver: { name: string; rules: Array<{ id: string; help: { text: string }; shortDescription: { text: string } }> } };
      results: Array<{ ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }>;
    }>;
  };
  assert.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0]!;
  assert.equal(run.tool.driver.name, 'gatehouse');
  assert.ok(run.results.length > 0);
  for (const res of run.results) {
    const rule = run.tool.driver.rules[res.ruleIndex];
    assert.equal(rule?.id, res.ruleId);
    assert.ok(rule.help.text.length > 0 && rule.shortDescription.text.length > 0);
    assert.ok(['error', 'warning', 'note'].includes(res.level));
    assert.ok(res.locations[0]!.physicalLocation.artifactLocation.uri.length > 0);
  }
  assert.ok(run.results.some((x) => x.ruleId === 'install.pth-exec-payload' && x.level === 'error'));
  assert.equal(new Set(run.tool.driver.rules.map((x) => x.id)).size, run.tool.driver.rules.length, 'rule ids are unique');
});

test('an unpacked source tree is scanned as one artifact, with file and line', async () => {
  const tree = join(dir, 'tree');
  mkdirSync(join(tree, 'evil'), { recursive: true });
  writeFileSync(join(tree, 'pyproject.toml'), '[project]\nname = "evil"\nversion = "1.0"\n[project.scripts]\nsudo = "evil:main"\n');
  writeFileSync(join(tree, 'evil', '__init__.py'), 'import base64\nexec(base64.b64decode("cHJpbnQoMSk="))\n');
  const r = await runCli(['scan', tree, '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const { artifacts } = JSON.parse(r.stdout) as { artifacts: JsonArtifact[] };
  assert.equal(artifacts.length, 1);
  assert.equal(artifacts[0]!.verdict, 'malicious');
  const f = artifacts[0]!.findings.find((x) => x.rule === 'code.exec-decoded-payload');
  assert.deepEqual([f?.file, f?.line], ['evil/__init__.py', 2]);
  const shadow = artifacts[0]!.findings.find((x) => x.rule === 'install.console-script-shadowing');
  assert.equal(shadow?.file, 'pyproject.toml', 'the project name and scripts come from pyproject.toml');
});

test('--rules loads another rule folder: a new rule is a new file', async () => {
  const rules = join(dir, 'rules');
  mkdirSync(rules, { recursive: true });
  writeFileSync(
    join(rules, 'code.frobnicate.yaml'),
    `id: code.frobnicate
severity: high
confidence: high
target: python
rationale: Frobnication is forbidden here.
keywords: [frobnicate]
match:
  query: |
    (call function: (identifier) @f (#eq? @f "frobnicate")) @finding
positive: ["frobnicate()", "x = frobnicate(1)", "frobnicate(a)"]
negative: ["frob()", "y = 1", "# frobnicate"]
`,
  );
  const tree = join(dir, 'frob-tree');
  mkdirSync(join(tree, 'frob'), { recursive: true });
  writeFileSync(join(tree, 'setup.py'), 'from setuptools import setup\nsetup(name="frob")\n');
  writeFileSync(join(tree, 'frob', '__init__.py'), 'frobnicate()\n');
  const r = await runCli(['scan', tree, '--rules', rules, '--format', 'json', '--fail-on', 'suspicious']);
  assert.equal(r.code, 1, r.stderr);
  const { artifacts } = JSON.parse(r.stdout) as { artifacts: JsonArtifact[] };
  assert.deepEqual(
    artifacts[0]!.findings.map((f) => [f.rule, f.file, f.line]),
    [['code.frobnicate', 'frob/__init__.py', 1]],
  );
  assert.equal(artifacts[0]!.verdict, 'suspicious');
});

test('a missing path or an unsupported file is a usage error (exit 2)', async () => {
  const missing = await runCli(['scan', join(dir, 'nope.whl')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /does not exist \[scan\.input-not-found\]/);
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'hello');
  const unsupported = await runCli(['scan', text]);
  assert.equal(unsupported.code, 2);
  assert.match(unsupported.stderr, /\[scan\.input-unsupported\]/);
  const badFormat = await runCli(['scan', text, '--format', 'xml']);
  assert.notEqual(badFormat.code, 0);
});

test('--help teaches: options, verdicts, exit codes and examples', async () => {
  const r = await runCli(['scan', '--help']);
  assert.equal(r.code, 0);
  for (const s of ['--format', '--fail-on', '--rules', '--show-info', 'malicious', 'suspicious', 'Exit status', 'Examples', 'sarif']) {
    assert.ok(r.stdout.includes(s), `help lacks ${s}`);
  }
});
