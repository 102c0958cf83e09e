/**
 * Every input format, read from real-looking files in test/fixtures/audit:
 * which dependencies are pinned (name==version, where found) and which are
 * reported as unauditable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { DependencySet } from '../../src/audit/dependency.js';
import { readInstalled } from '../../src/audit/environment.js';
import { detectKind, readInputFile, readPinArgument } from '../../src/audit/inputs.js';
import { AuditInputError } from '../../src/audit/errors.js';
import { parsePdmLock } from '../../src/audit/pdmlock.js';
import { parsePipfileLock } from '../../src/audit/pipfilelock.js';
import { parsePoetryLock } from '../../src/audit/poetrylock.js';
import { parsePylock } from '../../src/audit/pylock.js';
import { parsePyproject } from '../../src/audit/pyproject.js';
import { parseUvLock } from '../../src/audit/uvlock.js';

const fixtures = fileURLToPath(new URL('../fixtures/audit/', import.meta.url));

function pins(set: DependencySet): string[] {
  return set.pinned.map((p) => `${p.name}==${p.version}`).sort();
}
function skipped(set: DependencySet): string[] {
  return set.unauditable.map((u) => u.name).sort();
}

const lockCases: Array<{ file: string; pinned: string[]; unauditable: string[] }> = [
  { file: 'pylock.toml', pinned: ['Jinja2==2.10', 'certifi==2023.7.22', 'markupsafe==2.1.3'], unauditable: ['internal-tools', 'myapp'] },
  { file: 'uv.lock', pinned: ['anyio==4.8.0', 'idna==3.6', 'numpy==1.26.4', 'numpy==2.0.0', 'pillow==9.0.0', 'shared-utils==1.2.0', 'sniffio==1.3.1'], unauditable: ['myservice', 'workspace-lib'] }, // a forked resolution locks two numpys
  {
    file: 'poetry-1.x/poetry.lock',
    pinned: ['certifi==2021.10.8', 'charset-normalizer==2.0.12', 'pytest==6.2.5', 'requests==2.25.1', 'urllib3==1.26.4'],
    unauditable: ['company-common'],
  },
  {
    file: 'poetry-2.x/poetry.lock',
    pinned: ['aiohttp==3.9.1', 'aiosignal==1.3.1', 'black==24.1.0', 'corp-metrics==3.1.0', 'internal-sdk==2.0.0', 'yarl==1.9.4'],
    unauditable: ['vendored'], // a file source; a legacy (other index) source keeps its version
  },
  { file: 'Pipfile.lock', pinned: ['flask==2.2.2', 'pytest==7.4.0', 'werkzeug==2.2.2'], unauditable: ['mylib', 'tools'] },
  { file: 'pdm.lock', pinned: ['cffi==1.16.0', 'cryptography==41.0.0', 'requests==2.31.0'], unauditable: ['mytool'] },
  {
    file: 'pyproject-pep621/pyproject.toml',
    pinned: ['fastapi==0.65.1', 'openpyxl==3.0.5', 'orjson==3.9.0', 'pydantic==1.8.1', 'pytest==7.1.0', 'uvicorn==0.22.0'],
    unauditable: ['httpx', 'internal-lib', 'ruff'],
  },
  {
    file: 'pyproject-poetry/pyproject.toml',
    pinned: ['black==22.3.0', 'celery==5.2.1', 'lxml==4.6.2', 'mypy==0.910', 'redis==4.1.0'],
    unauditable: ['local-utils', 'pytest', 'sqlalchemy', 'tools'],
  },
];

for (const c of lockCases) {
  test(`${c.file}: pinned and unauditable dependencies`, async () => {
    const set = await readInputFile(join(fixtures, c.file), {}, fixtures);
    assert.deepEqual(pins(set), c.pinned);
    assert.deepEqual(skipped(set), c.unauditable);
  });
}

test('requirements: includes, constraints, hashes, markers, extras, continuations, env vars, URLs', async () => {
  const set = await readInputFile(join(fixtures, 'requirements/requirements.txt'), { JINJA_VERSION: '2.10.1' }, fixtures);
  assert.deepEqual(pins(set), [
    'Flask==0.12',
    'cryptography==3.3.1', // base.txt, `===`
    'django==3.2.0', // continued over three lines with --hash options
    'jinja2==2.10.1', // ${JINJA_VERSION}
    'numpy==1.21.0', // one pin per marker
    'numpy==1.24.0',
    'pillow==8.0.0', // name @ URL of a wheel: the file name names the version
    'requests==2.19.0', // extras and a marker
    'simplejson==3.17.0', // a local sdist path
    'structlog==20.1.0', // common/logging.txt, included from base.txt
    'urllib3==1.26.4', // unpinned, but constraints.txt pins it
  ]);
  assert.deepEqual(skipped(set), ['PyYAML', 'internal-auth', 'mypkg']);
  const origin = (name: string) => set.pinned.find((p) => p.name === name)?.origin;
  assert.equal(origin('django'), 'requirements/requirements.txt:8');
  assert.equal(origin('structlog'), 'requirements/common/logging.txt:1');
  assert.equal(origin('urllib3'), 'requirements/constraints.txt:2');
  assert.ok(!set.pinned.some((p) => p.name === 'idna'), 'a constraint alone does not make a package a dependency');
});

test('requirements: an undefined ${VAR} stays as written, as pip does, and the line is refused with its place', async () => {
  await assert.rejects(
    readInputFile(join(fixtures, 'requirements/requirements.txt'), {}, fixtures),
    (err: unknown) => err instanceof AuditInputError && err.message.startsWith('requirements/requirements.txt:14:'),
  );
});

test('site-packages: *.dist-info and *.egg-info metadata', () => {
  const set = readInstalled([join(fixtures, 'site-packages')]);
  assert.deepEqual(pins(set), ['PyYAML==5.3', 'requests==2.19.0', 'urllib3==1.24.1']);
});

test('file kinds are recognised by name', () => {
  const table: Array<[string, string]> = [
    ['pylock.toml', 'pylock'],
    ['pylock.dev.toml', 'pylock'],
    ['a/uv.lock', 'uv.lock'],
    ['poetry.lock', 'poetry.lock'],
    ['Pipfile.lock', 'Pipfile.lock'],
    ['pdm.lock', 'pdm.lock'],
    ['pyproject.toml', 'pyproject.toml'],
    ['requirements-dev.txt', 'requirements'],
    ['constraints.in', 'requirements'],
  ];
  for (const [file, kind] of table) assert.equal(detectKind(file), kind, file);
});

test('name==version arguments must be exact pins', () => {
  assert.deepEqual(pins(readPinArgument('Django==3.2.0')), ['Django==3.2.0']);
  assert.deepEqual(pins(readPinArgument('requests[socks] === 2.19.0')), ['requests==2.19.0']);
  for (const bad of ['django', 'django>=3', 'django==3.*', 'not a requirement!']) {
    assert.throws(() => readPinArgument(bad), AuditInputError, bad);
  }
});

test('malformed inputs are refused with the file named', async () => {
  const cases: Array<[string, (text: string, origin: string) => DependencySet, RegExp]> = [
    ['lock-version = "1.0"\n[[packages]\n', parsePylock, /pylock.toml is not valid TOML/],
    ['[[packages]]\nname = "x"\nversion = "1"\n', parsePylock, /needs `lock-version`/],
    ['lock-version = "2.0"\n', parsePylock, /lock-version 2.0 is not supported/],
    ['[[package]]\nname = "x"\n', parseUvLock, /needs a top-level `version`/],
    ['[[package]]\nname = "x"\nversion = "1"\n', parsePoetryLock, /lock-version/],
    ['{"default": {}}', parsePipfileLock, /`_meta`/],
    ['{"_meta": ', parsePipfileLock, /not valid JSON/],
    ['[[package]]\nname = "x"\n', parsePdmLock, /\[metadata\]/],
    ['[project]\ndependencies = ["requests >="]\n', parsePyproject, /pyproject.toml:2/],
  ];
  for (const [text, parse, message] of cases) {
    assert.throws(() => parse(text, parse === parsePyproject ? 'pyproject.toml' : 'pylock.toml'), (err: unknown) => err instanceof AuditInputError && message.test(err.message), String(message));
  }
  await assert.rejects(readInputFile(join(fixtures, 'does-not-exist/uv.lock'), {}, fixtures), AuditInputError);
});

test('lock entries with a version that is not PEP 440 are reported, not matched', () => {
  const set = parseUvLock('version = 1\n[[package]]\nname = "odd"\nversion = "2019-09-12"\nsource = { registry = "https://pypi.org/simple" }\n', 'uv.lock');
  assert.deepEqual(set.pinned, []);
  assert.match(set.unauditable[0]?.reason ?? '', /not a PEP 440 version/);
});
