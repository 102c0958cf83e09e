/**
 * `gatehouse audit` and `gatehouse vulndb` as a user runs them: the real CLI
 * in a child process, with its own data directory (built from the shipped
 * snapshot by the first command).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers/cli.js';

const fixtures = fileURLToPath(new URL('../fixtures/audit/', import.meta.url));
let dir: string;
let env: NodeJS.ProcessEnv;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-audit-'));
  env = { GATEHOUSE_DATA: join(dir, 'data') };
  // Two first uses at once build the same revision; neither sees half of the other's.
  const [status, twin] = await Promise.all([runCli(['vulndb', 'status'], { env }), runCli(['vulndb', 'status'], { env })]);
  assert.equal(status.code, 0, status.stderr);
  assert.equal(twin.code, 0, twin.stderr);
  assert.equal(/revision: +(\S+)/.exec(status.stdout)?.[1], /revision: +(\S+)/.exec(twin.stdout)?.[1]);
  assert.match(status.stdout, /advisories: 7080 \(269 withdrawn/);
  assert.match(status.stdout, /pypa\/advisory-database, CC-BY-4.0/);
  assert.match(status.stderr + twin.stderr, /no vulnerability database yet in .*; building it from the shipped advisory snapshot/, 'the first use says why it takes a second');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the first audit says it builds the database; later ones are silent on standard error', async () => {
  const data = join(dir, 'first-use');
  const first = await runCli(['audit', 'django==3.2', '--data', data]);
  assert.equal(first.code, 1, first.stderr);
  assert.match(first.stderr, /^gatehouse: no vulnerability database yet in .*first-use\/vulndb; building it from the shipped advisory snapshot \(about a second\)\n$/);
  const again = await runCli(['audit', 'django==3.2', '--data', data]);
  assert.equal(again.code, 1, again.stderr);
  assert.equal(again.stderr, '');
  assert.equal(again.stdout, first.stdout);
});

test('--help teaches: every option is described and examples are given', async () => {
  const r = await runCli(['audit', '--help']);
  assert.equal(r.code, 0);
  for (const option of ['--requirement', '--file', '--path', '--python', '--format', '--output', '--ignore', '--fix', '--dry-run', '--strict', '--data']) {
    assert.match(r.stdout, new RegExp(`${option}\\b`), option);
  }
  assert.match(r.stdout, /Examples:\n\s+gatehouse audit -r requirements.txt/);
  const v = await runCli(['vulndb', 'update', '--help']);
  assert.match(v.stdout, /--from <url\|path>/);
});

test('exit 1 with findings, 0 without, 2 on bad input', async () => {
  const vulnerable = await runCli(['audit', 'django==3.2.0', 'six==1.16.0'], { env });
  assert.equal(vulnerable.code, 1, vulnerable.stderr);
  assert.match(vulnerable.stdout, /^django\s+3\.2\.0\s+PYSEC-2021-7\s/m);
  assert.match(vulnerable.stdout, /Suggested upgrades.*\n\s+django 3\.2\.0 -> \d/);

  const clean = await runCli(['audit', 'six==1.16.0'], { env });
  assert.equal(clean.code, 0, clean.stderr);
  assert.match(clean.stdout, /No known vulnerabilities found in 1 dependencies/);

  for (const args of [['audit'], ['audit', 'django>=3'], ['audit', 'six==1.16.0', '--ignore', 'nope'], ['audit', 'six==1.16.0', '--dry-run']]) {
    const bad = await runCli(args, { env });
    assert.equal(bad.code, 2, `${args.join(' ')}: ${bad.stderr}`);
    assert.match(bad.stderr, /^gatehouse: .+ \[audit\.[a-z-]+\]\n$/, args.join(' '));
  }
});

test('a requirements tree in JSON, with an ignore and --strict', async () => {
  const r = await runCli(['audit', '-r', join(fixtures, 'requirements/requirements.txt'), '--format', 'json', '--ignore', 'PYSEC-2021-7:tracked in SEC-12'], {
    env: { ...env, JINJA_VERSION: '2.10.1' },
  });
  assert.equal(r.code, 1, r.stderr);
  const json = JSON.parse(r.stdout) as { dependencies: Array<{ name: string; vulns?: Array<{ id: string }>; skip_reason?: string }>; ignored: Array<{ id: string }> };
  const names = json.dependencies.map((d) => d.name);
  for (const n of ['django', 'requests', 'urllib3', 'jinja2', 'pillow', 'structlog', 'cryptography', 'simplejson']) assert.ok(names.includes(n), n);
  assert.ok(!json.dependencies.find((d) => d.name === 'django')?.vulns?.some((v) => v.id === 'PYSEC-2021-7'));
  assert.deepEqual(json.ignored.map((i) => i.id), ['PYSEC-2021-7']);
  assert.ok(json.dependencies.some((d) => d.name === 'PyYAML' && d.skip_reason?.includes('not pinned')));

  const strict = await runCli(['audit', 'six==1.16.0', '-f', join(fixtures, 'uv.lock'), '--ignore', 'PYSEC-2024-60', '--strict', '--format', 'markdown'], { env });
  assert.equal(strict.code, 1, 'unauditable local packages fail a --strict audit');
});

test('every lock format and an installed environment through the CLI', async () => {
  const files = ['pylock.toml', 'uv.lock', 'poetry-1.x/poetry.lock', 'poetry-2.x/poetry.lock', 'Pipfile.lock', 'pdm.lock', 'pyproject-pep621/pyproject.toml', 'pyproject-poetry/pyproject.toml'];
  const r = await runCli(['audit', ...files.flatMap((f) => ['-f', join(fixtures, f)]), '--path', join(fixtures, 'site-packages'), '--format', 'sarif', '-o', join(dir, 'out.sarif')], { env });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  const sarif = JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8')) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation: { artifactLocation: { uri: string } } }> }> }> };
  const uris = new Set(sarif.runs[0]?.results.flatMap((x) => x.locations.map((l) => l.physicalLocation.artifactLocation.uri)));
  for (const f of ['uv.lock', 'poetry-1.x/poetry.lock', 'Pipfile.lock', 'pdm.lock', 'pylock.toml', 'site-packages/requests-2.19.0.dist-info']) {
    assert.ok([...uris].some((u) => u.endsWith(f)), `a finding located in ${f}`);
  }
});

test('--python reads the interpreter\'s own site-packages', async () => {
  const venv = join(dir, 'venv');
  const made = spawnSync('python3', ['-m', 'venv', '--without-pip', venv], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  const site = spawnSync(join(venv, 'bin/python'), ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).stdout.trim();
  mkdirSync(join(site, 'urllib3-1.24.1.dist-info'), { recursive: true });
  writeFileSync(join(site, 'urllib3-1.24.1.dist-info/METADATA'), 'Metadata-Version: 2.1\nName: urllib3\nVersion: 1.24.1\n');
  const r = await runCli(['audit', '--python', join(venv, 'bin/python'), '--format', 'json'], { env });
  assert.equal(r.code, 1, r.stderr);
  const json = JSON.parse(r.stdout) as { dependencies: Array<{ name: string; version: string; vulns: unknown[] }> };
  const urllib3 = json.dependencies.find((d) => d.name === 'urllib3');
  assert.equal(urllib3?.version, '1.24.1');
  assert.ok((urllib3?.vulns.length ?? 0) > 0);
});

test('--fix --dry-run shows the rewrite; --fix applies it and the audit then passes', async () => {
  const work = join(dir, 'fix');
  mkdirSync(work);
  const file = join(work, 'requirements.txt');
  writeFileSync(file, 'six==1.16.0\nurllib3==1.24.1 \\\n    --hash=sha256:de9529817c93f27c8ccbfead6985011db27bd0ddfcdb2d86f3f663385c6a9c22\n');
  const original = readFileSync(file, 'utf8');
  const dry = await runCli(['audit', '-r', file, '--fix', '--dry-run'], { env });
  assert.equal(dry.code, 1);
  assert.match(dry.stderr, /would fix \S*requirements.txt:2: urllib3 1\.24\.1 -> (\S+) \(its --hash options were removed/);
  assert.match(dry.stderr, /^-urllib3==1\.24\.1 \\$/m);
  assert.equal(readFileSync(file, 'utf8'), original);

  const fixed = await runCli(['audit', '-r', file, '--fix'], { env });
  assert.equal(fixed.code, 0, fixed.stderr);
  const upgraded = /^urllib3==(\S+)$/m.exec(readFileSync(file, 'utf8'))?.[1];
  assert.ok(upgraded, 'the pin was rewritten');
  const again = await runCli(['audit', '-r', file], { env });
  assert.equal(again.code, 0, `after --fix, ${again.stdout}`);
});

test('vulndb update --from a directory, then query', async () => {
  const r = await runCli(['vulndb', 'update', '--from', join(fixtures, 'advisories/osv')], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^4 added, 0 updated, 0 unchanged; revision [0-9a-f]{16} \(was [0-9a-f]{16}\)\n$/);
  const q = await runCli(['vulndb', 'query', 'Demo.Pkg', '1.2'], { env });
  assert.equal(q.code, 1);
  assert.match(q.stdout, /^PYSEC-9000-1 {2}high 7\.5 {2}fixed in 1\.10 {2}CVE-9000-0001 GHSA-aaaa-bbbb-cccc$/m);
  const json = await runCli(['vulndb', 'query', 'demo_pkg', '1.2', '--json'], { env });
  const listed = JSON.parse(json.stdout) as Array<{ id: string; details?: string; references: unknown[]; fix_versions: string[] }>;
  const pysec = listed.find((a) => a.id === 'PYSEC-9000-1');
  assert.match(pysec?.details ?? '', /crafted path/, 'the long texts are read for --json');
  assert.equal(pysec?.references.length, 2);
  assert.deepEqual(pysec?.fix_versions, ['1.10']);
  const none = await runCli(['vulndb', 'query', 'demo-pkg', '1.10'], { env });
  assert.equal(none.code, 0);
  const same = await runCli(['vulndb', 'update', '--from', join(fixtures, 'advisories/osv')], { env });
  assert.match(same.stdout, /0 added, 0 updated, 4 unchanged; revision [0-9a-f]{16} \(no change\)/);
});

test('a reader that stops early (| head) ends the audit quietly, without an EPIPE stack', async () => {
  // A JSON report of these is ~600 kB, larger than a pipe's buffer, so the write fails after `head` exits.
  const pins = ['django==1.11', 'flask==0.10', 'jinja2==2.7', 'pillow==6.0.0', 'requests==2.0.0', 'urllib3==1.20', 'pyyaml==3.12', 'tensorflow==2.0.0'];
  const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
  const r = spawnSync('bash', ['-c', `"${process.execPath}" --import tsx "${cli}" audit --format json ${pins.join(' ')} | head -c 100 >/dev/null; echo "status \${PIPESTATUS[0]}" >&2`], {
    env: { ...process.env, ...env },
    cwd: fileURLToPath(new URL('../../', import.meta.url)),
    encoding: 'utf8',
  });
  assert.doesNotMatch(r.stderr, /EPIPE|Unhandled|at .*\.js:\d+/, r.stderr);
  assert.match(r.stderr, /status 1\n$/, 'the exit status still says findings were made');
});
