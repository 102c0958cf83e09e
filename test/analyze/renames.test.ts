import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { renamesIn } from '../../src/analyze/python/renames.js';

const pairs = (text: string): string[] => renamesIn(text).map((r) => `${r.alias}=${r.original}`);

test('import aliases are renames', () => {
  const text = 'import subprocess as sp\nfrom os import system as run, popen as po\nimport urllib.request as ur\n';
  assert.deepEqual(pairs(text).sort(), ['po=popen', 'run=system', 'sp=subprocess', 'ur=urllib.request']);
});

test('an assignment line of a dotted name is a rename, wherever the line is indented', () => {
  const text = 'run = os.system\ndef f():\n\te=exec\n    x   =   base64.b64decode   \r\n';
  assert.deepEqual(pairs(text).sort(), ['e=exec', 'run=os.system', 'x=base64.b64decode']);
});

test('other uses of = and as are not renames', () => {
  const text = [
    'a == b',
    'x += os.system',
    'f(x=os.system)',
    'y = os.system(cmd)',
    'z = 3',
    'with open(p) as f:',
    'if a: b = c',
    '1x = y',
    'name = os.system # a comment after it',
  ].join('\n');
  // `except E as e` style and `open() as f` have no dotted name before `as`; a comment ends the line for Python but
  // not for this scan, which only takes lines that are nothing but the assignment.
  assert.deepEqual(pairs(text), []);
});

test('as across a line break is a rename, as in a parenthesized import', () => {
  assert.deepEqual(pairs('from os import (system\n    as run)'), ['run=system']);
});

test('on any text, every rename is an identifier bound to a dotted name, found in the text', () => {
  const identifier = /^[A-Za-z_]\w*$/;
  const dotted = /^[\w.]+$/;
  fc.assert(
    fc.property(fc.string({ unit: fc.constantFrom('a', 'b', '_', '1', '.', ' ', '\t', '\n', '=', 'as', 'x.y', '(', '#') }), (text) => {
      for (const r of renamesIn(text)) {
        assert.match(r.alias, identifier);
        assert.match(r.original, dotted);
        assert.ok(!r.original.startsWith('.'));
        assert.ok(text.includes(r.alias) && text.includes(r.original));
      }
    }),
    { numRuns: 2000 },
  );
});

test('generated assignment lines are all found', () => {
  const name = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
  fc.assert(
    fc.property(fc.array(fc.tuple(name, fc.array(name, { minLength: 1, maxLength: 3 }), fc.constantFrom('', ' ', '\t', '  ')), { minLength: 1, maxLength: 8 }), (lines) => {
      const text = lines.map(([alias, parts, pad]) => `${pad}${alias}${pad}=${pad}${parts.join('.')}${pad}`).join('\n');
      const expected = lines.map(([alias, parts]) => `${alias}=${parts.join('.')}`);
      assert.deepEqual(pairs(text), expected);
    }),
  );
});
