/**
 * Archive reading throughput and false positives over the real PyPI wheels in
 * /opt/pypi/files: reads every wheel with `readArchive` (every member
 * decompressed and sha256-hashed, as RECORD checks need), runs
 * `checkWheelIntegrity`, and compares the time with Python's zipfile reading
 * and sha256-hashing every member of the same files in the same run.
 *
 * Run: node --import tsx bench/archive.ts [DIR] [--max-mb N] [--skip-baseline]
 * Prints MB/s for both, the ratio, and every archive/integrity finding by rule
 * and wheel (the input for docs/scan-false-positives.md).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Finding } from '../src/analyze/finding.js';
import { checkWheelIntegrity } from '../src/analyze/integrity/wheel.js';
import { readArchive } from '../src/archive/index.js';

const args = process.argv.slice(2);
const maxMbAt = args.indexOf('--max-mb');
const maxBytes = maxMbAt >= 0 ? Number(args[maxMbAt + 1]) * 1e6 : Infinity;
const dir = args.find((a, i) => !a.startsWith('--') && i !== maxMbAt + 1) ?? '/opt/pypi/files';
if (!existsSync(dir)) {
  console.error(`${dir} is missing: this benchmark needs the real PyPI wheels`);
  process.exit(2);
}
const wheels = readdirSync(dir)
  .filter((f) => f.endsWith('.whl') && statSync(join(dir, f)).size <= maxBytes)
  .sort();
if (wheels.length === 0) {
  console.error(`no wheels in ${dir}`);
  process.exit(2);
}
const compressedBytes = wheels.reduce((sum, w) => sum + statSync(join(dir, w)).size, 0);

const BASELINE = `
import hashlib, sys, time, zipfile
files = sys.stdin.read().split("\\n")
start = time.perf_counter()
total = 0
for path in files:
    with zipfile.ZipFile(path) as z:
        for info in z.infolist():
            if info.is_dir():
                continue
            h = hashlib.sha256()
            with z.open(info) as f:
                while chunk := f.read(1 << 20):
                    h.update(chunk)
                    total += len(chunk)
print(time.perf_counter() - start, total)
`;

function baseline(): { seconds: number; bytes: number } {
  const r = spawnSync('python3', ['-c', BASELINE], { input: wheels.map((w) => join(dir, w)).join('\n'), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`baseline failed: ${r.stderr}`);
  const [seconds = '', bytes = ''] = r.stdout.trim().split(' ');
  return { seconds: Number(seconds), bytes: Number(bytes) };
}

// Warm the page cache for both sides alike: the first pass over 3.6 GB would otherwise measure the disk.
for (const w of wheels) spawnSync('cat', [join(dir, w)], { stdio: ['ignore', 'ignore', 'ignore'] });

const python = args.includes('--skip-baseline') ? undefined : baseline();

const byRule = new Map<string, Map<string, Finding[]>>();
let uncompressed = 0;
const started = performance.now();
for (const w of wheels) {
  const contents = await readArchive(join(dir, w));
  for (const e of contents.entries) if (e.kind === 'file') uncompressed += e.size;
  for (const f of [...contents.findings, ...checkWheelIntegrity(w, contents)]) {
    const wheelsForRule = byRule.get(f.rule) ?? new Map<string, Finding[]>();
    wheelsForRule.set(w, [...(wheelsForRule.get(w) ?? []), f]);
    byRule.set(f.rule, wheelsForRule);
  }
}
const seconds = (performance.now() - started) / 1000;

const mbps = (bytes: number, s: number): string => (bytes / 1e6 / s).toFixed(1);
console.log(`${wheels.length} wheels, ${(compressedBytes / 1e6).toFixed(0)} MB on disk, ${(uncompressed / 1e6).toFixed(0)} MB decompressed`);
console.log(`readArchive + checkWheelIntegrity: ${seconds.toFixed(1)} s, ${mbps(uncompressed, seconds)} MB/s decompressed`);
if (python) {
  console.log(`python zipfile + sha256:          ${python.seconds.toFixed(1)} s, ${mbps(python.bytes, python.seconds)} MB/s decompressed`);
  console.log(`ratio (python time / ours): ${(python.seconds / seconds).toFixed(2)}`);
}
console.log('\nwheels with a finding, per rule:');
for (const [rule, perWheel] of [...byRule].sort()) {
  console.log(`  ${rule}: ${perWheel.size}`);
  for (const [w, fs] of perWheel) console.log(`    ${w}: ${fs.length} × ${fs[0]!.message}`);
}
