/**
 * From an OSV record to the stored form (advisory.ts): severities scored,
 * the malware flag decided, events sorted with invalid versions set aside,
 * and `versions` entries that a range already covers pruned.
 */
import { normalizeName } from '../pep/name.js';
import { Version } from '../pep/version.js';
import type { Advisory, ConvertedAdvisory, StoredAffected } from './advisory.js';
import { scoreVector } from './cvss.js';
import { isMalwareRecord } from './malware.js';
import { eventOf, indexPackage, isAffectedAt, positionIn, prepareEvents, type IndexedAffected, type PreparedAffected, type StoredEvent } from './matcher.js';
import type { OsvRecord } from './osv.js';
import { worstSeverity, type CvssSeverity } from './severity.js';

const PYPI = 'PyPI';

/**
 * Converts one record. `versionCache` may be shared across a batch: the same
 * version strings recur in every advisory of a package (django's `versions`
 * lists repeat hundreds of releases), and parsing them once halves a build.
 */
export function convertRecord(record: OsvRecord, versionCache = new Map<string, Version | null>()): ConvertedAdvisory {
  const parse = (text: string): Version | null => {
    let v = versionCache.get(text);
    if (v === undefined) versionCache.set(text, (v = Version.tryParse(text)));
    return v;
  };
  const severity: CvssSeverity[] = [];
  const unscoredSeverity: Array<{ type: string; score: string }> = [];
  for (const s of record.severity ?? []) {
    const scored = scoreVector(s.type, s.score);
    if (scored) severity.push(scored);
    else unscoredSeverity.push(s);
  }
  const malware = isMalwareRecord(record);
  const byPackage = new Map<string, { ranges: StoredEvent[][]; versions: string[] }>();
  const invalidEvents: string[] = [];
  for (const a of record.affected ?? []) {
    if (a.package?.ecosystem !== PYPI) continue;
    const name = normalizeName(a.package.name);
    let entry = byPackage.get(name);
    if (!entry) byPackage.set(name, (entry = { ranges: [], versions: [] }));
    for (const r of a.ranges ?? []) {
      if (r.type !== 'ECOSYSTEM') continue;
      const prepared = prepareEvents(r.events.map(eventOf), parse);
      invalidEvents.push(...prepared.invalid);
      entry.ranges.push(prepared.events.map((e): StoredEvent => [e.kind, e.text]));
    }
    entry.versions.push(...(a.versions ?? []));
  }
  const affected: StoredAffected[] = [];
  for (const [name, entry] of byPackage) {
    // The `versions` list is a union with the ranges: keep only the versions no range already covers.
    const { table, entries } = indexPackage([{ ranges: entry.ranges.map((r) => prepareEvents(r, parse).events), versions: [] }]);
    const rangesOnly = entries[0] as IndexedAffected;
    const seen = new Set<string>();
    const versions = entry.versions.filter((text) => {
      const v = parse(text);
      if (v === null || seen.has(text)) return false;
      seen.add(text);
      return !isAffectedAt(rangesOnly, positionIn(table.keys, v.sortKey));
    });
    affected.push({ name, id: record.id, malware, ranges: entry.ranges, versions });
  }
  const worst = worstSeverity(severity);
  const advisory: Advisory = {
    id: record.id,
    modified: record.modified,
    published: record.published,
    withdrawn: record.withdrawn,
    aliases: record.aliases ?? [],
    summary: record.summary,
    details: record.details,
    severity,
    highestSeverity: worst === null ? null : { score: worst.score, level: worst.level },
    unscoredSeverity,
    malware,
    references: record.references ?? [],
    packages: [...byPackage.keys()],
  };
  return { advisory, affected, invalidEvents };
}

/** A stored entry ready to index (matcher.ts `indexPackage`): its texts are already sorted and valid. */
export function prepareStored(entry: StoredAffected, parse: (text: string) => Version | null): PreparedAffected {
  const versions: Version[] = [];
  for (const text of entry.versions) {
    const v = parse(text);
    if (v !== null) versions.push(v);
  }
  return { ranges: entry.ranges.map((r) => prepareEvents(r, parse).events), versions };
}
