/** The default, human-readable report: one row per finding, then upgrades and what could not be audited. */
import { summarize, type AuditReport } from '../audit.js';
import { severityLabel, summaryLine } from './labels.js';

export function renderTable(report: AuditReport): string {
  // Column by column, so widths are known before any row is written: an audit can have thousands of rows. The fix
  // versions come last: that list can be long, and a last column is not padded (nor is every row to its width).
  const columns: string[][] = [['Name'], ['Version'], ['ID'], ['Severity'], ['Fix versions']];
  for (const d of report.dependencies) {
    for (const f of d.findings) {
      if (f.ignoredBy !== undefined) continue;
      columns[0]?.push(d.name);
      columns[1]?.push(d.version);
      columns[2]?.push(f.advisory.id);
      columns[3]?.push(severityLabel(f));
      columns[4]?.push(f.fixVersions.length > 0 ? f.fixVersions.join(', ') : '-');
    }
  }
  const lines: string[] = [];
  const rows = (columns[0] as string[]).length - 1;
  if (rows > 0) {
    const widths = columns.map((c) => c.reduce((w, cell) => Math.max(w, cell.length), 0));
    // One padding string per width, shared by every cell: thousands of rows, no string built per cell.
    const pads = Array.from({ length: Math.max(...widths) + 3 }, (_, n) => ' '.repeat(n));
    const parts: string[] = [];
    const row = (i: number): void => {
      for (let c = 0; c < columns.length - 1; c++) {
        const cell = (columns[c] as string[])[i] as string;
        parts.push(cell, pads[(widths[c] as number) + 2 - cell.length] as string);
      }
      parts.push((columns[columns.length - 1] as string[])[i] as string, '\n');
    };
    row(0);
    parts.push(widths.map((w) => '-'.repeat(w)).join('  '), '\n');
    for (let i = 1; i <= rows; i++) row(i);
    lines.push(parts.join(''));
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
