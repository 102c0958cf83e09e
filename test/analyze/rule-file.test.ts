/** A malformed rule file fails at load time and names the file and the problem; a valid one is picked up without code changes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RuleFileError } from '../../src/analyze/errors.js';
import { Rulebook, defaultRulesDir } from '../../src/analyze/rulebook/rulebook.js';
import { SourceScanner } from '../../src/analyze/source-scan.js';

const valid = `id: code.test-rule
severity: medium
confidence: high
target: python
rationale: A rule added by a test.
keywords: [frobnicate]
match:
  query: |
    (call function: (identifier) @f (#eq? @f "frobnicate")) @finding
positive: ["frobnicate()", "x = frobnicate(1)", "frobnicate(a, b)"]
negative: ["frob()", "y = 1", "# frobnicate"]
`;

function bookWith(text: string): Promise<Rulebook> {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rules-'));
  writeFileSync(join(dir, 'rule.yaml'), text);
  return Rulebook.load(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

test('adding a rule means adding a file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rules-'));
  try {
    cpSync(defaultRulesDir, dir, { recursive: true });
    writeFileSync(join(dir, 'code.test-rule.yaml'), valid);
    const book = await Rulebook.load(dir);
    const hits = new SourceScanner(book).scanPython({ path: 'm.py', text: 'import os\nfrobnicate()\n' });
    assert.deepEqual(hits.map((h) => [h.rule.id, h.line]), [['code.test-rule', 2]]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const broken: Array<[string, string, RegExp]> = [
  ['bad severity', valid.replace('severity: medium', 'severity: severe'), /`severity` must be one of/],
  ['bad id', valid.replace('id: code.test-rule', 'id: TestRule'), /`id` must look like/],
  ['query that does not compile', valid.replace('(call function:', '(call functio:'), /does not compile/],
  ['too few samples', valid.replace('negative: ["frob()", "y = 1", "# frobnicate"]', 'negative: ["frob()"]'), /at least 3 positive and 3 negative/],
  ['threat query without keywords', valid.replace('keywords: [frobnicate]\n', ''), /needs `keywords`/],
  ['unknown built-in', valid.replace(/match:[\s\S]*?positive/, 'match:\n  builtin: nope\npositive'), /no built-in check named nope/],
  ['invalid regex', valid.replace(/match:[\s\S]*?positive/, "match:\n  regex: '('\npositive"), /not a valid regular expression/],
  ['not YAML', 'id: [', /not valid YAML/],
];

for (const [name, text, message] of broken) {
  test(`a rule file with ${name} is refused with a clear error`, async () => {
    await assert.rejects(bookWith(text), (err: unknown) => {
      assert.ok(err instanceof RuleFileError);
      assert.equal(err.code, 'analyze.rule-invalid');
      assert.match(err.message, /rule\.yaml/);
      assert.match(err.message, message);
      return true;
    });
  });
}

test('a function-scoped combination of signals that regex rules found (no scope) still meets', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rules-'));
  const regexRule = (id: string, word: string, signal: string): string => `id: ${id}
severity: low
confidence: low
target: python
rationale: test signal ${signal}.
signals: [${signal}]
match:
  regex: '${word}'
positive: ["${word}", "x = ${word}", "${word}()"]
negative: ["y", "z", "w"]
`;
  try {
    writeFileSync(join(dir, 'a.yaml'), regexRule('code.sig-a', 'alpha', 'a'));
    writeFileSync(join(dir, 'b.yaml'), regexRule('code.sig-b', 'beta', 'b'));
    writeFileSync(
      join(dir, 'combo.yaml'),
      `id: combo.a-b
severity: critical
confidence: high
target: combination
rationale: a and b together.
match:
  all-of: [a, b]
  scope: function
positive: ["alpha\\nbeta", "beta alpha", "def f(): alpha; beta"]
negative: ["alpha", "beta", "gamma"]
`,
    );
    const scanner = new SourceScanner(await Rulebook.load(dir));
    const ids = scanner.scanPython({ path: 'm.py', text: 'alpha = 1\nbeta = 2\n' }).map((h) => h.rule.id);
    assert.deepEqual(ids.sort(), ['code.sig-a', 'code.sig-b', 'combo.a-b']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
