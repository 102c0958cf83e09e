/**
 * Property tests for PEP 440's definitions between operators, over small versions (numbers 0–3, so boundaries
 * collide often): `~=X.Y` is `>=X.Y, ==X.*`; `!=` is the negation of `==`; a set is the conjunction of its clauses;
 * `filter` with pre-releases allowed is `contains` applied to each version.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Specifier, SpecifierSet } from '../../src/pep/specifier.js';

const small = fc.integer({ min: 0, max: 3 });
const release = fc.array(small, { minLength: 1, maxLength: 3 }).map((r) => r.join('.'));
const version = fc
  .record({
    release,
    pre: fc.option(fc.tuple(fc.constantFrom('a', 'b', 'rc'), small)),
    post: fc.option(small),
    dev: fc.option(small),
    local: fc.option(fc.constantFrom('x', '1', 'abc.2')),
  })
  .map(({ release: r, pre, post, dev, local }) => {
    let text = r;
    if (pre) text += pre[0] + pre[1];
    if (post !== null) text += `.post${post}`;
    if (dev !== null) text += `.dev${dev}`;
    if (local !== null) text += `+${local}`;
    return text;
  });
const publicVersion = version.map((v) => v.replace(/\+.*$/, ''));
const OPS = ['==', '!=', '<=', '>=', '<', '>'] as const;
const clause = fc.oneof(
  fc.tuple(fc.constantFrom(...OPS), publicVersion).map(([op, v]) => op + v),
  fc.tuple(fc.constantFrom('==', '!='), release).map(([op, r]) => `${op}${r}.*`),
  fc.tuple(release, small).map(([r, n]) => `~=${r}.${n}`),
);
const ALL = { prereleases: true };

test('~=V.N is >=V.N together with ==V.*', () => {
  fc.assert(
    fc.property(fc.array(small, { minLength: 2, maxLength: 4 }), version, (parts, v) => {
      const target = parts.join('.');
      const prefix = parts.slice(0, -1).join('.');
      const compatible = Specifier.parse(`~=${target}`).contains(v, ALL);
      const both = Specifier.parse(`>=${target}`).contains(v, ALL) && Specifier.parse(`==${prefix}.*`).contains(v, ALL);
      assert.equal(compatible, both, `~=${target} vs ${v}`);
    }),
    { numRuns: 3000 },
  );
});

test('!= is the negation of ==, with and without wildcards', () => {
  fc.assert(
    fc.property(fc.oneof(version, release.map((r) => `${r}.*`)), version, (target, v) => {
      assert.equal(Specifier.parse(`!=${target}`).contains(v, ALL), !Specifier.parse(`==${target}`).contains(v, ALL));
    }),
    { numRuns: 3000 },
  );
});

test('a set is the conjunction of its clauses; filter with pre-releases allowed is contains on each', () => {
  fc.assert(
    fc.property(fc.array(clause, { minLength: 1, maxLength: 3 }), fc.array(version, { maxLength: 12 }), (clauses, versions) => {
      const set = SpecifierSet.parse(clauses.join(','));
      const singles = clauses.map((c) => Specifier.parse(c));
      for (const v of versions) {
        assert.equal(set.contains(v, ALL), singles.every((s) => s.contains(v, ALL)), `${v} in ${clauses.join(',')}`);
      }
      assert.deepEqual(set.filter(versions, ALL), versions.filter((v) => set.contains(v, ALL)));
    }),
    { numRuns: 2000 },
  );
});
