/**
 * CycloneDX 1.6 JSON, built with @cyclonedx/cyclonedx-library: every audited
 * dependency as a component (purl `pkg:pypi/<name>@<version>`), and every open
 * finding as a vulnerability with its CVSS ratings, aliases, references, fix
 * recommendation and the component it affects.
 */
import * as CDX from '@cyclonedx/cyclonedx-library';
import type { CvssSeverity } from '../../vulndb/severity.js';
import { openFindings, type AuditReport } from '../audit.js';

const { Models, Enums } = CDX;

function ratingMethod(s: CvssSeverity): CDX.Enums.Vulnerability.RatingMethod {
  if (s.vector.startsWith('CVSS:4.0/')) return Enums.Vulnerability.RatingMethod.CVSSv4;
  if (s.vector.startsWith('CVSS:3.1/')) return Enums.Vulnerability.RatingMethod.CVSSv31;
  return Enums.Vulnerability.RatingMethod.CVSSv3;
}

function parseDate(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function buildBom(report: AuditReport): CDX.Models.Bom {
  const bom = new Models.Bom();
  bom.metadata.component = new Models.Component(Enums.ComponentType.Application, 'audited-environment');
  bom.metadata.tools.components.add(new Models.Component(Enums.ComponentType.Application, 'gatehouse', { group: 'gatehouse' }));
  const osv = (id: string): CDX.Models.Vulnerability.Source => new Models.Vulnerability.Source({ name: 'OSV', url: `https://osv.dev/vulnerability/${id}` });
  for (const d of report.dependencies) {
    const purl = `pkg:pypi/${d.name}@${encodeURIComponent(d.version)}`;
    const component = new Models.Component(Enums.ComponentType.Library, d.name, { version: d.version, purl, bomRef: purl });
    bom.components.add(component);
    bom.metadata.component.dependencies.add(component.bomRef);
    for (const f of openFindings(d)) {
      const a = f.advisory;
      const v = new Models.Vulnerability.Vulnerability({
        bomRef: `${a.id}/${purl}`,
        id: a.id,
        source: osv(a.id),
        description: a.summary ?? a.details,
        detail: a.summary !== undefined ? a.details : undefined,
        recommendation: f.fixVersions.length > 0 ? `Upgrade ${d.name} to ${f.fixVersions[0]} or later.` : a.malware ? `Remove ${d.name}: it is a malicious package.` : undefined,
        published: parseDate(a.published),
        updated: parseDate(a.modified),
      });
      for (const alias of a.aliases) v.references.add(new Models.Vulnerability.Reference(alias, osv(alias)));
      for (const s of a.severity) {
        v.ratings.add(
          new Models.Vulnerability.Rating({ source: osv(a.id), score: s.score, severity: s.level as CDX.Enums.Vulnerability.Severity, method: ratingMethod(s), vector: s.vector }),
        );
      }
      for (const r of a.references) if (r.type === 'ADVISORY') v.advisories.add(new Models.Vulnerability.Advisory(r.url));
      if (a.malware) v.properties.add(new Models.Property('gatehouse:malware', 'true'));
      v.affects.add(
        new Models.Vulnerability.Affect(component.bomRef, {
          versions: new Models.Vulnerability.AffectedVersionRepository([
            new Models.Vulnerability.AffectedSingleVersion(d.version, { status: Enums.Vulnerability.AffectStatus.Affected }),
          ]),
        }),
      );
      bom.vulnerabilities.add(v);
    }
  }
  return bom;
}

export function renderCycloneDx(report: AuditReport): string {
  const serializer = new CDX.Serialize.JsonSerializer(new CDX.Serialize.JSON.Normalize.Factory(CDX.Spec.Spec1dot6));
  return serializer.serialize(buildBom(report), { sortLists: true, space: 2 }) + '\n';
}
