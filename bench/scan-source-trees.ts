/**
 * False alarms on real source code: scans the source tree of every project of
 * ../shared/data/benign-src-dev.tsv (popular PyPI projects at fixed commits,
 * fetched and exported to DIR/<name>/, the package folder when the list gives
 * one) as `gatehouse scan DIR/<name>` would, and reports the share with each
 * verdict and the reasons for every one above clean. These trees stand for
 * what the projects' sdists contain; they are taken as honest, so every
 * verdict above clean is a false alarm unless shown otherwise. The figures
 * go into docs/scan-false-positives.md.
 *
 * Run: node --import tsx bench/scan-source-trees.ts /tmp/benign-src [--list TSV] [--json out.json]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ArtifactScanner, type ArtifactReport } from '../src/analyze/artifact.js';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const optionValues = new Set(['--list', '--json'].map((o) => option(o)));
const dir = args.find((a) => !a.startsWith('--') && !optionValues.has(a));
const list = option('--list') ?? fileURLToPath(new URL('../../shared/data/benign-src-dev.tsv', import.meta.url));
const jsonOut = option('--json');
if (dir === undefined || !existsSync(dir)) {
  console.error('usage: bench/scan-source-trees.ts DIR [--list TSV] [--json out.json]  (DIR holds one exported tree per project)');
  process.exit(2);
}
if (!existsSync(list)) {
  console.error(`${list} is missing: the list of benign projects is needed`);
  process.exit(2);
}
const names = readFileSync(list, 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => l.split('\t')[0]!);

const scanner = await ArtifactScanner.create();
const reports: Array<{ name: string; report?: ArtifactReport; error?: string; seconds: number }> = [];
const started = performance.now();
for (const name of names) {
  const path = join(dir, name);
  const t = performance.now();
  if (!existsSync(path)) {
    reports.push({ name, error: 'tree missing from DIR', seconds: 0 });
    continue;
  }
  try {
    reports.push({ name, report: await scanner.scanTree(path), seconds: (performance.now() - t) / 1000 });
  } catch (err) {
    reports.push({ name, error: `${(err as Error).name}: ${(err as Error).message}`, seconds: (performance.now() - t) / 1000 });
  }
}
const seconds = (performance.now() - started) / 1000;

const verdictOf = (r: (typeof reports)[number]): string => r.report?.verdict ?? 'error';
const count = (v: string): number => reports.filter((r) => verdictOf(r) === v).length;
const pct = (n: number): string => `${((100 * n) / reports.length).toFixed(2)}%`;
const s = scanner.source.stats;
console.log(`${reports.length} source trees in ${seconds.toFixed(1)} s; .py files ${s.files}, ${(s.bytes / 1e6).toFixed(1)} MB; parsed ${s.parsedFiles} files, ${(s.parsedBytes / 1e6).toFixed(1)} MB`);
for (const v of ['malicious', 'suspicious', 'clean', 'error']) console.log(`${v}: ${count(v)} (${pct(count(v))})`);
const ruleCounts = new Map<string, number>();
for (const r of reports) {
  for (const rule of new Set((r.report?.findings ?? []).filter((f) => f.severity !== 'info').map((f) => f.rule))) ruleCounts.set(rule, (ruleCounts.get(rule) ?? 0) + 1);
}
console.log('\ntrees with a non-info finding, per rule:');
for (const [rule, n] of [...ruleCounts].sort((a, b) => b[1] - a[1])) console.log(`  ${n}\t${rule}`);
for (const v of ['malicious', 'suspicious', 'error']) {
  console.log(`\n${v}:`);
  for (const r of reports.filter((x) => verdictOf(x) === v)) {
    console.log(`- ${r.name}`);
    for (const reason of r.report?.reasons ?? [r.error ?? '']) console.log(`    ${reason}`);
  }
}
console.log('\nparse triggers (rule -> files):');
for (const [rule, n] of [...s.parseTriggers].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${n}\t${rule}`);
const slowest = [...reports].sort((a, b) => b.seconds - a.seconds).slice(0, 5);
console.log(`\nslowest: ${slowest.map((r) => `${r.name} ${r.seconds.toFixed(1)} s`).join('; ')}`);
if (jsonOut) writeFileSync(jsonOut, JSON.stringify(reports, null, 1));
