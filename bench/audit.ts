/**
 * Benchmark: `gatehouse audit -r` of a 500-requirement file with a warm
 * database, timed as a whole process (start-up included), as a ratio to the
 * Python reference (test/vulndb/oracle/osv_reference.py, on `packaging`) timed
 * the same way in the same run; plus the database build from the snapshot.
 *
 * Gatehouse runs as shipped: built by `scripts/build.mjs` (the bundle `npm ci`
 * builds) into a temporary copy of the package layout (dist/, data/, rules/,
 * node_modules/), with the default (table) report. Both sides must report the
 * same number of findings, or the run fails. A bare `node -e 0` is timed too:
 * the part of every Node command that no code of ours can shorten.
 *
 *   node --import tsx bench/audit.ts [--runs N]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Version } from '../src/pep/version.js';

const repo = fileURLToPath(new URL('../', import.meta.url));
const snapshot = join(repo, 'data/osv/pypa-advisories-2026-07.jsonl.gz');
const oracle = join(repo, 'test/vulndb/oracle/osv_reference.py');
const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;

function time(command: string, args: string[], expectStatus: number[]): { ms: number; stdout: string } {
  const start = process.hrtime.bigint();
  const r = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status === null || !expectStatus.includes(r.status)) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-audit-'));
try {
  // The shipped layout: dist/ next to package.json, data/, rules/ and node_modules/.
  const app = join(work, 'app');
  cpSync(join(repo, 'package.json'), join(app, 'package.json'));
  for (const shipped of ['data', 'rules', 'node_modules']) symlinkSync(join(repo, shipped), join(app, shipped));
  execFileSync(process.execPath, [join(repo, 'scripts/build.mjs'), '--outdir', join(app, 'dist')], { stdio: 'inherit' });
  const gatehouse = join(app, 'dist/cli/main.js');
  const data = join(work, 'data');

  // Database build from the snapshot, whole process.
  const builds: number[] = [];
  for (let i = 0; i < Math.max(1, Math.min(runs, 3)); i++) builds.push(time(process.execPath, [gatehouse, 'vulndb', 'rebuild', '--data', data], [0]).ms);

  // 500 requirements: the first 500 packages of the database, each pinned to a version its advisories name.
  const lines: string[] = [];
  const seen = new Set<string>();
  for (const line of execFileSync('python3', ['-c', 'import gzip,sys; sys.stdout.write(gzip.open(sys.argv[1],"rt").read())', snapshot], { encoding: 'utf8', maxBuffer: 1 << 28 }).split('\n')) {
    if (lines.length >= 500 || line.length === 0) continue;
    const adv = JSON.parse(line) as { withdrawn?: string; affected?: Array<{ package?: { name: string }; ranges?: Array<{ events: Array<Record<string, string>> }>; versions?: string[] }> };
    const a = adv.affected?.[0];
    const name = a?.package?.name;
    if (adv.withdrawn || !name || seen.has(name)) continue;
    const texts = [...(a.ranges ?? []).flatMap((r) => r.events.flatMap((e) => Object.values(e))), ...(a.versions ?? [])];
    const version = texts.find((t) => t !== '0' && Version.tryParse(t) !== null);
    if (!version) continue;
    seen.add(name);
    lines.push(`${name}==${version}`);
  }
  const requirements = join(work, 'requirements.txt');
  writeFileSync(requirements, lines.join('\n') + '\n');

  const ours: number[] = [];
  const reference: number[] = [];
  let ourFindings = 0;
  let referenceFindings = 0;
  const countFindings = (table: string): number => {
    const m = /^Found (?:(\d+) known vulnerabilit(?:y|ies))?(?: and )?(?:(\d+) malicious-package reports?)? in/m.exec(table);
    return m ? Number(m[1] ?? 0) + Number(m[2] ?? 0) : 0;
  };
  time(process.execPath, [gatehouse, 'audit', '-r', requirements, '--data', data], [0, 1]); // warm the OS cache
  for (let i = 0; i < runs; i++) {
    const g = time(process.execPath, [gatehouse, 'audit', '-r', requirements, '--data', data], [0, 1]);
    ours.push(g.ms);
    ourFindings = countFindings(g.stdout);
    const p = time('python3', [oracle, 'audit', snapshot, requirements], [0, 1]);
    reference.push(p.ms);
    referenceFindings = Number(/^(\d+) vulnerabilities$/m.exec(p.stdout)?.[1]);
  }
  if (ourFindings !== referenceFindings) throw new Error(`findings differ: gatehouse ${ourFindings}, reference ${referenceFindings}`);
  // Start-up floors, to tell the audit's work from each runtime's start: Node with nothing to run, our command up to
  // the point where it would start reading inputs (`audit --help`), and Python importing what the reference uses.
  const floor = (command: string, args: string[]): number => median(Array.from({ length: runs }, () => time(command, args, [0]).ms));
  const nodeStart = floor(process.execPath, ['-e', '0']);
  const commandStart = floor(process.execPath, [gatehouse, 'audit', '--help']);
  const pythonStart = floor('python3', ['-c', 'import gzip, json, packaging.version, packaging.utils']);

  const g = median(ours);
  const p = median(reference);
  const result = {
    date: new Date().toISOString().slice(0, 10),
    requirements: lines.length,
    findings: ourFindings,
    runs,
    gatehouseAuditMs: Math.round(g),
    referenceAuditMs: Math.round(p),
    speedup: Number((p / g).toFixed(1)),
    bareNodeStartMs: Math.round(nodeStart),
    gatehouseStartMs: Math.round(commandStart),
    pythonStartMs: Math.round(pythonStart),
    /** The same ratio with each side's start-up taken off: what the audit itself costs on each side. */
    workSpeedup: Number(((p - pythonStart) / (g - commandStart)).toFixed(1)),
    databaseBuildMs: Math.round(median(builds)),
    databaseBuildVsReferenceLoad: Number((p / median(builds)).toFixed(2)),
  };
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
  process.stdout.write(
    `\n| measurement (median of ${runs}) | time | ratio |\n| --- | --- | --- |\n` +
      `| gatehouse audit, ${lines.length} requirements, warm database, whole process | ${result.gatehouseAuditMs} ms | ${result.speedup}x faster than the reference |\n` +
      `| Python reference (packaging), same file, whole process | ${result.referenceAuditMs} ms | 1.0x (baseline) |\n` +
      `| bare \`node -e 0\` | ${result.bareNodeStartMs} ms | |\n` +
      `| \`gatehouse audit --help\` (the command's start-up, no audit) | ${result.gatehouseStartMs} ms | |\n` +
      `| \`python3 -c "import gzip, json, packaging.version, packaging.utils"\` | ${result.pythonStartMs} ms | |\n` +
      `| the audit's own work: whole process minus that side's start-up | ${Math.round(g - commandStart)} ms vs ${Math.round(p - pythonStart)} ms | ${result.workSpeedup}x |\n` +
      `| gatehouse vulndb rebuild (database build from the snapshot), whole process | ${result.databaseBuildMs} ms | ${result.databaseBuildVsReferenceLoad}x the reference's audit time |\n`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
