/**
 * The one shape of every input to a decision: what the archive readers, the wheel-integrity check, the scanner, the
 * name gate, the vulnerability database and the sandbox report. The policy engine reads them all alike: a rule id, a
 * severity, a confidence, one line a user can act on, and the evidence.
 *
 * It lives here, below every part that reports findings, so that none of them imports another to say what it found.
 */

/** One scale for everything: a CVSS rating maps onto it (none becomes info). */
export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

/** How sure the rule is that this is real, not how bad it would be. */
export type Confidence = 'low' | 'medium' | 'high';

/** Which part found it. */
export type FindingSource = 'archive' | 'integrity' | 'scanner' | 'name-gate' | 'vulnerability' | 'sandbox' | 'metadata';

export interface Finding {
  /** A stable rule id, `area.rule-name` (for example `archive.path-traversal`, `vuln.GHSA-…`). */
  rule: string;
  severity: Severity;
  confidence: Confidence;
  /** One line a user can act on. */
  message: string;
  /** Which part reported it; absent in reports of a single analyzer, where it goes without saying. */
  source?: FindingSource;
  /** The path inside the artifact the finding is about. */
  file?: string;
  /** 1-based line in `file`, for text findings. */
  line?: number;
  /** A short excerpt of the evidence. */
  snippet?: string;
  /** Where the code runs (install time, import time, call time, or not at all: tests and docs), when the analyzer knows. */
  context?: 'install' | 'import' | 'call' | 'unshipped';
  /** Structured evidence the policy and `explain` show: an advisory id, a look-alike name, an address. */
  evidence?: Record<string, string | number | boolean | readonly string[]>;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/** Whether `severity` is at or above `threshold`. */
export function atLeast(severity: Severity, threshold: Severity): boolean {
  return severityRank(severity) >= severityRank(threshold);
}

/** How bad and how sure a rule is, decided once in the table of the part that reports it. */
export interface RuleGrade {
  severity: Severity;
  confidence: Confidence;
}

export interface FindingLocation {
  file?: string;
  snippet?: string;
  /** Overrides the table's severity where the evidence changes it (a link that escapes the archive). */
  severity?: Severity;
}

/** A finding for one rule of a grade table: the table gives severity and confidence, the caller the evidence. */
export function gradedFinding<Id extends string>(
  table: Readonly<Record<Id, RuleGrade>>,
  rule: Id,
  message: string,
  location: FindingLocation = {},
): Finding {
  const { severity, confidence } = table[rule];
  const finding: Finding = { rule, severity: location.severity ?? severity, confidence, message };
  if (location.file !== undefined) finding.file = location.file;
  if (location.snippet !== undefined) finding.snippet = location.snippet;
  return finding;
}
