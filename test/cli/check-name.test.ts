import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

interface JsonOutput {
  names: Array<{ name: string; normalized: string; verdict: string; target: string | null; reason: string; rule: string | null }>;
}

test('check-name prints a table and exits 1 when a name is a typosquat', async () => {
  const r = await runCli(['check-name', 'reqeusts', 'numpy']);
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0] ?? '', /^NAME\s+VERDICT\s+TARGET\s+REASON$/);
  assert.match(lines[1] ?? '', /^reqeusts\s+typosquat\s+requests\s+'reqeusts' swaps the 'u' and 'e' of 'requests' \(rank 6\)/);
  assert.match(lines[2] ?? '', /^numpy\s+ok\s+-\s+'numpy' ranks 20 among the 15,000 most downloaded$/);
});

test('check-name exits 0 when nothing is flagged', async () => {
  const r = await runCli(['check-name', 'requests', 'django']);
  assert.equal(r.code, 0, r.stderr);
});

test('check-name -r reads requirement names (with includes, markers, hashes, editables) and prints JSON', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-check-name-'));
  writeFileSync(join(dir, 'base.txt'), 'python3-dateutil==2.8.0 --hash=sha256:00\n');
  writeFileSync(
    join(dir, 'requirements.txt'),
    [
      '# pinned',
      '-r base.txt',
      'numpy>=1.26 ; python_version >= "3.10"',
      'colourama[extra]==0.1',
      './vendor/localpkg',
      'https://example.invalid/pkg-1.0-py3-none-any.whl',
      '-e git+https://example.invalid/x.git#egg=djanga',
      '--index-url https://example.invalid/simple',
    ].join('\n'),
  );
  const r = await runCli(['check-name', '-r', join(dir, 'requirements.txt'), '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout) as JsonOutput;
  assert.deepEqual(
    out.names.map((n) => [n.name, n.verdict, n.target]),
    [
      ['python3-dateutil', 'typosquat', 'python-dateutil'],
      ['numpy', 'ok', null],
      ['colourama', 'typosquat', 'colorama'],
      ['djanga', 'typosquat', 'django'],
    ],
  );
  for (const n of out.names) assert.deepEqual(Object.keys(n).sort(), ['name', 'normalized', 'reason', 'rule', 'target', 'verdict']);
});

test('internal prefixes: a public name is a dependency-confusion risk, a private one is fine', async () => {
  const r = await runCli(['check-name', 'requests-toolbelt', 'acme-not-on-pypi-xyz', '--internal-prefix', 'requests-', '--internal-prefix', 'acme-', '--format', 'json']);
  assert.equal(r.code, 1, r.stderr);
  const out = JSON.parse(r.stdout) as JsonOutput;
  assert.deepEqual(out.names.map((n) => n.verdict), ['internal-collision', 'ok']);
});

test('allow and deny lists override the detector', async () => {
  const allowed = await runCli(['check-name', 'reqeusts', '--allow', 'reqeusts']);
  assert.equal(allowed.code, 0, allowed.stdout);
  const denied = await runCli(['check-name', 'requests', '--deny', 'Requests']);
  assert.equal(denied.code, 1);
  assert.match(denied.stdout, /requests\s+denied/);
});

test('unknown names pass unless --fail-on-unknown', async () => {
  const name = 'zzqx-not-a-project-on-pypi';
  assert.equal((await runCli(['check-name', name])).code, 0);
  const strict = await runCli(['check-name', name, '--fail-on-unknown']);
  assert.equal(strict.code, 1);
  assert.match(strict.stdout, /unknown/);
});

test('usage and input errors exit 2', async () => {
  const cases: string[][] = [['check-name'], ['check-name', 'bad name'], ['check-name', '-r', '/nonexistent/requirements.txt']];
  for (const args of cases) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.length > 0);
  }
});

test('--help teaches: options, verdicts and examples', async () => {
  const r = await runCli(['check-name', '--help']);
  assert.equal(r.code, 0);
  for (const text of ['--internal-prefix', '--allow', '--format', 'typosquat', 'internal-collision', 'Examples:', 'gatehouse check-name -r requirements.txt']) {
    assert.ok(r.stdout.includes(text), text);
  }
});

test('names update writes a corpus that check-name then uses', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-names-update-'));
  writeFileSync(join(dir, 'top.json'), JSON.stringify({ rows: [{ project: 'widgetlib', download_count: 9 }, { project: 'gadgets', download_count: 5 }] }));
  writeFileSync(join(dir, 'all.txt'), 'widgetlib\ngadgets\nwidgetlb\n');
  const corpus = join(dir, 'corpus');
  const update = await runCli(['names', 'update', '--top', join(dir, 'top.json'), '--all', join(dir, 'all.txt'), '--dir', corpus]);
  assert.equal(update.code, 0, update.stderr);
  assert.match(update.stdout, /2 ranked names, 3 names in all/);
  const status = await runCli(['names', 'status', '--dir', corpus]);
  assert.match(status.stdout, /2 ranked names \(ranks 1-2\), 3 names in all/);
  const check = await runCli(['check-name', 'widgetlb', '--corpus', corpus, '--format', 'json']);
  const out = JSON.parse(check.stdout) as JsonOutput;
  assert.equal(out.names[0]?.target, 'widgetlib');
  assert.match(out.names[0]?.reason ?? '', /not among the 2 most downloaded/);
  const bad = await runCli(['names', 'update', '--top', join(dir, 'all.txt'), '--all', join(dir, 'all.txt'), '--dir', corpus]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /names\.list-invalid/);
});
