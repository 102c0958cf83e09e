/** The default, human-readable report: one row per finding, then upgrades and what could not be audited. */
import { openFindings, summarize, type AuditReport } from '../audit.js';
import { severityLabel, summaryLine } from './labels.js';

export function renderTable(report: AuditReport): string {
  const rows: string[][] = [];
  for (const d of report.dependencies) {
    for (const f of openFindings(d)) {
      rows.push([d.name, d.version, f.advisory.id, f.fixVersions.join(', ') || '-', severityLabel(f)]);
    }
  }
  const lines: string[] = [];
  if (rows.length > 0) {
    const header = ['Name', 'Version', 'ID', 'Fix versions', 'Severity'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
    const format = (r: string[]): string => r.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
    lines.push(format(header), format(widths.map((w) => '-'.repeat(w))), ...rows.map(format), '');
  }
  const summary = summarize(report);
  lines.push(summaryLine(summary));
  const upgrades = report.dependencies.filter((d) => d.suggestedUpgrade !== null);
  if (upgrades.length > 0) {
    lines.push('', 'Suggested upgrades (smallest version that fixes these findings):');
    for (const d of upgrades) lines.push(`  ${d.name} ${d.version} -> ${d.suggestedUpgrade}`);
  }
  const ignored = report.dependencies.flatMap((d) => d.findings.filter((f) => f.ignoredBy).map((f) => ({ d, f })));
  if (ignored.length > 0) {
    lines.push('', 'Ignored:');
    for (const { d, f } of ignored) {
      const why = [f.ignoredBy?.reason, f.ignoredBy?.until ? `until ${f.ignoredBy.until}` : undefined].filter(Boolean).join(', ');
      lines.push(`  ${d.name} ${d.version} ${f.advisory.id}${why ? ` (${why})` : ''}`);
    }
  }
  for (const e of report.expiredIgnores) lines.push(`Note: --ignore ${e.id} expired on ${e.until}; its findings are reported again.`);
  if (report.unauditable.length > 0) {
    lines.push('', `Could not audit ${report.unauditable.length} ${report.unauditable.length === 1 ? 'requirement' : 'requirements'}:`);
    for (const u of report.unauditable) lines.push(`  ${u.requirement} (${u.origin}): ${u.reason}`);
  }
  return lines.join('\n') + '\n';
}
