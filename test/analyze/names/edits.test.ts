import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { boundedEditDistance, classifySingleEdit } from '../../../src/analyze/names/edits.js';
import { isKeyboardNeighbour } from '../../../src/analyze/names/keyboard.js';

/** Textbook optimal-string-alignment distance, unbounded: the reference for the bounded one. */
function osa(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = d[i]!;
      row[j] = Math.min(d[i - 1]![j]! + 1, row[j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) row[j] = Math.min(row[j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

test('boundedEditDistance agrees with the textbook distance, capped at max + 1', () => {
  const name = fc.stringMatching(/^[abcr-]{0,9}$/);
  fc.assert(
    fc.property(name, name, fc.integer({ min: 0, max: 3 }), (a, b, max) => {
      assert.equal(boundedEditDistance(a, b, max), Math.min(osa(a, b), max + 1));
    }),
    { numRuns: 3000 },
  );
});

test('classifySingleEdit names each kind of single edit', () => {
  const cases: Array<[candidate: string, target: string, kind: string | undefined, detail?: string]> = [
    ['reqeusts', 'requests', 'transposition', "swaps the 'u' and 'e' of"],
    ['urlib3', 'urllib3', 'omission', "drops the 'l' of"],
    ['requestss', 'requests', 'repetition', "repeats the 's' of"],
    ['djangoo', 'django', 'repetition', "repeats the 'o' of"],
    ['colourama', 'colorama', 'insertion', "inserts 'u' into"],
    ['requezts', 'requests', 'keyboard-substitution', "replaces 's' with the neighbouring key 'z' in"],
    ['matplftlib', 'matplotlib', 'substitution', "replaces 'o' with 'f' in"],
    ['requests', 'requests', undefined],
    ['reqeust', 'requests', undefined],
    ['abcd', 'badc', undefined],
  ];
  for (const [candidate, target, kind, detail] of cases) {
    const edit = classifySingleEdit(candidate, target);
    assert.equal(edit?.kind, kind, `${candidate} vs ${target}`);
    if (detail !== undefined) assert.equal(edit?.detail, detail);
  }
});

test('classifySingleEdit says whether the edit is at either end of the name', () => {
  assert.equal(classifySingleEdit('torchx', 'torch')?.atEnd, true);
  assert.equal(classifySingleEdit('vbuild', 'build')?.atEnd, true);
  assert.equal(classifySingleEdit('numipy', 'numpy')?.atEnd, false);
  assert.equal(classifySingleEdit('attr', 'attrs')?.atEnd, true);
});

test('keyboard neighbours are the adjacent QWERTY keys, not distant ones', () => {
  const near: Array<[string, string]> = [['s', 'a'], ['s', 'd'], ['s', 'w'], ['s', 'z'], ['p', 'o'], ['k', 'l'], ['1', '2'], ['g', 'b']];
  const far: Array<[string, string]> = [['s', 'p'], ['a', 'l'], ['q', 'm'], ['s', 's']];
  for (const [a, b] of near) assert.ok(isKeyboardNeighbour(a, b) && isKeyboardNeighbour(b, a), `${a}/${b}`);
  for (const [a, b] of far) assert.ok(!isKeyboardNeighbour(a, b), `${a}/${b}`);
});
