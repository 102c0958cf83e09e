/**
 * What `gatehouse audit` does once its options are parsed: gather the
 * inputs, audit them, render the report, and apply or show `--fix`.
 */
import { openVulnDb } from '../vulndb/database.js';
import { openFindings, runAudit, summarize, type AuditReport } from './audit.js';
import { mergeSets, type DependencySet } from './dependency.js';
import { importPathOf, readInstalled } from './environment.js';
import { AuditInputError } from './errors.js';
import { applyFixes, planFixes } from './fix.js';
import { parseIgnore } from './ignore.js';
import { readInputFile, readPinArgument } from './inputs.js';

export type ReportFormat = 'table' | 'json' | 'markdown' | 'sarif' | 'cyclonedx';

export interface AuditCommandOptions {
  packages: string[];
  requirement: string[];
  file: string[];
  path: string[];
  python?: string;
  format: ReportFormat;
  ignore: string[];
  fix: boolean;
  dryRun: boolean;
  strict: boolean;
  dataDir: string;
}

export interface AuditCommandResult {
  report: string;
  /** Messages for standard error: what --fix did or would do. */
  notes: string[];
  exitCode: number;
}

export async function renderReport(report: AuditReport, format: ReportFormat): Promise<string> {
  switch (format) {
    case 'table':
      return (await import('./formats/table.js')).renderTable(report);
    case 'json':
      return (await import('./formats/json.js')).renderJson(report);
    case 'markdown':
      return (await import('./formats/markdown.js')).renderMarkdown(report);
    case 'sarif':
      return (await import('./formats/sarif.js')).renderSarif(report);
    case 'cyclonedx':
      return (await import('./formats/cyclonedx.js')).renderCycloneDx(report);
  }
}

async function gatherInputs(opts: AuditCommandOptions): Promise<DependencySet> {
  const sets: DependencySet[] = [];
  for (const p of opts.packages) sets.push(readPinArgument(p));
  for (const r of opts.requirement) sets.push(await readInputFile(r, process.env, process.cwd(), 'requirements'));
  for (const f of opts.file) sets.push(await readInputFile(f));
  const dirs = [...opts.path];
  if (opts.python) dirs.push(...importPathOf(opts.python));
  if (dirs.length > 0) sets.push(readInstalled(dirs));
  if (sets.length === 0) {
    throw new AuditInputError('nothing to audit: give name==version arguments, -r requirements.txt, -f LOCKFILE, --path SITE_PACKAGES or --python INTERPRETER');
  }
  return mergeSets(sets);
}

export async function runAuditCommand(opts: AuditCommandOptions): Promise<AuditCommandResult> {
  const ignores = opts.ignore.map(parseIgnore);
  const input = await gatherInputs(opts);
  const db = await openVulnDb(opts.dataDir, {
    onBuild: (why) => process.stderr.write(`gatehouse: ${why}; building it from the shipped advisory snapshot (about a second)\n`),
  });
  const today = new Date().toISOString().slice(0, 10);
  const report = runAudit(db, input, ignores, today);
  const notes: string[] = [];
  let fixed = new Set<string>();
  if (opts.fix) {
    const plan = planFixes(report);
    for (const f of plan.files) {
      for (const c of f.changes) {
        notes.push(`${opts.dryRun ? 'would fix' : 'fixed'} ${f.file}:${c.line}: ${c.name} ${c.from} -> ${c.to}${c.droppedHashes ? ' (its --hash options were removed; regenerate them)' : ''}`);
      }
      if (opts.dryRun) notes.push(unifiedDiff(f.file, f.before, f.after));
    }
    for (const u of plan.unfixed) notes.push(`cannot fix ${u.name} ${u.version}: ${u.reason}`);
    if (!opts.dryRun) {
      applyFixes(plan);
      fixed = new Set(plan.files.flatMap((f) => f.changes.map((c) => c.name)));
    }
  }
  const summary = summarize(report);
  const remaining = report.dependencies.filter((d) => openFindings(d).length > 0 && !fixed.has(d.name)).length;
  const exitCode = remaining > 0 || (opts.strict && summary.unauditable > 0) ? 1 : 0;
  return { report: await renderReport(report, opts.format), notes, exitCode };
}

/** A minimal unified diff of changed lines, enough to review a --fix --dry-run. */
function unifiedDiff(file: string, before: string, after: string): string {
  const a = before.split(/\r?\n/);
  const b = after.split(/\r?\n/);
  let start = 0;
  while (start < a.length && start < b.length && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  return [
    `--- ${file}`,
    `+++ ${file}`,
    `@@ -${start + 1},${endA - start} +${start + 1},${endB - start} @@`,
    ...a.slice(start, endA).map((l) => `-${l}`),
    ...b.slice(start, endB).map((l) => `+${l}`),
  ].join('\n');
}
