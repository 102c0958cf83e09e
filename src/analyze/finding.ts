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
}
