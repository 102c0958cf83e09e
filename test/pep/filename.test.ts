/**
 * Distribution file names, from the examples of PEP 427, PEP 491, PEP 625 and the binary and source distribution
 * format specs, and the shapes real indexes serve.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseDistFilename,
  parseSdistFilename,
  parseWheelFilename,
  wheelFilenameEscape,
} from '../../src/pep/filename.js';
import { InvalidFilenameError } from '../../src/pep/errors.js';

test('wheel names parse into their parts', () => {
  const cases: Array<{
    file: string;
    name: string;
    normalized: string;
    version: string;
    build: { number: number; rest: string } | null;
    python: string[];
    abi: string[];
    platform: string[];
  }> = [
    {
      file: 'foo-1.0-1-py2.py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl',
      name: 'foo',
      normalized: 'foo',
      version: '1.0',
      build: { number: 1, rest: '' },
      python: ['py2', 'py3'],
      abi: ['none'],
      platform: ['manylinux_2_17_x86_64', 'manylinux2014_x86_64'],
    },
    // PEP 427's own example.
    {
      file: 'distribution-1.0-1-py27-none-any.whl',
      name: 'distribution',
      normalized: 'distribution',
      version: '1.0',
      build: { number: 1, rest: '' },
      python: ['py27'],
      abi: ['none'],
      platform: ['any'],
    },
    {
      file: 'Flask_RESTful-0.3.10-py2.py3-none-any.whl',
      name: 'Flask_RESTful',
      normalized: 'flask-restful',
      version: '0.3.10',
      build: null,
      python: ['py2', 'py3'],
      abi: ['none'],
      platform: ['any'],
    },
    {
      file: 'zope.interface-6.0-cp311-cp311-win_amd64.whl',
      name: 'zope.interface',
      normalized: 'zope-interface',
      version: '6.0',
      build: null,
      python: ['cp311'],
      abi: ['cp311'],
      platform: ['win_amd64'],
    },
    {
      file: 'pkg-2.0.post1-20240101abc-cp38-abi3-macosx_11_0_arm64.whl',
      name: 'pkg',
      normalized: 'pkg',
      version: '2.0.post1',
      build: { number: 20240101, rest: 'abc' },
      python: ['cp38'],
      abi: ['abi3'],
      platform: ['macosx_11_0_arm64'],
    },
    // A non-normalized version is accepted and normalized; the file keeps its spelling.
    {
      file: 'foo-1.0_RC1-py3-none-any.whl',
      name: 'foo',
      normalized: 'foo',
      version: '1.0rc1',
      build: null,
      python: ['py3'],
      abi: ['none'],
      platform: ['any'],
    },
    {
      file: 'foo-1!2.0+local.7-py3-none-any.whl',
      name: 'foo',
      normalized: 'foo',
      version: '1!2.0+local.7',
      build: null,
      python: ['py3'],
      abi: ['none'],
      platform: ['any'],
    },
  ];
  for (const c of cases) {
    const w = parseWheelFilename(c.file);
    assert.equal(w.kind, 'wheel', c.file);
    assert.equal(w.filename, c.file);
    assert.equal(w.name, c.name, c.file);
    assert.equal(w.normalizedName, c.normalized, c.file);
    assert.equal(w.version, c.version, c.file);
    assert.deepEqual(w.buildTag, c.build, c.file);
    assert.deepEqual(w.pythonTags, c.python, c.file);
    assert.deepEqual(w.abiTags, c.abi, c.file);
    assert.deepEqual(w.platformTags, c.platform, c.file);
    assert.equal(w.tags().length, c.python.length * c.abi.length * c.platform.length, c.file);
  }
});

test('a compressed tag set expands to every combination', () => {
  const w = parseWheelFilename('foo-1.0-py2.py3-none.abi3-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
  const tags = w.tags().map((t) => `${t.python}-${t.abi}-${t.platform}`);
  assert.deepEqual(tags.sort(), [
    'py2-abi3-manylinux2014_x86_64',
    'py2-abi3-manylinux_2_17_x86_64',
    'py2-none-manylinux2014_x86_64',
    'py2-none-manylinux_2_17_x86_64',
    'py3-abi3-manylinux2014_x86_64',
    'py3-abi3-manylinux_2_17_x86_64',
    'py3-none-manylinux2014_x86_64',
    'py3-none-manylinux_2_17_x86_64',
  ]);
  // Installers compare tags lower-cased (packaging.tags.Tag does the same).
  assert.deepEqual(parseWheelFilename('Foo-1.0-Py3-None-Any.whl').tags(), [{ python: 'py3', abi: 'none', platform: 'any' }]);
});

test('invalid wheel names are refused with the reason', () => {
  const cases: Array<[string, RegExp]> = [
    ['foo-1.0-py3-none-any.zip', /must end with "\.whl"/],
    ['foo-1.0-py3-any.whl', /5 or 6 dash-separated parts, this one has 4/],
    ['foo-1.0.whl', /this one has 2/],
    ['foo-bar-1.0-1-py3-none-any.whl', /this one has 7.*must be escaped/],
    ['foo-bar-1.0-py3-none-any.whl', /"bar" is not a valid PEP 440 version \(a "-" inside the name must be escaped/],
    ['foo-1.0-py3-1-none-any.whl', /the build tag "py3" must start with a digit/],
    ['foo-1.0-abc-py3-none-any.whl', /the build tag "abc" must start with a digit/],
    ['foo-1.0--py3-none-any.whl', /the build tag "" must start with a digit/],
    ['foo-notaversion-py3-none-any.whl', /"notaversion" is not a valid PEP 440 version/],
    ['foo-1.0.0.dev1.dev2-py3-none-any.whl', /not a valid PEP 440 version/],
    ['foo__bar-1.0-py3-none-any.whl', /not a validly escaped project name/],
    ['foo bar-1.0-py3-none-any.whl', /not a validly escaped project name/],
    ['-1.0-py3-none-any.whl', /not a validly escaped project name/],
    ['_foo-1.0-py3-none-any.whl', /not a validly escaped project name/],
    ['fóo-1.0-py3-none-any.whl', /not a validly escaped project name/],
    ['foo-1.0-py3--any.whl', /the abi tag set "" has an empty tag/],
    ['foo-1.0-py2..py3-none-any.whl', /the python tag set "py2\.\.py3" has an empty tag/],
    ['foo-1.0-py3-none-any/x.whl', /the platform tag "any\/x" may only have letters, digits and "_"/],
    ['foo-1.0-py3-none-any/../x.whl', /the platform tag set "any\/\.\.\/x" has an empty tag/],
    ['foo-1.0-py3-none-linux x86.whl', /the platform tag "linux x86" may only/],
    ['../foo-1.0-py3-none-any.whl', /"\.\.\/foo" is not a validly escaped project name/],
  ];
  for (const [file, reason] of cases) {
    assert.throws(
      () => parseWheelFilename(file),
      (e: unknown) => e instanceof InvalidFilenameError && e.code === 'pep.invalid-filename' && reason.test(e.message),
      file,
    );
  }
});

test('sdist names: PEP 625 form and legacy forms', () => {
  const cases: Array<{
    file: string;
    project?: string;
    name: string;
    normalized: string;
    version: string;
    extension: string;
    legacy: boolean;
  }> = [
    // PEP 625: `{normalized name with _}-{normalized version}.tar.gz`.
    { file: 'foo_bar-1.0.tar.gz', name: 'foo_bar', normalized: 'foo-bar', version: '1.0', extension: '.tar.gz', legacy: false },
    { file: 'foo-2.0rc1.tar.gz', name: 'foo', normalized: 'foo', version: '2.0rc1', extension: '.tar.gz', legacy: false },
    { file: 'Foo_Bar-1.0.tar.gz', name: 'Foo_Bar', normalized: 'foo-bar', version: '1.0', extension: '.tar.gz', legacy: true },
    { file: 'foo-bar-1.0.zip', name: 'foo-bar', normalized: 'foo-bar', version: '1.0', extension: '.zip', legacy: true },
    { file: 'foo-1.0.tar.bz2', name: 'foo', normalized: 'foo', version: '1.0', extension: '.tar.bz2', legacy: true },
    { file: 'foo-1.0.tgz', name: 'foo', normalized: 'foo', version: '1.0', extension: '.tgz', legacy: true },
    { file: 'foo-1.0.tar', name: 'foo', normalized: 'foo', version: '1.0', extension: '.tar', legacy: true },
    { file: 'zope.interface-6.0.tar.gz', name: 'zope.interface', normalized: 'zope-interface', version: '6.0', extension: '.tar.gz', legacy: true },
    { file: 'foo-1.0_RC1.tar.gz', name: 'foo', normalized: 'foo', version: '1.0rc1', extension: '.tar.gz', legacy: true },
    // Legacy versions with a dash: only the project name says where the name ends.
    { file: 'foo-bar-1.0-1.tar.gz', project: 'foo-bar', name: 'foo-bar', normalized: 'foo-bar', version: '1.0.post1', extension: '.tar.gz', legacy: true },
    { file: 'foo-1-1.zip', project: 'foo', name: 'foo', normalized: 'foo', version: '1.post1', extension: '.zip', legacy: true },
    { file: 'foo-1-1.zip', project: 'Foo-1', name: 'foo-1', normalized: 'foo-1', version: '1', extension: '.zip', legacy: true },
    { file: 'Django-1.0-beta.tar.gz', project: 'django', name: 'Django', normalized: 'django', version: '1.0b0', extension: '.tar.gz', legacy: true },
    { file: 'python-dateutil-2.8.2.tar.gz', project: 'python_dateutil', name: 'python-dateutil', normalized: 'python-dateutil', version: '2.8.2', extension: '.tar.gz', legacy: true },
  ];
  for (const c of cases) {
    const s = parseSdistFilename(c.file, c.project);
    assert.equal(s.kind, 'sdist', c.file);
    assert.equal(s.name, c.name, c.file);
    assert.equal(s.normalizedName, c.normalized, c.file);
    assert.equal(s.version, c.version, c.file);
    assert.equal(s.extension, c.extension, c.file);
    assert.equal(s.legacy, c.legacy, c.file);
  }
});

test('without the project name a legacy name splits at the last dash, like packaging', () => {
  assert.equal(parseSdistFilename('foo-1-1.zip').name, 'foo-1');
  assert.throws(() => parseSdistFilename('Django-1.0-beta.tar.gz'), /"beta" is not a valid PEP 440 version/);
});

test('invalid sdist names are refused with the reason', () => {
  const cases: Array<[string, string | undefined, RegExp]> = [
    ['foo-1.0.rar', undefined, /must end with one of \.tar\.gz/],
    ['foo-1.0.whl.tar', undefined, /"1\.0\.whl" is not a valid PEP 440 version/],
    ['foo.tar.gz', undefined, /separate name and version/],
    ['-1.0.tar.gz', undefined, /"" is not a valid project name/],
    ['foo bar-1.0.tar.gz', undefined, /"foo bar" is not a valid project name/],
    ['../foo-1.0.tar.gz', undefined, /"\.\.\/foo" is not a valid project name/],
    ['foo-bar.tar.gz', undefined, /"bar" is not a valid PEP 440 version/],
    ['bar-1.0.tar.gz', 'foo', /does not start with the project name "foo"/],
  ];
  for (const [file, project, reason] of cases) {
    assert.throws(
      () => parseSdistFilename(file, project),
      (e: unknown) => e instanceof InvalidFilenameError && reason.test(e.message),
      file,
    );
  }
});

test('parseDistFilename dispatches on the extension and checks the project', () => {
  assert.equal(parseDistFilename('foo-1.0-py3-none-any.whl').kind, 'wheel');
  assert.equal(parseDistFilename('foo-1.0.tar.gz').kind, 'sdist');
  assert.equal(parseDistFilename('Foo_Bar-1.0-py3-none-any.whl', 'foo.bar').normalizedName, 'foo-bar');
  assert.throws(() => parseDistFilename('foo-1.0-py3-none-any.whl', 'bar'), /for "foo", not for "bar"/);
  assert.throws(() => parseDistFilename('foo-1.0.exe'), InvalidFilenameError);
});

test('escaping names and versions for file names', () => {
  const cases: Array<[string, 'name' | 'version', string]> = [
    ['foo-bar', 'name', 'foo_bar'],
    ['Foo.Bar', 'name', 'foo_bar'],
    ['foo--_..bar', 'name', 'foo_bar'],
    ['zope.interface', 'name', 'zope_interface'],
    ['1.0', 'version', '1.0'],
    ['1.0-1', 'version', '1.0.post1'],
    ['1.0-RC1', 'version', '1.0rc1'],
    ['v2.0+Local-7', 'version', '2.0+local.7'],
  ];
  for (const [input, component, expected] of cases) {
    assert.equal(wheelFilenameEscape(input, component), expected, `${component} ${input}`);
  }
  assert.throws(() => wheelFilenameEscape('not a version', 'version'), InvalidFilenameError);
  // An escaped name and version always make a file name that parses back to the same project and version.
  const w = parseWheelFilename(`${wheelFilenameEscape('Foo.Bar-baz')}-${wheelFilenameEscape('1.0-1', 'version')}-py3-none-any.whl`);
  assert.equal(w.normalizedName, 'foo-bar-baz');
  assert.equal(w.version, '1.0.post1');
});
