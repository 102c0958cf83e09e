/** The human-readable report of `gatehouse scan` (the default `--format table`). */
import type { ArtifactReport } from '../artifact.js';
import type { Severity } from '../finding.js';

const order: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

export function tableReport(reports: readonly ArtifactReport[], options: { showInfo?: boolean } = {}): string {
  const lines: string[] = [];
  for (const r of reports) {
    const shown = r.findings
      .filter((f) => options.showInfo || f.severity !== 'info')
      .sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
    const hidden = r.findings.length - shown.length;
    const name = r.project !== undefined ? ` (${r.project}${r.version !== undefined ? ` ${r.version}` : ''})` : '';
    lines.push(`${r.verdict.toUpperCase().padEnd(10)} ${r.path}${name}`);
    for (const reason of r.reasons) lines.push(`  why: ${reason}`);
    for (const f of shown) {
      const where = f.file === undefined ? '' : `${f.file}${f.line === undefined ? '' : `:${f.line}`}  `;
      lines.push(`  ${f.severity.padEnd(8)} ${f.rule.padEnd(34)} ${where}${f.message}`);
      if (f.snippet !== undefined) lines.push(`           ${''.padEnd(34)} > ${f.snippet}`);
    }
    if (hidden > 0) lines.push(`  (${hidden} info finding${hidden === 1 ? '' : 's'} not shown; --show-info lists them)`);
  }
  const count = (v: string): number => reports.filter((r) => r.verdict === v).length;
  const errors = count('error') > 0 ? `, ${count('error')} could not be scanned` : '';
  lines.push(`${reports.length} artifact${reports.length === 1 ? '' : 's'}: ${count('malicious')} malicious, ${count('suspicious')} suspicious, ${count('clean')} clean${errors}`);
  return `${lines.join('\n')}\n`;
}
