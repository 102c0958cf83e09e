/**
 * Differential test of the filename parsers against `packaging.utils.parse_wheel_filename` and
 * `parse_sdist_filename` (test/pep/oracle/filename_oracle.py), over the real wheels in /opt/pypi/files and a
 * generated cross product of name, version, build tag and tag parts.
 *
 * Where the two may disagree is written down: packaging accepts name parts that are not project names at all
 * (empty, `_foo`, non-ASCII, `foo bar` in an sdist) and tags that are empty or hold other characters than
 * letters, digits and `_` (`py3--any`, `any/../x`); we refuse those.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSdistFilename, parseWheelFilename, type DistFilename } from '../../src/pep/filename.js';
import { isValidName } from '../../src/pep/name.js';
import { runPythonJsonLines } from '../helpers/python.js';

const ORACLE = fileURLToPath(new URL('./oracle/filename_oracle.py', import.meta.url));
const PYPI_FILES = '/opt/pypi/files';

interface Case {
  kind: 'wheel' | 'sdist';
  filename: string;
}
interface OracleAnswer {
  ok: boolean;
  name?: string;
  version?: string;
  build?: [number, string] | null;
  tags?: string[];
  error?: string;
}

function ours(c: Case): DistFilename | Error {
  try {
    return c.kind === 'wheel' ? parseWheelFilename(c.filename) : parseSdistFilename(c.filename);
  } catch (e) {
    return e as Error;
  }
}

/** The cases where we refuse on purpose what packaging accepts. */
function knownStricter(c: Case): boolean {
  if (c.kind === 'sdist') {
    const stem = c.filename.replace(/\.(tar\.gz|zip)$/, '');
    return !isValidName(stem.slice(0, stem.lastIndexOf('-')));
  }
  const parts = c.filename.slice(0, -4).split('-');
  const name = parts[0] ?? '';
  const badName = !/^[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?$/.test(name);
  const badTag = parts.slice(-3).some((p) => p.split('.').some((t) => !/^[A-Za-z0-9_]+$/.test(t)));
  return badName || badTag;
}

function compare(cases: Case[]): { agreed: number; stricter: number } {
  const answers = runPythonJsonLines(ORACLE, cases) as OracleAnswer[];
  assert.equal(answers.length, cases.length);
  let agreed = 0;
  let stricter = 0;
  cases.forEach((c, i) => {
    const expected = answers[i] as OracleAnswer;
    const actual = ours(c);
    if (actual instanceof Error) {
      if (expected.ok) {
        assert.ok(knownStricter(c), `${c.filename}: packaging accepts it, we refuse: ${actual.message}`);
        stricter++;
      } else agreed++;
      return;
    }
    assert.ok(expected.ok, `${c.filename}: packaging refuses it (${expected.error}), we accept it`);
    assert.equal(actual.normalizedName, expected.name, `${c.filename}: name`);
    assert.equal(actual.version, expected.version, `${c.filename}: version`);
    if (actual.kind === 'wheel') {
      const build = actual.buildTag === null ? null : [actual.buildTag.number, actual.buildTag.rest];
      assert.deepEqual(build, expected.build, `${c.filename}: build tag`);
      const tags = [...new Set(actual.tags().map((t) => `${t.python}-${t.abi}-${t.platform}`))].sort();
      assert.deepEqual(tags, expected.tags, `${c.filename}: tags`);
    }
    agreed++;
  });
  return { agreed, stricter };
}

test('every real wheel in /opt/pypi/files parses as packaging parses it', () => {
  assert.ok(existsSync(PYPI_FILES), `${PYPI_FILES} is missing: this test needs the real PyPI wheels`);
  const files = readdirSync(PYPI_FILES);
  const cases: Case[] = files.map((filename) => ({ kind: filename.endsWith('.whl') ? 'wheel' : 'sdist', filename }));
  assert.ok(cases.length > 500, `expected hundreds of files in ${PYPI_FILES}, found ${cases.length}`);
  const { agreed, stricter } = compare(cases);
  // Real files are all valid: no refusals at all, on either side.
  assert.equal(stricter, 0);
  assert.equal(agreed, cases.length);
  for (const c of cases) assert.ok(!(ours(c) instanceof Error), c.filename);
});

test('generated wheel and sdist names agree with packaging', () => {
  const names = ['foo', 'Foo_Bar', 'foo.bar', 'foo__bar', '_foo', 'foo_', 'f', '', 'fóo', 'foo-bar', 'foo bar', 'a1.b2_c3'];
  const versions = ['1.0', '1.0.post1', 'v1.0', '1.0+local.7', '1!2.0', '1.0rc1', '1.0_RC1', 'bad', '1.0-1', '2024.01.01', ''];
  const builds = [null, '1', '1abc', 'abc', '', '007x'];
  const tagSets = ['py3-none-any', 'py2.py3-none-any', 'cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64', 'py3--any', 'Py3-None-Any', 'py3-none', 'py3-none-any/../x'];
  const cases: Case[] = [];
  for (const name of names) {
    for (const version of versions) {
      for (const build of builds) {
        for (const tags of tagSets) {
          cases.push({ kind: 'wheel', filename: `${name}-${version}${build === null ? '' : `-${build}`}-${tags}.whl` });
        }
      }
      for (const ext of ['.tar.gz', '.zip']) cases.push({ kind: 'sdist', filename: `${name}-${version}${ext}` });
    }
  }
  cases.push(
    { kind: 'wheel', filename: 'foo-1.0-py3-none-any' },
    { kind: 'wheel', filename: 'foo-1.0-py3-none-any.zip' },
    { kind: 'sdist', filename: 'foo-1.0.tar.bz2x' },
    { kind: 'sdist', filename: 'foo1.0.tar.gz' },
  );
  const { agreed, stricter } = compare(cases);
  assert.equal(agreed + stricter, cases.length);
  // Both kinds of outcome are exercised, so the comparison is not vacuous.
  assert.ok(agreed > 1000 && stricter > 0, `agreed ${agreed}, stricter ${stricter}`);
});
