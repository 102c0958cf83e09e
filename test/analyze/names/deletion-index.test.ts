import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DeletionIndex } from '../../../src/analyze/names/deletion-index.js';
import { boundedEditDistance } from '../../../src/analyze/names/edits.js';

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

test('candidates hold every name one edit away, and every two-edit name two (Levenshtein) edits away', () => {
  const name = fc.stringMatching(/^[abc-]{1,8}$/);
  fc.assert(
    fc.property(
      fc.uniqueArray(name, { minLength: 1, maxLength: 30 }),
      fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
      name,
      (names, twoEdits, query) => {
        const index = new DeletionIndex(names, twoEdits);
        const oneDeletion = new Set(index.candidates(query, false));
        const twoDeletions = new Set(index.candidates(query, true));
        names.forEach((n, i) => {
          if (boundedEditDistance(query, n, 1) <= 1) {
            assert.ok(oneDeletion.has(i) && twoDeletions.has(i), `${query} -> ${n}`);
          }
          if (twoEdits[i] && levenshtein(query, n) <= 2) assert.ok(twoDeletions.has(i), `${query} -> ${n} (two edits)`);
        });
      },
    ),
    { numRuns: 1000 },
  );
});

test('a name two insertions away is found only with two deletions of the query', () => {
  const index = new DeletionIndex(['requests', 'colorama'], [true, false]);
  assert.deepEqual(index.candidates('requestsaa', true), [0]);
  assert.deepEqual(index.candidates('requestsaa', false), []);
  assert.deepEqual(index.candidates('reqeusts', false), [0]);
  assert.deepEqual(index.candidates('numpy', true), []);
});
