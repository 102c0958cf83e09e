/**
 * Why a project's files are served or not: every stored decision with the rules that fired, their inputs, the
 * waivers and list entries that applied, and what would change the outcome. `gatehouse explain` prints it; the
 * admin API returns it as JSON.
 */
import type { DecisionRow } from '../store/decisions.js';
import type { Decision, RuleResult } from './engine.js';
import type { PolicyEngine } from './engine.js';

export interface ExplainedRule {
  rule: string;
  outcome: string;
  mode: string;
  message: string;
  waiver?: { reason: string; grantedBy: string; expires: string };
  allowedBy?: string;
  /** What would change this rule's say. */
  remedy: string;
  evidence?: Record<string, unknown>;
}

export interface ExplainedFile {
  decision: string;
  filename: string;
  version: string;
  sha256: string;
  source: string;
  state: string;
  outcome: string;
  wouldBe: string;
  decidedAt: string;
  policyRevision: string;
  dbRevision: string;
  inputs: Record<string, unknown>;
  rules: ExplainedRule[];
}

export interface Explanation {
  project: string;
  /** What the name alone decides (the deny list, the name gate for public projects). */
  name: { outcome: string; rules: ExplainedRule[] };
  files: ExplainedFile[];
}

function remedyOf(r: RuleResult): string {
  const ev = r.finding?.evidence ?? {};
  if (r.rule === 'name.typosquat') return ev.target ? `if you meant '${String(ev.target)}', install that; otherwise allow the name in policy.lists.allow or waive rule name.typosquat` : 'allow the name in policy.lists.allow';
  if (r.rule.startsWith('name.')) return `allow the name in policy.lists.allow, or waive rule ${r.rule}`;
  if (r.rule === 'vulnerability.malware') return 'none: a known-malicious package is never served (a waiver for its advisory id would, at your risk)';
  if (r.rule.startsWith('vulnerability.')) {
    const fixes = (ev.fixVersions as readonly string[] | undefined) ?? [];
    return `${fixes.length > 0 ? `use ${fixes[0]} or later (fixed); ` : ''}or waive advisory ${String(ev.advisory ?? '')}`;
  }
  if (r.rule === 'cooldown.too-new') return `wait until it is old enough, or exempt the project (policy.cooldown.exempt) or waive rule cooldown.too-new`;
  if (r.rule === 'cooldown.unknown-upload-time') return 'the index gives no upload time: set policy.cooldown.unknown_upload_time, or waive rule cooldown.unknown-upload-time';
  if (r.rule === 'cooldown.after-cutoff') return 'move policy.cooldown.cutoff, or waive rule cooldown.after-cutoff';
  if (r.rule.startsWith('scanner.')) return `review it: gatehouse quarantine release <decision> --reason "…" (or waive rule ${r.rule})`;
  if (r.rule.startsWith('licenses.')) return 'allow the license in policy.licenses.allow, or waive rule ' + r.rule;
  if (r.rule === 'metadata.required') return 'upload a file whose metadata has the required fields';
  if (r.rule === 'lists.deny') return 'remove the entry from policy.lists.deny';
  return `waive rule ${r.rule}`;
}

function explainRule(r: RuleResult): ExplainedRule {
  const out: ExplainedRule = { rule: r.rule, outcome: r.outcome, mode: r.mode, message: r.message, remedy: remedyOf(r) };
  if (r.waivedBy) out.waiver = { reason: r.waivedBy.reason, grantedBy: r.waivedBy.grantedBy, expires: r.waivedBy.expires };
  if (r.allowedBy) out.allowedBy = r.allowedBy;
  if (r.finding?.evidence) out.evidence = { ...r.finding.evidence };
  return out;
}

export function explain(project: string, source: string, engine: PolicyEngine, rows: readonly DecisionRow[], version?: string): Explanation {
  const name: Decision = engine.project({ project, source });
  return {
    project,
    name: { outcome: name.outcome, rules: name.results.map(explainRule) },
    files: rows
      .filter((row) => version === undefined || row.version === version)
      .map((row) => ({
        decision: row.decision_id,
        filename: row.filename,
        version: row.version,
        sha256: row.sha256,
        source: row.source,
        state: row.state,
        outcome: row.outcome,
        wouldBe: row.would_be,
        decidedAt: row.decided_at,
        policyRevision: row.policy_revision,
        dbRevision: row.db_revision,
        inputs: JSON.parse(row.inputs) as Record<string, unknown>,
        rules: (JSON.parse(row.results) as RuleResult[]).map(explainRule),
      })),
  };
}

/** The explanation as text: a block per file, a line per rule. */
export function renderExplanation(e: Explanation): string {
  const lines: string[] = [`${e.project}: name ${e.name.outcome}`];
  for (const r of e.name.rules) lines.push(`  ${r.outcome.padEnd(10)} ${r.rule}: ${r.message}`, `             → ${r.remedy}`);
  if (e.files.length === 0) lines.push('  no file of it has passed through this gateway yet');
  for (const f of e.files) {
    lines.push('', `${f.filename}  ${f.state.toUpperCase()}  (decision ${f.decision}, ${f.decidedAt.slice(0, 19)}, from ${f.source})`);
    if (f.wouldBe !== f.outcome) lines.push(`  dry-run rules would make it: ${f.wouldBe}`);
    const inputs = Object.entries(f.inputs).filter(([, v]) => v !== null && v !== undefined && !(Array.isArray(v) && v.length === 0));
    if (inputs.length > 0) lines.push(`  inputs: ${inputs.map(([k, v]) => `${k}=${Array.isArray(v) ? v.join(',') : String(v)}`).join('  ')}`);
    if (f.rules.length === 0) lines.push('  no rule fired');
    for (const r of f.rules) {
      const tag = r.waiver ? ` (waived: ${r.waiver.reason}; by ${r.waiver.grantedBy}, until ${r.waiver.expires})` : r.allowedBy ? ` (allowed by list entry ${r.allowedBy})` : r.mode === 'dry-run' ? ' (dry run)' : '';
      lines.push(`  ${r.outcome.padEnd(10)} ${r.rule}: ${r.message}${tag}`, `             → ${r.remedy}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
