/**
 * Benchmark (b) of the sandbox: the dynamic check on the benign source trees of the development split
 * (/work/shared/data/benign-src-dev.tsv, checked out under /tmp/benign-src/NAME at the listed commit). Each tree is
 * packed as an sdist would be and given the dynamic check of `scan --dynamic` (lenient build in the sandbox, then the
 * import of each top-level module of the wheel it built), build dependencies from /opt/pypi, 90 s per run. Reports
 * the findings on honest code (false alarms, each listed) and the builds that failed for want of a dependency.
 *
 * Run: node --import tsx bench/sandbox-benign.ts [--limit N] [--out /tmp/gatehouse-benign-dynamic.jsonl]
 */
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decideVerdict } from '../src/analyze/verdict.js';
import { BehaviourRulebook } from '../src/sandbox/behaviour-rules.js';
import { checkSdistDynamically } from '../src/sandbox/dynamic.js';
import { sandboxHost } from '../src/sandbox/host.js';
import { argValue, packTree, serveIndex } from './sandbox-common.js';

const out = argValue('--out', '/tmp/gatehouse-benign-dynamic.jsonl');
const limit = Number(argValue('--limit', 'Infinity'));
const rows = readFileSync('/work/shared/data/benign-src-dev.tsv', 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '' && !l.startsWith('#'))
  .map((l) => l.split('\t'))
  .map((f) => ({ name: f[0]!, tag: f[3] ?? '', subdir: f[4] ?? '' }))
  .slice(0, limit);

const host = await sandboxHost();
const index = await serveIndex();
const rules = BehaviourRulebook.load();
const cacheDir = join(tmpdir(), 'gatehouse-bench-sandbox-cache');
writeFileSync(out, '');
const started = Date.now();
const tally = { trees: 0, built: 0, missingDependency: 0, otherFailure: 0, clean: 0, flagged: 0, withFindings: 0 };
const failures = new Map<string, number>();
const ruleHits = new Map<string, string[]>();
for (const row of rows) {
  const tree = join('/tmp/benign-src', row.name, row.subdir);
  if (!existsSync(tree)) continue;
  const version = row.tag.replace(/^[^0-9]*/, '') || '0';
  const sdist = packTree(tree, `${row.name}-${version}`);
  const t = Date.now();
  const report = await checkSdistDynamically(sdist, { host, indexUrl: index.url, cacheDir, limits: { wallTimeMs: 90_000 }, rules });
  const notable = report.findings.filter((f) => f.severity !== 'info');
  const verdict = decideVerdict(report.findings).verdict;
  tally.trees++;
  if (report.build?.status === 'built') tally.built++;
  else if (report.build?.failure === 'missing-dependency') tally.missingDependency++;
  else tally.otherFailure++;
  if (report.build?.status !== 'built') failures.set(report.build?.failure ?? 'not-run', (failures.get(report.build?.failure ?? 'not-run') ?? 0) + 1);
  if (verdict === 'clean') tally.clean++;
  else tally.flagged++;
  if (notable.length > 0) tally.withFindings++;
  for (const f of notable) ruleHits.set(f.rule, [...(ruleHits.get(f.rule) ?? []), `${row.name}: ${f.snippet ?? f.message}`]);
  appendFileSync(out, `${JSON.stringify({ name: row.name, ms: Date.now() - t, verdict, build: report.build, summary: report.summary, findings: notable.map((f) => ({ rule: f.rule, severity: f.severity, evidence: f.snippet ?? f.message })) })}\n`);
  console.error(`${tally.trees}/${rows.length} ${row.name}: ${verdict}, ${report.build?.status} ${report.build?.failure ?? ''} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
}
index.stop();
console.log(`trees: ${tally.trees}; ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`built: ${tally.built}; failed for want of a dependency: ${tally.missingDependency}; failed otherwise: ${tally.otherFailure} (${[...failures].map(([k, n]) => `${k} ${n}`).join(', ')})`);
console.log(`verdict from the dynamic check: clean ${tally.clean}, suspicious or malicious ${tally.flagged}; trees with a finding above info: ${tally.withFindings}`);
for (const [rule, hits] of [...ruleHits].sort((a, b) => b[1].length - a[1].length)) console.log(`  ${rule} (${hits.length}): ${hits.slice(0, 12).join(' | ')}`);
