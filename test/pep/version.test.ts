/** PEP 440's own examples for versions: normalization, the summary ordering, errors, huge integers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidVersionError } from '../../src/pep/errors.js';
import { Version, compareVersions } from '../../src/pep/version.js';

// PEP 440, "Normalization": each spelling and its normal form.
const NORMALIZATION: Array<[string, string]> = [
  ['1.1RC1', '1.1rc1'], // case sensitivity
  ['1.0.0-ALPHA.1', '1.0.0a1'],
  ['1.0.dev0', '1.0.dev0'],
  ['1.1.a1', '1.1a1'], // pre-release separators
  ['1.1-a1', '1.1a1'],
  ['1.0a.1', '1.0a1'],
  ['1.1alpha1', '1.1a1'], // pre-release spelling
  ['1.1beta2', '1.1b2'],
  ['1.1c3', '1.1rc3'],
  ['1.1pre1', '1.1rc1'],
  ['1.1preview1', '1.1rc1'],
  ['1.2a', '1.2a0'], // implicit pre-release number
  ['1.2.post2', '1.2.post2'], // post-release separators
  ['1.2-post2', '1.2.post2'],
  ['1.2post2', '1.2.post2'],
  ['1.2.post-2', '1.2.post2'],
  ['1.2.post.2', '1.2.post2'],
  ['1.0-r4', '1.0.post4'], // post-release spelling
  ['1.0-rev4', '1.0.post4'],
  ['1.2.post', '1.2.post0'], // implicit post-release number
  ['1.0-1', '1.0.post1'], // implicit post release
  ['1.2-dev2', '1.2.dev2'], // development release separators
  ['1.2dev2', '1.2.dev2'],
  ['1.2.dev', '1.2.dev0'], // implicit development release number
  ['1.0+ubuntu-1', '1.0+ubuntu.1'], // local version segments
  ['1.0+Ubuntu_1', '1.0+ubuntu.1'],
  ['v1.0', '1.0'], // preceding v character
  ['  1.0\n', '1.0'], // leading and trailing whitespace
  ['00', '0'], // integer normalization
  ['09000', '9000'],
  ['1.0+01', '1.0+1'],
  ['1!1.0', '1!1.0'],
  ['0!1.0', '1.0'],
];

test('PEP 440 normalization examples', () => {
  for (const [input, normal] of NORMALIZATION) assert.equal(Version.parse(input).toString(), normal, input);
});

// PEP 440, "Summary of permitted suffixes and relative ordering".
const ORDERED = [
  '1.dev0', '1.0.dev456', '1.0a1', '1.0a2.dev456', '1.0a12.dev456', '1.0a12', '1.0b1.dev456', '1.0b2',
  '1.0b2.post345.dev456', '1.0b2.post345', '1.0rc1.dev456', '1.0rc1', '1.0', '1.0+abc.5', '1.0+abc.7', '1.0+5',
  '1.0.post456.dev34', '1.0.post456', '1.0.15', '1.1.dev1',
];

test('PEP 440 summary ordering, and every pair compares consistently', () => {
  const versions = ORDERED.map((t) => Version.parse(t));
  for (let i = 0; i < versions.length; i++) {
    for (let j = 0; j < versions.length; j++) {
      assert.equal(Math.sign(compareVersions(versions[i] as Version, versions[j] as Version)), Math.sign(i - j), `${ORDERED[i]} vs ${ORDERED[j]}`);
    }
  }
  const shuffled = [...versions].reverse().sort((a, b) => a.compare(b));
  assert.deepEqual(shuffled.map(String), ORDERED);
});

test('equal versions: trailing zeros, spellings, epochs', () => {
  const same: Array<[string, string]> = [['1.0', '1.0.0'], ['1', '1.0.0.0'], ['1.0a', '1.0.alpha.0'], ['0!1', '1'], ['1.0+ABC', '1.0+abc'], ['1.0+01', '1.0+1']];
  for (const [a, b] of same) assert.ok(Version.parse(a).equals(Version.parse(b)), `${a} == ${b}`);
  const different: Array<[string, string]> = [['1.0', '1!1.0'], ['1.0+1', '1.0+a'], ['1.0', '1.0+0'], ['1.0.post0', '1.0']];
  for (const [a, b] of different) assert.ok(!Version.parse(a).equals(Version.parse(b)), `${a} != ${b}`);
  // PEP 440: alphanumeric local segments sort before numeric ones.
  assert.ok(Version.parse('1.0+abc').compare(Version.parse('1.0+1')) < 0);
});

test('huge integers stay exact in text, parts and order', () => {
  const a = Version.parse('1.9999999999999999999999');
  const b = Version.parse('1.9999999999999999999998');
  assert.equal(a.toString(), '1.9999999999999999999999');
  assert.deepEqual(a.release, [1n, 9999999999999999999999n]);
  assert.ok(a.compare(b) > 0);
  assert.ok(Version.parse('1.0.post18446744073709551617').compare(Version.parse('1.0.post18446744073709551616')) > 0);
  assert.equal(Version.parse('99999999999999999999!1').epochDigits, '99999999999999999999');
  assert.ok(Version.parse('99999999999999999999!1').compare(Version.parse('99999999999999999998!2')) > 0);
});

test('parts and predicates', () => {
  const v = Version.parse('2!1.2.3rc4.post5.dev6+Local.7');
  assert.equal(v.epoch, 2);
  assert.deepEqual(v.release, [1n, 2n, 3n]);
  assert.deepEqual(v.pre, ['rc', 4n]);
  assert.equal(v.post, 5n);
  assert.equal(v.dev, 6n);
  assert.equal(v.local, 'local.7');
  assert.equal(v.public, '2!1.2.3rc4.post5.dev6');
  assert.equal(v.baseVersion, '2!1.2.3');
  assert.deepEqual([v.isPrerelease, v.isPostrelease, v.isDevrelease], [true, true, true]);
  const final = Version.parse('1.0.post1');
  assert.deepEqual([final.isPrerelease, final.isPostrelease, final.isDevrelease], [false, true, false]);
  assert.equal(Version.parse('1.0.dev1').isPrerelease, true);
});

test('invalid versions throw InvalidVersionError with a reason; tryParse returns null', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty string/],
    ['   ', /empty string/],
    ['latest', /must start with a release number/],
    ['1.0foo', /unexpected "foo" after "1.0"/],
    ['1.0+', /unexpected "\+" after "1.0"/],
    ['1..0', /unexpected "\.\.0" after "1"/],
    ['1.' + '9'.repeat(4301), /more than 4300 digits/],
  ];
  for (const [text, reason] of cases) {
    assert.equal(Version.tryParse(text), null, text);
    assert.throws(
      () => Version.parse(text),
      (e: unknown) => e instanceof InvalidVersionError && e.code === 'pep.invalid-version' && reason.test(e.reason),
      text,
    );
  }
});

test('with() replaces segments', () => {
  const v = Version.parse('1.2.3a1+x');
  assert.equal(v.with({ pre: null, local: null }).toString(), '1.2.3');
  assert.equal(v.with({ dev: 0n }).toString(), '1.2.3a1.dev0+x');
  assert.equal(v.with({ release: [2n, 0n] }).toString(), '2.0a1+x');
});

test('long whitespace runs are stripped in linear time (a regex strip was quadratic on them)', () => {
  const pad = ' '.repeat(200_000);
  assert.equal(Version.parse(`${pad}1.0${pad}`).toString(), '1.0');
  assert.equal(Version.tryParse(`${pad}1.0${pad}x`), null);
});

test('with() refuses numbers that are not non-negative integers', () => {
  assert.throws(() => Version.parse('1.0').with({ post: -1n }), InvalidVersionError);
  assert.throws(() => Version.parse('1.0').with({ release: ['1', 'x'] }), InvalidVersionError);
});
