/**
 * SARIF 2.1.0 for `gatehouse scan --format sarif`, in the shape GitHub code
 * scanning accepts: `tool.driver.rules` with ids and help, results with a
 * level, a message and a physical location. A finding inside an archive is
 * located at the archive (which is what the repository holds) and names the
 * member in its message; in a source tree it points at the file and line.
 * Info findings (capabilities) are left out: they are not alerts.
 */
import { relative, sep } from 'node:path';
import type { ArtifactReport } from '../artifact.js';
import type { Finding, Severity } from '../finding.js';
import type { Rulebook } from '../rulebook/rulebook.js';

const levels: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** GitHub ranks security alerts by this number (0.1–10). */
const securitySeverity: Record<Severity, string> = { critical: '9.5', high: '7.5', medium: '5.0', low: '3.0', info: '0.1' };

interface SarifRule {
  id: string;
  name: string;
  shortDescription: { text: string };
  fullDescription: { text: string };
  help: { text: string; markdown: string };
  defaultConfiguration: { level: string };
  properties: { tags: string[]; precision: string; 'security-severity': string };
}

function uriOf(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  const chosen = rel.startsWith('..') ? path : rel;
  return chosen.split(sep).join('/');
}

export function sarifReport(reports: readonly ArtifactReport[], book: Rulebook, version: string, cwd = process.cwd()): string {
  const rules: SarifRule[] = [];
  const ruleIndex = new Map<string, number>();
  const ruleFor = (f: Finding): number => {
    const known = ruleIndex.get(f.rule);
    if (known !== undefined) return known;
    const rule = book.get(f.rule)?.rule;
    const rationale = rule?.rationale ?? f.message;
    const severity = rule?.severity ?? f.severity;
    rules.push({
      id: f.rule,
      name: f.rule.replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase()),
      shortDescription: { text: rule?.message ?? f.rule },
      fullDescription: { text: rationale },
      help: {
        text: `${rationale}\nSeverity ${severity}. Review the flagged file before installing the package; see docs/scan-false-positives.md for known honest triggers.`,
        markdown: `**${f.rule}** (${severity})\n\n${rationale}`,
      },
      defaultConfiguration: { level: levels[severity] },
      properties: { tags: ['security', 'supply-chain'], precision: rule?.confidence ?? f.confidence, 'security-severity': securitySeverity[severity] },
    });
    ruleIndex.set(f.rule, rules.length - 1);
    return rules.length - 1;
  };

  const results = reports.flatMap((r) =>
    r.findings
      .filter((f) => f.severity !== 'info')
      .map((f) => {
        const inTree = r.kind === 'source-tree' && f.file !== undefined;
        const uri = uriOf(inTree ? `${r.path}/${f.file}` : r.path, cwd);
        const member = !inTree && f.file !== undefined ? ` (in ${f.file}${f.line !== undefined ? `:${f.line}` : ''})` : '';
        return {
          ruleId: f.rule,
          ruleIndex: ruleFor(f),
          level: levels[f.severity],
          message: { text: `${f.message}${member} — verdict for ${r.path}: ${r.verdict}` },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri },
                ...(inTree && f.line !== undefined ? { region: { startLine: f.line } } : {}),
              },
            },
          ],
          properties: { verdict: r.verdict, ...(f.snippet !== undefined ? { snippet: f.snippet } : {}) },
        };
      }),
  );

  return `${JSON.stringify(
    {
      $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'gatehouse', version, rules } },
          results,
        },
      ],
    },
    null,
    2,
  )}\n`;
}
