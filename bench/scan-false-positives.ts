/**
 * False positives on real code: scans every wheel in /opt/pypi/files (real
 * PyPI wheels, assumed honest) and reports the share with each verdict, with
 * the reasons for every malicious and suspicious one. The figures go into
 * docs/scan-false-positives.md.
 *
 * Run: node --import tsx bench/scan-false-positives.ts [/opt/pypi/files] [--json out.json]
 */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ArtifactScanner, type ArtifactReport } from '../src/analyze/artifact.js';

const args = process.argv.slice(2);
const jsonAt = args.indexOf('--json');
const jsonOut = jsonAt >= 0 ? args[jsonAt + 1] : undefined;
const dir = args.find((a, i) => !a.startsWith('--') && (jsonAt < 0 || i !== jsonAt + 1)) ?? '/opt/pypi/files';
if (!existsSync(dir)) {
  console.error(`${dir} is missing: the false-positive measurement needs the real PyPI wheels`);
  process.exit(2);
}
const wheels = readdirSync(dir)
  .filter((f) => f.endsWith('.whl'))
  .sort();
if (wheels.length === 0) {
  console.error(`no wheels in ${dir}`);
  process.exit(2);
}

const scanner = await ArtifactScanner.create();
const reports: ArtifactReport[] = [];
const started = performance.now();
for (const w of wheels) reports.push(await scanner.scanArchive(join(dir, w), 'wheel'));
const seconds = (performance.now() - started) / 1000;

const count = (v: string): number => reports.filter((r) => r.verdict === v).length;
const pct = (n: number): string => `${((100 * n) / reports.length).toFixed(2)}%`;
console.log(`${reports.length} wheels in ${seconds.toFixed(1)} s`);
for (const v of ['malicious', 'suspicious', 'clean']) console.log(`${v}: ${count(v)} (${pct(count(v))})`);
const ruleCounts = new Map<string, number>();
for (const r of reports) for (const rule of new Set(r.findings.filter((f) => f.severity !== 'info').map((f) => f.rule))) ruleCounts.set(rule, (ruleCounts.get(rule) ?? 0) + 1);
console.log('\nwheels with a non-info finding, per rule:');
for (const [rule, n] of [...ruleCounts].sort((a, b) => b[1] - a[1])) console.log(`  ${n}\t${rule}`);
for (const v of ['malicious', 'suspicious']) {
  console.log(`\n${v}:`);
  for (const r of reports.filter((x) => x.verdict === v)) {
    console.log(`- ${r.path.split('/').pop()}`);
    for (const reason of r.reasons) console.log(`    ${reason}`);
  }
}
const s = scanner.source.stats;
console.log(`\n.py files ${s.files}, ${(s.bytes / 1e6).toFixed(1)} MB; parsed ${s.parsedFiles} files, ${(s.parsedBytes / 1e6).toFixed(1)} MB`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(reports, null, 1));
