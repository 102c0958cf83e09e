/**
 * Throughput of the code analyzers over the Python source of the real PyPI
 * wheels in /opt/pypi/files, in MB of source per second on one core, and
 * peak RSS. The .py files are read out of the wheels first (not timed); then,
 * over the same in-memory text, in the same run:
 * - baseline: one plain regex pass (`/\bimport\b/g`) over every file;
 * - gatehouse: `SourceScanner.scanPython` on every file, in the role the
 *   artifact scanner gives it (prefilters, then a tree-sitter parse, queries
 *   and the data flow only where a threat rule asks for one);
 * - full parse: tree-sitter on every file of a fixed sample (1 in 20), to
 *   show what the prefilter saves, and Python's `ast.parse` on the same
 *   sample, the parser a Python-based scanner would use.
 *
 * Run: node --import tsx bench/scan.ts [/opt/pypi/files] [--limit-mb N]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import yauzl from 'yauzl';
import { Rulebook } from '../src/analyze/rulebook/rulebook.js';
import { SourceScanner } from '../src/analyze/source-scan.js';
import type { SourceFile } from '../src/analyze/subjects.js';
import { fileRole } from '../src/analyze/context.js';

const args = process.argv.slice(2);
const limitAt = args.indexOf('--limit-mb');
const limitBytes = limitAt >= 0 ? Number(args[limitAt + 1]) * 1e6 : Infinity;
const dir = args.find((a, i) => !a.startsWith('--') && (limitAt < 0 || i !== limitAt + 1)) ?? '/opt/pypi/files';
if (!existsSync(dir)) {
  console.error(`${dir} is missing: the benchmark needs the real PyPI wheels`);
  process.exit(2);
}

function pythonFilesOf(wheel: string): Promise<SourceFile[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(wheel, { lazyEntries: true }, (err, zip) => {
      if (err) return reject(err);
      const out: SourceFile[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith('.py')) return zip.readEntry();
        zip.openReadStream(entry, (e, stream) => {
          if (e) return reject(e);
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out.push({ path: entry.fileName, text: Buffer.concat(chunks).toString('utf8') });
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => resolve(out));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

const time = (run: () => void): number => {
  const t = performance.now();
  run();
  return (performance.now() - t) / 1000;
};

const book = await Rulebook.load();
const scanner = new SourceScanner(book);
// Wheel by wheel, so that peak RSS reflects the scanner, not a corpus held in memory.
let total = 0;
let fileCount = 0;
let imports = 0;
let findings = 0;
let baseline = 0;
let scan = 0;
let fullParse = 0;
let sampleBytes = 0;
const wheels: string[] = [];
for (const w of readdirSync(dir).filter((f) => f.endsWith('.whl')).sort()) {
  if (total >= limitBytes) break;
  wheels.push(join(dir, w));
  const files = await pythonFilesOf(join(dir, w));
  for (const f of files) total += Buffer.byteLength(f.text);
  baseline += time(() => {
    for (const f of files) for (const _ of f.text.matchAll(/\bimport\b/g)) imports++;
  });
  scan += time(() => {
    // Each file in the role the artifact scanner gives it (tests are not parsed for behaviours).
    for (const f of files) findings += scanner.scanPython(f, { role: fileRole(f.path, 'wheel'), depth: 0 }).length;
  });
  // Full parse on a fixed sample: every 20th file.
  const sample = files.filter(() => fileCount++ % 20 === 0);
  for (const f of sample) sampleBytes += Buffer.byteLength(f.text);
  fullParse += time(() => {
    for (const f of sample) book.parser.parse(f.text).delete();
  });
}
console.log(`${fileCount} .py files, ${(total / 1e6).toFixed(1)} MB of Python source`);

// Python's own parser (ast.parse, C) over the same 1-in-20 sample, in the same run.
const astParse = spawnSync(
  'python3',
  [
    '-c',
    `import ast, sys, time, zipfile
n = 0; size = 0; spent = 0.0
for wheel in sys.stdin.read().split("\\n"):
    if not wheel: continue
    with zipfile.ZipFile(wheel) as z:
        for info in z.infolist():
            if not info.filename.endswith(".py"): continue
            take = n % 20 == 0
            n += 1
            if not take: continue
            data = z.read(info)
            t = time.perf_counter()
            try: ast.parse(data)
            except (SyntaxError, ValueError): pass
            spent += time.perf_counter() - t
            size += len(data)
print(size, spent)`,
  ],
  { input: wheels.join('\n'), encoding: 'utf8', maxBuffer: 1 << 20 },
);
if (astParse.status !== 0) throw new Error(`python3 ast.parse baseline failed: ${astParse.stderr}`);
const [astBytes, astSeconds] = astParse.stdout.trim().split(' ').map(Number) as [number, number];

const s = scanner.stats;
const rate = (bytes: number, seconds: number): string => `${(bytes / 1e6 / seconds).toFixed(1)} MB/s`;
console.log(`baseline regex pass:   ${baseline.toFixed(2)} s  ${rate(total, baseline)}  (${imports} matches)`);
console.log(`gatehouse scanPython:  ${scan.toFixed(2)} s  ${rate(total, scan)}  (${findings} findings)`);
console.log(`  parsed ${s.parsedFiles} of ${s.files} files, ${(s.parsedBytes / 1e6).toFixed(1)} MB (${((100 * s.parsedBytes) / total).toFixed(1)}% of bytes)`);
console.log(`full tree-sitter parse of a 1-in-20 sample (${(sampleBytes / 1e6).toFixed(1)} MB): ${rate(sampleBytes, fullParse)}`);
console.log(`Python ast.parse of the same sample (${(astBytes / 1e6).toFixed(1)} MB): ${rate(astBytes, astSeconds)}`);
console.log(`ratio scan/ast.parse throughput: ${(total / scan / (astBytes / astSeconds)).toFixed(2)}x`);
console.log(`ratio scan/baseline throughput: ${(baseline / scan).toFixed(3)}; scan/full-parse throughput: ${(total / scan / (sampleBytes / fullParse)).toFixed(1)}x`);
console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
console.log('parse triggers (rule -> files):');
for (const [rule, n] of [...s.parseTriggers].sort((a, b) => b[1] - a[1])) console.log(`  ${n}\t${rule}`);
