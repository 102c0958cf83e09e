/** PEP 440's own examples for version specifiers, and packaging 26.2's pre-release rules. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidSpecifierError } from '../../src/pep/errors.js';
import { Specifier, SpecifierSet } from '../../src/pep/specifier.js';
import { Version } from '../../src/pep/version.js';

// [specifier set, version, contained?] — from PEP 440's sections on each operator.
const CONTAINS: Array<[string, string, boolean]> = [
  // Compatible release: ~=2.2 is >=2.2,==2.*; ~=1.4.5 is >=1.4.5,==1.4.*
  ['~=2.2', '2.3', true],
  ['~=2.2', '3.0', false],
  ['~=1.4.5', '1.4.9', true],
  ['~=1.4.5', '1.5', false],
  ['~=2.2.post3', '2.3', true],
  ['~=1.4.5a4', '1.4.5', true],
  ['~=1.4.5a4', '1.4.5a3', false],
  ['~=1!1.0', '1!1.5', true],
  ['~=1!1.0', '1.5', false],
  // Version matching: zero padding, prefix matching, local versions
  ['==1.1', '1.1.0', true],
  ['==1.1.post1', '1.1.post1', true],
  ['==1.1.post1', '1.1', false],
  ['==1.1.*', '1.1.post1', true],
  ['==1.1.*', '1.1a1', true],
  ['==1.1.*', '1.10', false],
  ['==1.*', '1', true],
  ['==1.0.*', '1', true], // the candidate is zero-padded
  ['==1.1', '1.1+local', true], // no local label in the specifier: the candidate's is ignored
  ['==1.1+local', '1.1', false],
  ['==1.1+local', '1.1+LOCAL', true],
  // Version exclusion
  ['!=1.1.post1', '1.1', true],
  ['!=1.1.post1', '1.1.post1', false],
  ['!=1.1.*', '1.1.post1', false],
  ['!=1.1.*', '1.2', true],
  // Inclusive ordered comparison: local labels of the candidate are ignored
  ['<=1.0', '1.0+local', true],
  ['>=1.0', '1.0+local', true],
  ['>=1.0', '1.0.dev1', false],
  // Exclusive ordered comparison
  ['>1.7', '1.7.1', true],
  ['>1.7', '1.7.0.post1', false], // not a post-release of the given version
  ['>1.7', '1.7+local', false], // nor a local version of it
  ['>1.7.post2', '1.7.1', true],
  ['>1.7.post2', '1.7.0.post3', true],
  ['<1.7', '1.7.0rc1', false], // not a pre-release of the given version
  ['<1.7', '1.6.9rc1', true],
  ['<1.7rc2', '1.7rc1', true],
  ['<1.7', '1.7+local', false],
  // Arbitrary equality: a case-insensitive string comparison
  ['===foobar', 'foobar', true],
  ['===foobar', 'FOOBAR', true],
  ['===1.0', '1.0.0', false],
  ['===1.0', '1.0', true],
  // Epochs
  ['>=1.0', '1!0.1', true],
  ['<2.0', '1!0.1', false],
  // Several clauses
  ['>=1.0,!=1.3.4.*,<2.0', '1.3.4.5', false],
  ['>=1.0,!=1.3.4.*,<2.0', '1.3.5', true],
  ['', 'anything at all', true],
];

test('PEP 440 specifier examples', () => {
  for (const [spec, version, expected] of CONTAINS) {
    assert.equal(SpecifierSet.parse(spec).contains(version), expected, `${version} in ${JSON.stringify(spec)}`);
  }
});

test('pre-releases: contains() matches them unless told not to; filter() holds them back when finals match', () => {
  const set = SpecifierSet.parse('>=1.0');
  assert.equal(set.contains('2.0a1'), true);
  assert.equal(set.contains('2.0a1', { prereleases: false }), false);
  assert.equal(set.contains('2.0a1', { prereleases: true }), true);
  assert.equal(Specifier.parse('>=1.0').contains(Version.parse('2.0.dev1'), { prereleases: false }), false);
  assert.deepEqual(set.filter(['1.0', '2.0a1', '1.5']), ['1.0', '1.5']);
  assert.deepEqual(set.filter(['2.0a1', '2.0b1']), ['2.0a1', '2.0b1'], 'only pre-releases match: they are returned');
  assert.deepEqual(set.filter(['1.0', '2.0a1'], { prereleases: true }), ['1.0', '2.0a1']);
  assert.deepEqual(set.filter(['2.0a1'], { prereleases: false }), []);
  // A clause that names a pre-release lets pre-releases through filter().
  assert.deepEqual(SpecifierSet.parse('>=1.0a1').filter(['1.0', '2.0a1']), ['1.0', '2.0a1']);
  // != and ==X.* never name one.
  assert.deepEqual(SpecifierSet.parse('!=1.0a1').filter(['1.0', '2.0a1']), ['1.0']);
  // The empty set filters pre-releases the same way.
  assert.deepEqual(SpecifierSet.parse('').filter(['1.0', '2.0a1', 'junk']), ['1.0', 'junk']);
  const versions = [Version.parse('1.0'), Version.parse('1.1rc1')];
  assert.deepEqual(SpecifierSet.parse('>0.9').filter(versions), [versions[0]]);
});

test('parse: operator, version, normal form', () => {
  const s = Specifier.parse('  >=  v1.0  ');
  assert.equal(s.operator, '>=');
  assert.equal(s.version, 'v1.0');
  assert.equal(s.toString(), '>=v1.0');
  assert.equal(SpecifierSet.parse('<2, >=1.0.0 ,>=1.0').toString(), '<2,>=1.0');
  assert.equal(SpecifierSet.parse(' , ').specifiers.length, 0);
});

test('invalid specifiers throw InvalidSpecifierError saying why', () => {
  const cases: Array<[string, RegExp]> = [
    ['1.0', /must start with an operator/],
    ['>=1.0.*', /only allowed after == and !=/],
    ['>=1.0+local', /local version label/],
    ['~=1', /two release numbers/],
    ['==1.0.*+x', /not a PEP 440 version/],
    ['', /empty specifier/],
  ];
  for (const [text, reason] of cases) {
    assert.throws(
      () => Specifier.parse(text),
      (e: unknown) => e instanceof InvalidSpecifierError && e.code === 'pep.invalid-specifier' && reason.test(e.message),
      text,
    );
  }
  assert.throws(() => SpecifierSet.parse('>=1.0,foo'), InvalidSpecifierError);
});
