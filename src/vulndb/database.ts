/**
 * The vulnerability database: `openVulnDb(dataDir)` and the questions the
 * audit command and the gateway ask it.
 *
 * The shipped snapshot (data/osv/, CC-BY-4.0, see its README) is built into
 * `<data>/vulndb/` on first use (build.ts), so the first audit works offline.
 * Opening reads only the revision's meta.json; a query reads the lines of
 * the package it names.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeName } from '../pep/name.js';
import { Version } from '../pep/version.js';
import type { Advisory, ConvertedAdvisory, StoredAffected } from './advisory.js';
import { VulnDbStorageError } from './errors.js';
import { fixVersionsAbove, isAffected, loadSortedEvents, type PreparedAffected } from './matcher.js';
import { readCurrentRevision, readMeta, vulndbDir, type AdvisoryTexts, type RevisionMeta } from './store.js';

export interface VulnMatch {
  advisory: Advisory;
  /** Fixed versions above the queried one, ascending; the first is the smallest upgrade for this advisory. */
  fixVersions: string[];
}

interface PackageEntry {
  id: string;
  prepared: PreparedAffected;
}

export class VulnDb {
  private packagesBuffer: Buffer | null = null;
  private readonly fds = new Map<string, number>();
  private readonly entries = new Map<string, PackageEntry[]>();
  private readonly advisories = new Map<string, Advisory>();

  constructor(
    private readonly dir: string,
    readonly meta: RevisionMeta,
  ) {}

  /** Names the set of advisories: policy decisions are keyed by it. */
  get revision(): string {
    return this.meta.revision;
  }

  /** The advisories (not withdrawn) that affect `name` at `version`, in id order. */
  query(name: string, version: string | Version): VulnMatch[] {
    const v = typeof version === 'string' ? Version.parse(version) : version;
    const matches: VulnMatch[] = [];
    for (const entry of this.packageEntries(normalizeName(name))) {
      if (!isAffected(entry.prepared, v)) continue;
      const advisory = this.advisory(entry.id);
      if (advisory === null) throw new VulnDbStorageError(`advisory ${entry.id} is indexed but missing`);
      matches.push({ advisory, fixVersions: fixVersionsAbove(entry.prepared, v).map((f) => f.toString()) });
    }
    return matches;
  }

  /** Whether any of the advisories `ids` affects `name` at `version` (without reading the advisories). */
  affectedBy(name: string, version: string | Version, ids: ReadonlySet<string>): boolean {
    const v = typeof version === 'string' ? Version.parse(version) : version;
    return this.packageEntries(normalizeName(name)).some((e) => ids.has(e.id) && isAffected(e.prepared, v));
  }

  /** Whether any advisory affects `name` at `version`: the gateway's question. */
  affected(name: string, version: string | Version): boolean {
    const v = typeof version === 'string' ? Version.parse(version) : version;
    return this.packageEntries(normalizeName(name)).some((e) => isAffected(e.prepared, v));
  }

  /** A malicious-package report rather than a vulnerability. */
  isMalware(advisory: Advisory): boolean {
    return advisory.malware;
  }

  advisory(id: string): Advisory | null {
    const cached = this.advisories.get(id);
    if (cached) return cached;
    const at = this.meta.advisories[id];
    if (!at) return null;
    const advisory = (JSON.parse(this.readLine('advisories.ndjson', at[0], at[1])) as ConvertedAdvisory).advisory;
    // The long texts are read when a report first asks for them.
    let texts: AdvisoryTexts | undefined;
    const load = (): AdvisoryTexts => (texts ??= JSON.parse(this.readLine('texts.ndjson', at[2], at[3])) as AdvisoryTexts);
    Object.defineProperty(advisory, 'details', { get: () => load().details, enumerable: true });
    Object.defineProperty(advisory, 'references', { get: () => load().references, enumerable: true });
    this.advisories.set(id, advisory);
    return advisory;
  }

  private readLine(file: 'advisories.ndjson' | 'texts.ndjson', offset: number, length: number): string {
    // One descriptor per file for the life of the process: an audit reads hundreds of advisories.
    let fd = this.fds.get(file);
    if (fd === undefined) this.fds.set(file, (fd = openSync(join(this.dir, this.revision, file), 'r')));
    const buf = Buffer.allocUnsafe(length);
    readSync(fd, buf, 0, length, offset);
    return buf.toString('utf8');
  }

  /** Releases the advisory files; the database can still be queried (it reopens them on demand). */
  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }

  private packageEntries(name: string): PackageEntry[] {
    const cached = this.entries.get(name);
    if (cached) return cached;
    const at = this.meta.packages[name];
    let list: PackageEntry[] = [];
    if (at) {
      this.packagesBuffer ??= readFileSync(join(this.dir, this.revision, 'packages.ndjson'));
      const stored = JSON.parse(this.packagesBuffer.toString('utf8', at[0], at[0] + at[1])) as StoredAffected[];
      list = stored.map((s) => ({
        id: s.id,
        prepared: {
          ranges: s.ranges.map(loadSortedEvents),
          versions: s.versions.map((t) => Version.parse(t)),
        },
      }));
    }
    this.entries.set(name, list);
    return list;
  }
}

/** Opens the current revision under `dataDir`, building it from the shipped snapshot on first use. */
export async function openVulnDb(dataDir: string): Promise<VulnDb> {
  const dir = vulndbDir(dataDir);
  let revision = readCurrentRevision(dir);
  if (revision === null) {
    const { buildShipped } = await import('./build.js');
    revision = (await buildShipped(dataDir)).revision;
  }
  return new VulnDb(dir, readMeta(dir, revision));
}

