/**
 * Property tests: versions built from random parts (numbers up to ~260 digits, across the sort key's 200-digit
 * length encoding) round-trip through their normal form, and `compare` agrees with a direct reading of PEP 440's
 * ordering over bigint tuples, so it is a total order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Version } from '../../src/pep/version.js';

interface Parts {
  epoch: bigint;
  release: bigint[];
  pre: ['a' | 'b' | 'rc', bigint] | null;
  post: bigint | null;
  dev: bigint | null;
  local: Array<bigint | string> | null;
}

const digits = (min: number, max: number): fc.Arbitrary<bigint> =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max }).map((s) => BigInt(s));
const integer = fc.oneof(
  { weight: 6, arbitrary: fc.bigInt({ min: 0n, max: 12n }) },
  { weight: 2, arbitrary: fc.bigInt({ min: 0n, max: 2n ** 64n }) },
  { weight: 1, arbitrary: digits(190, 260) },
);
const parts: fc.Arbitrary<Parts> = fc.record({
  epoch: fc.oneof({ weight: 4, arbitrary: fc.constant(0n) }, { weight: 1, arbitrary: integer }),
  release: fc.array(integer, { minLength: 1, maxLength: 5 }),
  pre: fc.option(fc.tuple(fc.constantFrom('a' as const, 'b' as const, 'rc' as const), integer)),
  post: fc.option(integer),
  dev: fc.option(integer),
  local: fc.option(
    fc.array(fc.oneof(integer, fc.stringMatching(/^[a-z][a-z0-9]{0,4}$/)), { minLength: 1, maxLength: 4 }),
  ),
});

function render(p: Parts): string {
  let text = (p.epoch === 0n ? '' : `${p.epoch}!`) + p.release.join('.');
  if (p.pre) text += p.pre[0] + p.pre[1];
  if (p.post !== null) text += `.post${p.post}`;
  if (p.dev !== null) text += `.dev${p.dev}`;
  if (p.local) text += '+' + p.local.join('.');
  return text;
}

const cmp = (a: bigint | string, b: bigint | string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareTuples(a: ReadonlyArray<bigint | string>, b: ReadonlyArray<bigint | string>): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = cmp(a[i] as bigint | string, b[i] as bigint | string);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** PEP 440's order, read directly: epoch, release (zero-padded), pre (dev-only first, final last), post, dev, local. */
function reference(a: Parts, b: Parts): number {
  const trim = (r: bigint[]): bigint[] => {
    const out = [...r];
    while (out.length > 0 && out[out.length - 1] === 0n) out.pop();
    return out;
  };
  const suffix = (p: Parts): bigint[] => {
    const preRank = p.pre ? BigInt(['a', 'b', 'rc'].indexOf(p.pre[0])) : p.dev !== null && p.post === null ? -1n : 3n;
    return [preRank, p.pre ? p.pre[1] : 0n, p.post === null ? 0n : 1n, p.post ?? 0n, p.dev === null ? 1n : 0n, p.dev ?? 0n];
  };
  // Local parts: strings before numbers; no local sorts before any local.
  const local = (p: Parts): Array<bigint | string> | null =>
    p.local === null ? null : p.local.flatMap((x) => (typeof x === 'bigint' ? [1n, x] : [0n, x]));
  return (
    cmp(a.epoch, b.epoch) ||
    compareTuples(trim(a.release), trim(b.release)) ||
    compareTuples(suffix(a), suffix(b)) ||
    (a.local === null ? (b.local === null ? 0 : -1) : b.local === null ? 1 : compareLocal(local(a)!, local(b)!))
  );
}

function compareLocal(a: Array<bigint | string>, b: Array<bigint | string>): number {
  for (let i = 0; i < Math.min(a.length, b.length); i += 2) {
    const d = cmp(a[i] as bigint, b[i] as bigint) || cmp(a[i + 1] as bigint | string, b[i + 1] as bigint | string);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

test('parse(toString(v)) gives the same text and an equal version', () => {
  fc.assert(
    fc.property(parts, (p) => {
      const v = Version.parse(render(p));
      assert.equal(v.toString(), render(p));
      const again = Version.parse(v.toString());
      assert.equal(again.toString(), v.toString());
      assert.ok(again.equals(v));
      assert.deepEqual(v.release, p.release);
    }),
    { numRuns: 2000 },
  );
});

test('compare agrees with PEP 440 read directly over bigints, hence a total order', () => {
  fc.assert(
    fc.property(parts, parts, (a, b) => {
      assert.equal(Math.sign(Version.parse(render(a)).compare(Version.parse(render(b)))), Math.sign(reference(a, b)));
    }),
    { numRuns: 5000 },
  );
  // Near neighbours: the same version with one part nudged.
  fc.assert(
    fc.property(parts, fc.nat(4), (a, i) => {
      const b = structuredClone(a);
      const k = i % b.release.length;
      b.release[k] = (b.release[k] as bigint) + 1n;
      assert.ok(Version.parse(render(a)).compare(Version.parse(render(b))) < 0);
      assert.ok(Version.parse(render(b)).compare(Version.parse(render(a))) > 0);
    }),
    { numRuns: 1000 },
  );
});
