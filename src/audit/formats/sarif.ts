/**
 * SARIF 2.1.0 (OASIS), for code-scanning dashboards: one rule per advisory,
 * one result per vulnerable dependency and advisory, located at the input
 * file and line it came from. `security-severity` carries the CVSS base score
 * (GitHub code scanning reads it); malware is always an error.
 */
import { worstSeverity } from '../../vulndb/severity.js';
import type { Advisory } from '../../vulndb/advisory.js';
import { openFindings, type AuditReport, type AdvisoryFinding } from '../audit.js';
import { originLocation } from './origin.js';

type SarifLevel = 'error' | 'warning' | 'note';

function levelOf(advisory: Advisory): SarifLevel {
  if (advisory.malware) return 'error';
  const worst = worstSeverity(advisory.severity);
  if (worst === null || worst.level === 'medium') return 'warning';
  if (worst.level === 'high' || worst.level === 'critical') return 'error';
  return 'note';
}

function rule(advisory: Advisory): Record<string, unknown> {
  const worst = worstSeverity(advisory.severity);
  const text = advisory.summary ?? (advisory.details ?? advisory.id).split('\n')[0] ?? advisory.id;
  return {
    id: advisory.id,
    shortDescription: { text: text.slice(0, 200) },
    fullDescription: { text: advisory.details ?? text },
    helpUri: `https://osv.dev/vulnerability/${advisory.id}`,
    help: { text: [advisory.details ?? text, ...advisory.references.map((r) => r.url)].join('\n') },
    defaultConfiguration: { level: levelOf(advisory) },
    properties: {
      tags: ['security', advisory.malware ? 'malware' : 'vulnerability', ...advisory.aliases],
      ...(worst ? { 'security-severity': worst.score.toFixed(1) } : advisory.malware ? { 'security-severity': '10.0' } : {}),
    },
  };
}

function message(name: string, version: string, f: AdvisoryFinding): string {
  const what = f.advisory.malware ? 'is a known malicious package' : `is affected by ${f.advisory.id}`;
  const fix = f.fixVersions.length > 0 ? `; fixed in ${f.fixVersions[0]}` : '; no fixed version is known';
  return `${name} ${version} ${what}${f.advisory.aliases.length ? ` (${f.advisory.aliases.join(', ')})` : ''}${fix}.`;
}

export function renderSarif(report: AuditReport): string {
  const rules: Record<string, unknown>[] = [];
  const ruleIndex = new Map<string, number>();
  const results: unknown[] = [];
  for (const d of report.dependencies) {
    for (const f of openFindings(d)) {
      let index = ruleIndex.get(f.advisory.id);
      if (index === undefined) {
        index = rules.length;
        ruleIndex.set(f.advisory.id, index);
        rules.push(rule(f.advisory));
      }
      results.push({
        ruleId: f.advisory.id,
        ruleIndex: index,
        level: levelOf(f.advisory),
        message: { text: message(d.name, d.version, f) },
        locations: d.origins.map((o) => {
          const { file, line } = originLocation(o);
          return { physicalLocation: { artifactLocation: { uri: file }, ...(line ? { region: { startLine: line } } : {}) } };
        }),
        partialFingerprints: { 'gatehouse/v1': `${d.name}@${d.version}:${f.advisory.id}` },
      });
    }
  }
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'gatehouse', informationUri: 'https://github.com/pypa/advisory-database', rules } },
        results,
        properties: { vulnerabilityDatabaseRevision: report.dbRevision },
      },
    ],
  };
  return JSON.stringify(sarif, null, 2) + '\n';
}
