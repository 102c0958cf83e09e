/** The keyword automaton agrees with a plain `includes` for every keyword, on chosen and on random texts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { KeywordIndex } from '../../src/analyze/rulebook/keyword-index.js';

function naive(keywords: string[], text: string): string[] {
  return [...new Set(keywords.filter((k) => text.includes(k)))].sort();
}

const cases: Array<{ keywords: string[]; text: string; found: string[] }> = [
  { keywords: ['exec', 'b64decode'], text: 'exec(base64.b64decode(x))', found: ['b64decode', 'exec'] },
  { keywords: ['requests', 'requests.'], text: 'import requests\nrequests.get(u)', found: ['requests', 'requests.'] },
  { keywords: ['he', 'she', 'his', 'hers'], text: 'ushers', found: ['he', 'hers', 'she'] },
  { keywords: ['.ssh', 'sh"'], text: 'p = "~/.ssh"', found: ['.ssh', 'sh"'] },
  { keywords: ['abc'], text: 'ab\u00e9abc', found: ['abc'] },
  { keywords: ['abc'], text: 'ab\u00e9c', found: [] },
  { keywords: ['x'], text: '', found: [] },
];

for (const c of cases) {
  test(`finds ${JSON.stringify(c.found)} among ${JSON.stringify(c.keywords)} in ${JSON.stringify(c.text)}`, () => {
    assert.deepEqual([...new KeywordIndex(c.keywords).find(c.text)].sort(), c.found);
  });
}

test('agrees with includes on random keywords and texts', () => {
  const word = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '.', '('), minLength: 1, maxLength: 5 });
  fc.assert(
    fc.property(fc.array(word, { minLength: 1, maxLength: 12 }), fc.string({ unit: fc.constantFrom('a', 'b', 'c', '.', '(', 'é'), maxLength: 80 }), (keywords, text) => {
      assert.deepEqual([...new KeywordIndex(keywords).find(text)].sort(), naive(keywords, text));
    }),
    { numRuns: 500 },
  );
});

test('refuses a keyword outside ASCII', () => {
  assert.throws(() => new KeywordIndex(['caf\u00e9']), /not ASCII/);
});
