/** Short texts shared by the human-readable formats (table, markdown). */
import type { AdvisoryFinding } from '../audit.js';
import type { AuditSummary } from '../audit.js';

/** "critical 9.8", "malware", or "unscored". */
export function severityLabel(f: AdvisoryFinding): string {
  if (f.advisory.malware) return 'MALWARE';
  const worst = f.advisory.highestSeverity;
  return worst ? `${worst.level} ${worst.score.toFixed(1)}` : 'unscored';
}

export function summaryLine(s: AuditSummary): string {
  if (s.vulnerabilities === 0 && s.malware === 0) {
    return `No known vulnerabilities found in ${s.dependencies} dependencies${s.ignored ? ` (${s.ignored} ignored)` : ''}.`;
  }
  const parts = [];
  if (s.vulnerabilities) parts.push(`${s.vulnerabilities} known ${s.vulnerabilities === 1 ? 'vulnerability' : 'vulnerabilities'}`);
  if (s.malware) parts.push(`${s.malware} malicious-package ${s.malware === 1 ? 'report' : 'reports'}`);
  return `Found ${parts.join(' and ')} in ${s.vulnerableDependencies} of ${s.dependencies} dependencies${s.ignored ? ` (${s.ignored} ignored)` : ''}.`;
}
