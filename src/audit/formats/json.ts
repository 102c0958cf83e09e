/**
 * pip-audit's JSON shape (`{"dependencies":[{"name","version","vulns":[{"id",
 * "fix_versions","aliases","description"}]}],"fixes":[]}`, skipped ones as
 * `{"name","skip_reason"}`), with Gatehouse's additions on each vuln:
 * `severity` (worst CVSS, or null), `malware`; and at the top level the
 * database revision and the ignored findings.
 */
import { worstSeverity } from '../../vulndb/severity.js';
import { openFindings, type AuditReport } from '../audit.js';

export function renderJson(report: AuditReport): string {
  const dependencies: unknown[] = report.dependencies.map((d) => ({
    name: d.name,
    version: d.version,
    vulns: openFindings(d).map((f) => {
      const worst = worstSeverity(f.advisory.severity);
      return {
        id: f.advisory.id,
        fix_versions: f.fixVersions,
        aliases: f.advisory.aliases,
        description: f.advisory.details ?? f.advisory.summary ?? '',
        severity: worst ? { type: worst.type, vector: worst.vector, score: worst.score, level: worst.level } : null,
        malware: f.advisory.malware,
      };
    }),
  }));
  for (const u of report.unauditable) dependencies.push({ name: u.name, skip_reason: `${u.reason} (${u.origin}: ${u.requirement})` });
  const fixes = report.dependencies
    .filter((d) => d.suggestedUpgrade !== null)
    .map((d) => ({ name: d.name, old_version: d.version, new_version: d.suggestedUpgrade }));
  const ignored = report.dependencies.flatMap((d) =>
    d.findings.filter((f) => f.ignoredBy).map((f) => ({ name: d.name, version: d.version, id: f.advisory.id, reason: f.ignoredBy?.reason ?? null, until: f.ignoredBy?.until ?? null })),
  );
  return JSON.stringify({ dependencies, fixes, ignored, database: { revision: report.dbRevision } }, null, 2) + '\n';
}
