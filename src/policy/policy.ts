/**
 * The policy: what the gateway does with what its analyzers find. Each rule gives an outcome (allow, warn,
 * quarantine, block) and has a mode: `enforce`, or `dry-run` (the decision is recorded and logged, the file served).
 *
 * The defaults are for a company that turns the gateway on tomorrow; the reasoning is in docs/decisions.md:
 * typosquats and malware are refused, suspicious files held for review, known-vulnerable releases passed over for
 * fixed ones (a warning, which resolvers treat like a yank), and releases younger than a week waited out.
 */
import { createHash } from 'node:crypto';
import type { Severity } from '../finding.js';
import type { Requirement } from '../pep/requirement.js';

export type Outcome = 'allow' | 'warn' | 'quarantine' | 'block';
export const OUTCOMES: readonly Outcome[] = ['allow', 'warn', 'quarantine', 'block'];
export type Mode = 'enforce' | 'dry-run';

export function worse(a: Outcome, b: Outcome): Outcome {
  return OUTCOMES.indexOf(a) >= OUTCOMES.indexOf(b) ? a : b;
}

interface RuleSettings {
  mode: Mode;
}

export interface NamesRule extends RuleSettings {
  /** A name that imitates a popular project (`reqeusts`). */
  typosquat: Outcome;
  /** A name PyPI does not know (a possible confusion with an internal name, or a fresh squat). */
  unknown: Outcome;
}

export interface ScannerRule extends RuleSettings {
  malicious: Outcome;
  suspicious: Outcome;
  /** The scanner could not read the file. */
  error: Outcome;
}

export interface VulnerabilitiesRule extends RuleSettings {
  /** Advisories at or above this severity block; `none` blocks on none. */
  blockSeverity: Severity | 'none';
  /** Advisories at or above this severity warn (the release is marked yanked with the reason). */
  warnSeverity: Severity | 'none';
  /** Advisory ids (or aliases: CVE, GHSA, PYSEC) that block whatever their severity. */
  block: string[];
  /** Known-malicious packages (OSV `MAL-` reports). */
  malware: Outcome;
}

export interface CooldownRule extends RuleSettings {
  /** Files younger than this (since their upload time) are held back; 0 turns the rule off. */
  minimumAgeMs: number;
  /** Projects the wait does not apply to: names, or prefixes written `acme-*`. */
  exempt: string[];
  /** Nothing uploaded after this instant (ISO 8601), whatever its age; null for no cut-off. */
  cutoff: string | null;
  /** Files whose upload time the index does not give: a server can fail closed where clients fail open. */
  unknownUploadTime: Outcome;
  outcome: Outcome;
}

export interface LicensesRule extends RuleSettings {
  /** SPDX expressions or ids; when not empty, a license outside it is refused. */
  allow: string[];
  /** SPDX expressions or ids that are refused. */
  deny: string[];
  /** No license could be derived from the metadata. */
  unknown: Outcome;
  /** A denied license, or one outside the allow list. */
  outcome: Outcome;
}

export interface MetadataRule extends RuleSettings {
  /** Core metadata fields a hosted upload must have (`license`, `author-email`, `project-url`…). */
  require: string[];
  outcome: Outcome;
}

export interface ListEntry {
  /** As written in the policy (`django<4`, `left-pad`). */
  text: string;
  requirement: Requirement;
}

export interface ListsRule extends RuleSettings {
  /** Always served, whatever the other rules find, except known malware and a malicious scan (waive those). */
  allow: ListEntry[];
  /** Never served. */
  deny: ListEntry[];
}

export interface Waiver {
  project: string;
  /** A version specifier set (`==1.2.0`, `<2`), or any version when absent. */
  version?: string;
  filename?: string;
  /** A rule id (`vulnerability.advisory`, `cooldown.too-new`), an advisory id, or any rule when absent. */
  rule?: string;
  reason: string;
  grantedBy: string;
  /** ISO date or instant; the waiver ends then. */
  expires: string;
}

export interface Policy {
  names: NamesRule;
  scanner: ScannerRule;
  vulnerabilities: VulnerabilitiesRule;
  cooldown: CooldownRule;
  licenses: LicensesRule;
  metadata: MetadataRule;
  lists: ListsRule;
  waivers: Waiver[];
}

export const DEFAULT_POLICY: Policy = {
  names: { mode: 'enforce', typosquat: 'block', unknown: 'allow' },
  scanner: { mode: 'enforce', malicious: 'block', suspicious: 'quarantine', error: 'quarantine' },
  vulnerabilities: { mode: 'enforce', blockSeverity: 'none', warnSeverity: 'high', block: [], malware: 'block' },
  cooldown: { mode: 'enforce', minimumAgeMs: 7 * 86_400_000, exempt: [], cutoff: null, unknownUploadTime: 'block', outcome: 'block' },
  licenses: { mode: 'enforce', allow: [], deny: [], unknown: 'allow', outcome: 'block' },
  metadata: { mode: 'enforce', require: [], outcome: 'block' },
  lists: { mode: 'enforce', allow: [], deny: [] },
  waivers: [],
};

/** Names a policy's content: decisions are keyed by it, so any change re-evaluates them. */
export function policyRevision(policy: Policy): string {
  const canonical = JSON.stringify(policy, (_key, value: unknown) => {
    if (value && typeof value === 'object' && 'requirement' in value && 'text' in value) return (value as ListEntry).text;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)));
    }
    return value;
  });
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}
