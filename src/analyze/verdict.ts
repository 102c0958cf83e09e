/**
 * The verdict on one artifact, with the reasons behind it.
 *
 * A capability alone (network, subprocess, a file read) is common in honest
 * code and is reported at `info`; rules that see a capability joined to a
 * threat in the same file (secrets + network, decode + exec, install hook +
 * download) are `critical`. So:
 * - malicious: a critical finding that is at least medium confidence;
 * - suspicious: a high finding, a low-confidence critical one, or medium
 *   findings from two or more different rules;
 * - clean: anything less;
 * - error: the scan itself stopped on the artifact (the reason says why); it
 *   ranks above malicious for `--fail-on`, since nothing vouches for it.
 */
import type { Finding } from './finding.js';

export type Verdict = 'clean' | 'suspicious' | 'malicious' | 'error';

export const VERDICTS: readonly Verdict[] = ['clean', 'suspicious', 'malicious', 'error'];

export interface VerdictWithReasons {
  verdict: Verdict;
  /** One line per finding that decided the verdict. */
  reasons: string[];
}

export function describeFinding(f: Finding): string {
  const where = f.file === undefined ? '' : ` in ${f.file}${f.line === undefined ? '' : `:${f.line}`}`;
  return `${f.severity} ${f.rule}${where}: ${f.message}`;
}

export function decideVerdict(findings: readonly Finding[]): VerdictWithReasons & { verdict: Exclude<Verdict, 'error'> } {
  const malicious = findings.filter((f) => f.severity === 'critical' && f.confidence !== 'low');
  if (malicious.length > 0) return { verdict: 'malicious', reasons: malicious.map(describeFinding) };

  const strong = findings.filter((f) => f.severity === 'high' || f.severity === 'critical');
  const medium = findings.filter((f) => f.severity === 'medium');
  const mediumRules = new Set(medium.map((f) => f.rule));
  if (strong.length > 0 || mediumRules.size >= 2) {
    const firstPerRule = [...mediumRules].map((r) => medium.find((f) => f.rule === r)!);
    return { verdict: 'suspicious', reasons: [...strong, ...(mediumRules.size >= 2 ? firstPerRule : [])].map(describeFinding) };
  }
  const notable = findings.filter((f) => f.severity !== 'info');
  return {
    verdict: 'clean',
    reasons:
      notable.length === 0
        ? ['no finding above info (capabilities alone do not condemn)']
        : [`only weak signals that do not combine: ${[...new Set(notable.map((f) => f.rule))].join(', ')}`],
  };
}

/** True when `verdict` is at or above `threshold`. */
export function reaches(verdict: Verdict, threshold: Verdict): boolean {
  return VERDICTS.indexOf(verdict) >= VERDICTS.indexOf(threshold);
}
