/** A Markdown report for pull-request comments and job summaries. */
import { openFindings, summarize, type AuditReport } from '../audit.js';
import { severityLabel, summaryLine } from './labels.js';

/** Escapes text for a Markdown table cell. */
function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

function advisoryLink(id: string): string {
  return /^(PYSEC|GHSA|MAL|CVE)-/.test(id) ? `[${id}](https://osv.dev/vulnerability/${id})` : id;
}

export function renderMarkdown(report: AuditReport): string {
  const lines = ['## Gatehouse audit', '', summaryLine(summarize(report)), ''];
  const rows = report.dependencies.flatMap((d) => openFindings(d).map((f) => ({ d, f })));
  if (rows.length > 0) {
    lines.push('| Package | Version | Advisory | CvssSeverity | Fixed in | Summary |', '| --- | --- | --- | --- | --- | --- |');
    for (const { d, f } of rows) {
      const summary = f.advisory.summary ?? (f.advisory.details ?? '').split(/\.\s|\n/)[0] ?? '';
      lines.push(`| ${cell(d.name)} | ${cell(d.version)} | ${advisoryLink(f.advisory.id)} | ${severityLabel(f)} | ${cell(f.fixVersions.join(', ') || '-')} | ${cell(summary.slice(0, 160))} |`);
    }
    lines.push('');
  }
  const upgrades = report.dependencies.filter((d) => d.suggestedUpgrade !== null);
  if (upgrades.length > 0) {
    lines.push('### Suggested upgrades', '');
    for (const d of upgrades) lines.push(`- \`${d.name}\` ${d.version} → **${d.suggestedUpgrade}**`);
    lines.push('');
  }
  if (report.unauditable.length > 0) {
    lines.push('### Not audited', '');
    for (const u of report.unauditable) lines.push(`- \`${cell(u.requirement)}\` (${cell(u.origin)}): ${cell(u.reason)}`);
    lines.push('');
  }
  lines.push(`<sub>Vulnerability database revision ${report.dbRevision}; advisories from the Python Packaging Advisory Database (CC-BY-4.0).</sub>`);
  return lines.join('\n') + '\n';
}
