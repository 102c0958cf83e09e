/**
 * The audit itself: every pinned dependency is matched against the database;
 * ignores are applied; the smallest upgrade that clears every advisory of a
 * dependency is suggested.
 */
import { normalizeName } from '../pep/name.js';
import { Version } from '../pep/version.js';
import type { Advisory } from '../vulndb/advisory.js';
import type { VulnDb, VulnMatch } from '../vulndb/database.js';
import type { DependencySet, UnauditableDependency } from './dependency.js';
import { findIgnore, isActive, type Ignore } from './ignore.js';

export interface AdvisoryFinding {
  advisory: Advisory;
  /** Fixed versions above the installed one, ascending. */
  fixVersions: string[];
  /** Set when an active --ignore covers this advisory. */
  ignoredBy?: Ignore;
}

export interface AuditedDependency {
  /** Normalized (PEP 503) name. */
  name: string;
  version: string;
  origins: string[];
  findings: AdvisoryFinding[];
  /** The smallest fixed version that no advisory in the database affects, when there is one. */
  suggestedUpgrade: string | null;
}

export interface AuditReport {
  dbRevision: string;
  dependencies: AuditedDependency[];
  unauditable: UnauditableDependency[];
  /** Ignores whose until-date has passed: the findings they covered are reported again. */
  expiredIgnores: Ignore[];
}

export function runAudit(db: VulnDb, input: DependencySet, ignores: readonly Ignore[], today: string): AuditReport {
  // One entry per package and version; 1.2 and 1.2.0 are the same version (PEP 440).
  const byName = new Map<string, Array<{ version: Version; dep: AuditedDependency }>>();
  for (const pin of input.pinned) {
    const name = normalizeName(pin.name);
    const version = pin.parsed ?? Version.parse(pin.version);
    let seen = byName.get(name);
    if (!seen) byName.set(name, (seen = []));
    const existing = seen.find((s) => s.version.compare(version) === 0)?.dep;
    if (existing) {
      if (!existing.origins.includes(pin.origin)) existing.origins.push(pin.origin);
      continue;
    }
    const matches = db.query(name, version);
    const findings: AdvisoryFinding[] = [];
    const open: VulnMatch[] = [];
    for (const m of matches) {
      const ignoredBy = ignores.length > 0 ? findIgnore(ignores, [m.advisory.id, ...m.advisory.aliases], today) : undefined;
      if (ignoredBy) findings.push({ advisory: m.advisory, fixVersions: m.fixVersions, ignoredBy });
      else {
        findings.push({ advisory: m.advisory, fixVersions: m.fixVersions });
        open.push(m);
      }
    }
    seen.push({ version, dep: { name, version: pin.version, origins: [pin.origin], findings, suggestedUpgrade: suggestUpgrade(db, name, open) } });
  }
  // By name, then by PEP 440 order; plain code-unit order, since normalized names are ASCII (localeCompare is ICU's, and slow).
  const dependencies: AuditedDependency[] = [];
  for (const name of Array.from(byName.keys()).sort()) {
    const versions = byName.get(name) ?? [];
    versions.sort((a, b) => a.version.compare(b.version));
    for (const v of versions) dependencies.push(v.dep);
  }
  return {
    dbRevision: db.revision,
    dependencies,
    unauditable: input.unauditable,
    expiredIgnores: ignores.filter((i) => !isActive(i, today)),
  };
}

/**
 * The upgrade to suggest: the smallest fix version (of any open finding) that no
 * advisory affects at all; failing that, the smallest that none of the open
 * findings affects (newer advisories may name it, and the next audit says so).
 * Versions are compared by their PEP 440 sort keys, as the database stores them.
 */
function suggestUpgrade(db: VulnDb, name: string, open: readonly VulnMatch[]): string | null {
  if (open.length === 0) return null;
  const openIds = new Set<string>();
  const candidates = new Map<string, string>(); // sort key -> the first spelling met
  for (const m of open) {
    openIds.add(m.advisory.id);
    for (let i = 0; i < m.fixKeys.length; i++) {
      const key = m.fixKeys[i] as string;
      if (!candidates.has(key)) candidates.set(key, m.fixVersions[i] as string);
    }
  }
  let clearsFindings: string | null = null;
  for (const key of Array.from(candidates.keys()).sort()) {
    // Only a version that clears the current findings can be clean; that check looks at fewer advisories.
    if (db.affectedAtKey(name, key, openIds)) continue;
    clearsFindings ??= candidates.get(key) as string;
    if (!db.affectedAtKey(name, key)) return candidates.get(key) as string;
  }
  return clearsFindings;
}

/** Findings that are not ignored. */
export function openFindings(dep: AuditedDependency): AdvisoryFinding[] {
  return dep.findings.filter((f) => f.ignoredBy === undefined);
}

export interface AuditSummary {
  dependencies: number;
  vulnerableDependencies: number;
  vulnerabilities: number;
  malware: number;
  ignored: number;
  unauditable: number;
}

export function summarize(report: AuditReport): AuditSummary {
  let vulnerabilities = 0;
  let malware = 0;
  let ignored = 0;
  let vulnerableDependencies = 0;
  for (const d of report.dependencies) {
    let open = 0;
    for (const f of d.findings) {
      if (f.ignoredBy !== undefined) {
        ignored++;
        continue;
      }
      open++;
      if (f.advisory.malware) malware++;
      else vulnerabilities++;
    }
    if (open > 0) vulnerableDependencies++;
  }
  return { dependencies: report.dependencies.length, vulnerableDependencies, vulnerabilities, malware, ignored, unauditable: report.unauditable.length };
}
