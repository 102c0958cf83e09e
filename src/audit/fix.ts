/**
 * `--fix`: rewrite the requirements files an audit read, replacing each
 * vulnerable pin by the suggested upgrade (see suggestUpgrade in audit.ts), on
 * the line the pin came from. Hashes (`--hash`) on
 * that line belong to the old version and are removed, so pip does not refuse
 * the new one; re-generate them with your lock tool.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AuditReport } from './audit.js';
import { openFindings } from './audit.js';
import { originLocation } from './formats/origin.js';
import { detectKind } from './inputs.js';
import { logicalLines } from './requirements.js';

export interface FixChange {
  name: string;
  from: string;
  to: string;
  line: number;
  droppedHashes: boolean;
}

export interface FilePlan {
  /** As the audit showed it (relative to the working directory). */
  file: string;
  changes: FixChange[];
  before: string;
  after: string;
}

export interface FixPlan {
  files: FilePlan[];
  /** Vulnerable dependencies that no rewrite fixes: no clean version known, or not pinned in a requirements file. */
  unfixed: Array<{ name: string; version: string; reason: string }>;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function planFixes(report: AuditReport, cwd = process.cwd()): FixPlan {
  const edits = new Map<string, Array<{ line: number; name: string; from: string; to: string }>>();
  const unfixed: FixPlan['unfixed'] = [];
  for (const d of report.dependencies) {
    if (openFindings(d).length === 0) continue;
    if (d.suggestedUpgrade === null) {
      unfixed.push({ name: d.name, version: d.version, reason: 'no fixed version clears every known advisory' });
      continue;
    }
    const targets = d.origins.map(originLocation).filter((o) => o.line !== undefined && detectKind(o.file) === 'requirements');
    if (targets.length === 0) {
      unfixed.push({ name: d.name, version: d.version, reason: `pinned in ${d.origins.join(', ')}, which --fix does not rewrite` });
      continue;
    }
    for (const { file, line } of targets) {
      let list = edits.get(file);
      if (!list) edits.set(file, (list = []));
      list.push({ line: line as number, name: d.name, from: d.version, to: d.suggestedUpgrade });
    }
  }
  const files: FilePlan[] = [];
  for (const [file, list] of edits) {
    const text = readFileSync(resolve(cwd, file), 'utf8');
    const plan: FilePlan = { file, changes: [], before: text, after: text };
    // Bottom-up, so dropping hash lines never shifts a line still to be edited.
    for (const e of list.sort((a, b) => b.line - a.line)) {
      const change = rewritePin(plan, e.line, e.from, e.to);
      if (change) plan.changes.unshift({ name: e.name, ...change });
      else unfixed.push({ name: e.name, version: e.from, reason: `${file}:${e.line} has no ==${e.from} to rewrite` });
    }
    if (plan.changes.length > 0) files.push(plan);
  }
  return { files, unfixed };
}

/** Rewrites `==old` on the logical line starting at `line`; drops its `--hash` options. */
function rewritePin(plan: FilePlan, line: number, from: string, to: string): Omit<FixChange, 'name'> | null {
  const logical = logicalLines(plan.after).find((l) => l.line === line);
  if (!logical) return null;
  const eol = plan.after.includes('\r\n') ? '\r\n' : '\n';
  const physical = plan.after.split(/\r?\n/);
  const span = physical.slice(line - 1, logical.endLine);
  const pin = new RegExp(`(===?\\s*)${escapeRegExp(from)}(?=[\\s;,\\\\]|$)`);
  const at = span.findIndex((l) => pin.test(l));
  if (at < 0) return null;
  span[at] = (span[at] as string).replace(pin, `$1${to}`);
  const hash = /\s*--hash[=\s]\s*\S+/g;
  const droppedHashes = span.some((l) => /--hash[=\s]/.test(l));
  let rewritten = span;
  if (droppedHashes) {
    rewritten = span.map((l) => l.replace(hash, '')).filter((l) => l.replace(/\\\s*$/, '').trim().length > 0);
    const last = rewritten.length - 1;
    rewritten[last] = (rewritten[last] as string).replace(/\s*\\\s*$/, '');
  }
  physical.splice(line - 1, span.length, ...rewritten);
  plan.after = physical.join(eol);
  return { from, to, line, droppedHashes };
}

export function applyFixes(plan: FixPlan, cwd = process.cwd()): void {
  for (const f of plan.files) writeFileSync(resolve(cwd, f.file), f.after);
}
