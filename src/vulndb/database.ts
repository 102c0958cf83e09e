/**
 * The vulnerability database: `openVulnDb(dataDir)` and the questions the
 * audit command and the gateway ask it.
 *
 * The shipped snapshot (data/osv/, CC-BY-4.0, see its README) is built into
 * `<data>/vulndb/` on first use, so the first audit works offline;
 * `updateVulnDb` merges a newer source into a new revision by `modified`.
 */
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalizeName } from '../pep/name.js';
import { Version } from '../pep/version.js';
import { convertRecord, type Advisory, type ConvertedAdvisory, type StoredAffected } from './advisory.js';
import { VulnDbStorageError } from './errors.js';
import { fixVersionsAbove, isAffected, prepareEvents, type PreparedAffected } from './matcher.js';
import type { OsvRecord } from './osv.js';
import { isUrl, readAdvisorySource, readAdvisoryUrl } from './sources.js';
import { readAllAdvisories, readCurrentRevision, readMeta, vulndbDir, writeRevision, type RevisionMeta } from './store.js';

/** The snapshot shipped with Gatehouse. */
export const SHIPPED_SNAPSHOT_DIR = fileURLToPath(new URL('../../data/osv/', import.meta.url));

export interface VulnMatch {
  advisory: Advisory;
  /** Fixed versions above the queried one, ascending; the first is the smallest upgrade for this advisory. */
  fixVersions: string[];
}

interface PackageEntry {
  id: string;
  malware: boolean;
  prepared: PreparedAffected;
}

export class VulnDb {
  private packagesBuffer: Buffer | null = null;
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

  /** Whether any advisory affects `name` at `version`: the gateway's question. */
  affected(name: string, version: string | Version): boolean {
    const v = typeof version === 'string' ? Version.parse(version) : version;
    return this.packageEntries(normalizeName(name)).some((e) => isAffected(e.prepared, v));
  }

  /** A malicious-package report rather than a vulnerability. */
  isMalware(advisory: Advisory): boolean {
    return advisory.malware;
  }

  /** Whether any advisory names this package at all (so its versions can be upgraded around). */
  hasPackage(name: string): boolean {
    return normalizeName(name) in this.meta.packages;
  }

  advisory(id: string): Advisory | null {
    const cached = this.advisories.get(id);
    if (cached) return cached;
    const at = this.meta.advisories[id];
    if (!at) return null;
    const fd = openSync(join(this.dir, this.revision, 'advisories.ndjson'), 'r');
    try {
      const buf = Buffer.alloc(at[1]);
      readSync(fd, buf, 0, at[1], at[0]);
      const advisory = (JSON.parse(buf.toString('utf8')) as ConvertedAdvisory).advisory;
      this.advisories.set(id, advisory);
      return advisory;
    } finally {
      closeSync(fd);
    }
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
        malware: s.malware,
        prepared: {
          ranges: s.ranges.map((r) => prepareEvents(r).events),
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
  if (revision === null) revision = (await buildShipped(dataDir)).revision;
  return new VulnDb(dir, readMeta(dir, revision));
}

export interface UpdateResult {
  previous: string | null;
  revision: string;
  added: number;
  updated: number;
  unchanged: number;
  meta: RevisionMeta;
}

/** Builds the database from the shipped snapshot, replacing whatever revision is current. */
export async function buildShipped(dataDir: string): Promise<RevisionMeta> {
  let files: string[];
  try {
    files = readdirSync(SHIPPED_SNAPSHOT_DIR).filter((f) => f.endsWith('.jsonl.gz')).sort();
  } catch (err) {
    throw new VulnDbStorageError(`the shipped advisory snapshot is missing (${SHIPPED_SNAPSHOT_DIR})`, { cause: err });
  }
  if (files.length === 0) throw new VulnDbStorageError(`no *.jsonl.gz snapshot in ${SHIPPED_SNAPSHOT_DIR}`);
  const records: OsvRecord[] = [];
  for (const f of files) records.push(...(await readAdvisorySource(join(SHIPPED_SNAPSHOT_DIR, f))));
  const merged = new Map<string, ConvertedAdvisory>();
  mergeRecords(merged, records);
  return writeRevision(vulndbDir(dataDir), merged, files.map((f) => `shipped:${f}`));
}

/**
 * Merges the advisories of `source` (a path or an http(s) URL) into the current
 * revision: an advisory is taken when it is new or its `modified` is later
 * than the stored one. No change keeps the revision.
 */
export async function updateVulnDb(dataDir: string, source: string): Promise<UpdateResult> {
  const dir = vulndbDir(dataDir);
  let previous = readCurrentRevision(dir);
  if (previous === null) previous = (await buildShipped(dataDir)).revision;
  const previousMeta = readMeta(dir, previous);
  const records = isUrl(source) ? await readAdvisoryUrl(source) : await readAdvisorySource(source);
  const merged = readAllAdvisories(dir, previous);
  const { added, updated, unchanged } = mergeRecords(merged, records);
  if (added + updated === 0) {
    return { previous, revision: previous, added, updated, unchanged, meta: previousMeta };
  }
  const meta = writeRevision(dir, merged, [...previousMeta.sources, source]);
  return { previous, revision: meta.revision, added, updated, unchanged, meta };
}

function mergeRecords(
  into: Map<string, ConvertedAdvisory>,
  records: readonly OsvRecord[],
): { added: number; updated: number; unchanged: number } {
  let added = 0;
  let updated = 0;
  let unchanged = 0;
  for (const record of records) {
    const existing = into.get(record.id);
    if (existing === undefined) added++;
    else if (isLater(record.modified, existing.advisory.modified)) updated++;
    else {
      unchanged++;
      continue;
    }
    into.set(record.id, convertRecord(record));
  }
  return { added, updated, unchanged };
}

/** OSV `modified` is RFC 3339 with varying fractional precision; compare instants, not strings. */
function isLater(a: string, b: string): boolean {
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(ta) || Number.isNaN(tb)) return a > b;
  if (ta !== tb) return ta > tb;
  return fraction(a) > fraction(b);
}

/** Sub-millisecond digits that Date.parse drops (2021-09-26T23:32:08.989778Z). */
function fraction(ts: string): number {
  const m = /\.(\d+)/.exec(ts);
  return m ? Number(`0.${m[1]}`) : 0;
}
