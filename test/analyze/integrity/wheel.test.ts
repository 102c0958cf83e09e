/**
 * Wheel integrity: wheels built by real tools pass; each deliberate defect
 * gives its own finding and nothing else.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { checkWheelIntegrity } from '../../../src/analyze/integrity/wheel.js';
import { readArchive } from '../../../src/archive/index.js';
import { buildWheel, type WheelSpec } from './wheel-builder.js';

const tamperScript = fileURLToPath(new URL('./tamper.py', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'gatehouse-integrity-'));
after(() => rmSync(work, { recursive: true, force: true }));

const WHEEL_NAME = 'gh_demo-0.1.0-py3-none-any.whl';
let builtWheel = '';

function run(command: string, args: string[], cwd: string): void {
  const env: NodeJS.ProcessEnv = { ...process.env, PIP_CONFIG_FILE: '/dev/null' };
  delete env.PIP_FIND_LINKS;
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.status}): ${r.error?.message ?? ''}${r.stderr}`);
}

before(() => {
  const project = join(work, 'project');
  mkdirSync(join(project, 'src', 'gh_demo'), { recursive: true });
  writeFileSync(
    join(project, 'pyproject.toml'),
    '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n\n' +
      '[project]\nname = "gh-demo"\nversion = "0.1.0"\ndescription = "integrity test project"\n\n' +
      '[tool.setuptools.packages.find]\nwhere = ["src"]\n',
  );
  writeFileSync(join(project, 'src', 'gh_demo', '__init__.py'), 'VALUE = 1\n');
  // No network: Debian's setuptools, no isolated build environment.
  run('/usr/bin/python3', ['-m', 'build', '--wheel', '--no-isolation', '--outdir', join(work, 'dist'), '.'], project);
  assert.deepEqual(readdirSync(join(work, 'dist')), [WHEEL_NAME]);
  builtWheel = join(work, 'dist', WHEEL_NAME);
  // pip from Debian (the pyenv pip has no `wheel` for its old setuptools); isolated, no index, no build isolation.
  run(
    '/usr/bin/python3',
    ['-m', 'pip', '--isolated', 'wheel', '--no-build-isolation', '--no-deps', '--no-index', '-w', join(work, 'pip-dist'), '.'],
    project,
  );
  assert.deepEqual(readdirSync(join(work, 'pip-dist')), [WHEEL_NAME]);
});

async function check(path: string, filename: string): Promise<{ archive: string[]; integrity: string[]; messages: string[] }> {
  const contents = await readArchive(path);
  const findings = checkWheelIntegrity(filename, contents);
  return {
    archive: contents.findings.map((f) => f.rule),
    integrity: [...new Set(findings.map((f) => f.rule))].sort(),
    messages: findings.map((f) => f.message),
  };
}

function tampered(operation: string): string {
  const dir = join(work, operation);
  mkdirSync(dir, { recursive: true });
  const out = join(dir, WHEEL_NAME);
  run('python3', [tamperScript, builtWheel, out, operation], work);
  return out;
}

describe('wheels built by real tools pass', () => {
  it('python -m build (setuptools)', async () => {
    const r = await check(builtWheel, WHEEL_NAME);
    assert.deepEqual(r, { archive: [], integrity: [], messages: [] });
  });
  it('pip wheel (setuptools)', async () => {
    const r = await check(join(work, 'pip-dist', WHEEL_NAME), WHEEL_NAME);
    assert.deepEqual(r, { archive: [], integrity: [], messages: [] });
  });
  it('rewritten by Python zipfile with a regenerated RECORD', async () => {
    const r = await check(tampered('none'), WHEEL_NAME);
    assert.deepEqual(r, { archive: [], integrity: [], messages: [] });
  });
});

describe('each defect gives its finding', () => {
  const cases: { operation: string; rules: string[]; message?: RegExp }[] = [
    { operation: 'changed-file', rules: ['integrity.record-hash-mismatch'], message: /gh_demo\/__init__\.py has sha256=/ },
    { operation: 'unlisted-file', rules: ['integrity.unlisted-file'], message: /gh_demo\/evil\.py/ },
    { operation: 'missing-row', rules: ['integrity.unlisted-file'], message: /gh_demo\/__init__\.py/ },
    { operation: 'wrong-size', rules: ['integrity.record-size-mismatch'], message: /is 10 bytes, RECORD says 11/ },
    { operation: 'extra-row', rules: ['integrity.record-missing-file'], message: /ghost\.py/ },
    { operation: 'wrong-tag', rules: ['integrity.tag-mismatch'], message: /cp311-cp311-manylinux_2_17_x86_64/ },
    { operation: 'platlib', rules: ['integrity.purelib-mismatch'] },
    { operation: 'native-in-pure', rules: ['integrity.native-code-in-pure-wheel'], message: /_speedups\.so/ },
    { operation: 'metadata-name', rules: ['integrity.metadata-mismatch'], message: /other-project/ },
    { operation: 'metadata-version', rules: ['integrity.metadata-mismatch'], message: /0\.2\.0/ },
    { operation: 'second-dist-info', rules: ['integrity.dist-info'], message: /2 \*\.dist-info directories/ },
    { operation: 'no-wheel-file', rules: ['integrity.missing-metadata-file'], message: /WHEEL/ },
    { operation: 'md5-record', rules: ['integrity.record-weak-hash'] },
  ];
  for (const { operation, rules, message } of cases) {
    it(operation, async () => {
      const r = await check(tampered(operation), WHEEL_NAME);
      assert.deepEqual(r.archive, []);
      assert.deepEqual(r.integrity, rules, r.messages.join('\n'));
      if (message) assert.ok(r.messages.some((m) => message.test(m)), r.messages.join('\n'));
    });
  }
});

describe('names, versions and tags against the file name', () => {
  const base: WheelSpec = { distInfo: 'foo_bar-1.0.dist-info', name: 'Foo.Bar', version: '1.0', tags: ['py2-none-any', 'py3-none-any'] };
  const cases: { title: string; filename: string; spec: WheelSpec; rules: string[] }[] = [
    { title: 'PEP 427 escaping and compressed tag sets match', filename: 'foo_bar-1.0-py2.py3-none-any.whl', spec: base, rules: [] },
    {
      title: 'an unnormalized version in the dist-info directory still matches',
      filename: 'foo_bar-1.0-py2.py3-none-any.whl',
      spec: { ...base, distInfo: 'Foo.Bar-1.0.0.dist-info', version: '1.0.0' },
      rules: [],
    },
    {
      title: 'an old unescaped dist-info name still matches',
      filename: 'foo_bar-1.0-py2.py3-none-any.whl',
      spec: { ...base, distInfo: 'foo-bar-1.0.dist-info' },
      rules: [],
    },
    {
      title: 'WHEEL may write the tag set compressed',
      filename: 'foo_bar-1.0-py2.py3-none-any.whl',
      spec: { ...base, tags: ['py2.py3-none-any'] },
      rules: [],
    },
    {
      title: 'a dist-info directory for another project',
      filename: 'foo_bar-1.0-py2.py3-none-any.whl',
      spec: { ...base, distInfo: 'requests-1.0.dist-info' },
      rules: ['integrity.dist-info-mismatch'],
    },
    {
      title: 'a dist-info directory for another version',
      filename: 'foo_bar-1.0-py2.py3-none-any.whl',
      spec: { ...base, distInfo: 'foo_bar-2.0.dist-info' },
      rules: ['integrity.dist-info-mismatch'],
    },
    {
      title: 'a platform wheel may be platlib, and WHEEL lists every tag',
      filename: 'foo_bar-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
      spec: {
        ...base,
        purelib: false,
        tags: ['cp311-cp311-manylinux_2_17_x86_64', 'cp311-cp311-manylinux2014_x86_64'],
        files: { 'foo_bar/_native.so': 'ELF' },
      },
      rules: [],
    },
    {
      title: 'an ELF library renamed to look like data, in a pure wheel',
      filename: 'foo_bar-1.0-py2.py3-none-any.whl',
      spec: { ...base, files: { 'foo_bar/model.bin': '\x7fELF\x02\x01\x01\x00' } },
      rules: ['integrity.native-code-in-pure-wheel'],
    },
    {
      title: 'a WHEEL missing one of the file name\'s tags',
      filename: 'foo_bar-1.0-py2.py3-none-any.whl',
      spec: { ...base, tags: ['py3-none-any'] },
      rules: ['integrity.tag-mismatch'],
    },
    {
      title: 'an invalid file name',
      filename: 'foo-bar-baz.whl',
      spec: base,
      rules: ['integrity.invalid-filename'],
    },
    {
      title: 'a RECORD line that is not three fields, and a file listed twice',
      filename: 'foo_bar-1.0-py2.py3-none-any.whl',
      spec: { ...base, files: { 'a,b.py': 'x' }, extraRecord: ['broken line', '"a,b.py",sha256=LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564,1'] },
      rules: ['integrity.record-invalid'],
    },
  ];
  for (const { title, filename, spec, rules } of cases) {
    it(title, async () => {
      const path = join(work, `${title.replace(/\W+/g, '-')}.whl`);
      writeFileSync(path, buildWheel(spec));
      const r = await check(path, filename);
      assert.deepEqual(r.archive, []);
      assert.deepEqual(r.integrity, rules, r.messages.join('\n'));
    });
  }
});

describe('what cannot be checked is said, not passed', () => {
  it('a wheel read without its dist-info files reports them as unverifiable', async () => {
    const contents = await readArchive(builtWheel, { want: () => false });
    const rules = new Set(checkWheelIntegrity(WHEEL_NAME, contents).map((f) => f.rule));
    assert.deepEqual([...rules], ['integrity.unverifiable']);
  });
  it('a file over the size limit has no hash, so its RECORD line is unverifiable', async () => {
    const path = join(work, 'big-member.whl');
    writeFileSync(
      path,
      buildWheel({ distInfo: 'big-1.0.dist-info', name: 'big', version: '1.0', tags: ['py3-none-any'], files: { 'big/data.txt': 'x'.repeat(10_000) } }),
    );
    const contents = await readArchive(path, { limits: { maxFileUncompressed: 5000 } });
    assert.deepEqual(
      contents.findings.map((f) => [f.rule, f.file]),
      [['archive.file-too-large', 'big/data.txt']],
    );
    const findings = checkWheelIntegrity('big-1.0-py3-none-any.whl', contents);
    assert.deepEqual(
      findings.map((f) => [f.rule, f.file]),
      [['integrity.unverifiable', 'big/data.txt']],
    );
  });
});
