import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NameSet, compareBytes } from '../../../src/analyze/names/name-set.js';

test('NameSet answers membership like a Set', () => {
  const name = fc.stringMatching(/^[a-z0-9-]{1,6}$/);
  fc.assert(
    fc.property(fc.array(name, { maxLength: 60 }), fc.array(name, { maxLength: 20 }), (names, queries) => {
      const set = NameSet.fromNames(names);
      const reference = new Set(names);
      assert.equal(set.size, reference.size);
      for (const q of [...queries, ...names]) assert.equal(set.has(q), reference.has(q), q);
      assert.deepEqual([...set], [...reference].sort(compareBytes));
    }),
    { numRuns: 500 },
  );
});

test('fromSortedLines reports the first line out of byte order or repeated', () => {
  assert.deepEqual(NameSet.fromSortedLines('a\nc\nb\n'), { outOfOrderLine: 3 });
  assert.deepEqual(NameSet.fromSortedLines('a\nb\nb\n'), { outOfOrderLine: 3 });
  const ok = NameSet.fromSortedLines('a\nab\nb\n');
  assert.ok(ok instanceof NameSet);
  assert.equal(ok.toText(), 'a\nab\nb\n');
});

test('an empty set holds nothing', () => {
  const set = NameSet.fromSortedLines('');
  assert.ok(set instanceof NameSet);
  assert.equal(set.size, 0);
  assert.equal(set.has(''), false);
  assert.equal(set.has('a'), false);
});
