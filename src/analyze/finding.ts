/**
 * The one shape every analyzer reports: archive readers, integrity checks,
 * code analyzers and name checks all return `Finding[]`, and the policy engine
 * turns findings into a decision.
 */

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

export type Confidence = 'low' | 'medium' | 'high';

export interface Finding {
  /** A stable rule id, `area.rule-name` (for example `archive.path-traversal`). */
  rule: string;
  severity: Severity;
  /** How sure the rule is that this is real, not how bad it would be. */
  confidence: Confidence;
  /** One line a user can act on. */
  message: string;
  /** The path inside the artifact the finding is about. */
  file?: string;
  /** 1-based line in `file`, for text findings. */
  line?: number;
  /** A short excerpt of the evidence. */
  snippet?: string;
  /** Where the code runs (install time, import time, call time, or not at all: tests and docs), when the analyzer knows. */
  context?: 'install' | 'import' | 'call' | 'unshipped';
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
