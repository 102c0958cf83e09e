/**
 * The vulnerability database: `openVulnDb(dataDir)` and the questions the
 * audit command and the gateway ask it.
 *
 * The shipped snapshot (data/osv/, CC-BY-4.0, see its README) is built into
 * `<data>/vulndb/` on first use (build.ts), so the first audit works offline.
 * Opening reads only the revision's meta.json; a query reads the line of the
 * package it names, already in the matcher's indexed form (store.ts), and
 * compares the queried version's sort key with the stored keys.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeName } from '../pep/name.js';
import { Version } from '../pep/version.js';
import type { Advisory } from './advisory.js';
import type { Severity } from './severity.js';
import { VulnDbStorageError } from './errors.js';
import { fixesAbove, isAffectedAt, type IndexedAffected } from './matcher.js';
import { readAdvisoryIds, readCurrentRevision, readMeta, vulndbDir, type AdvisoryHead, type AdvisoryTexts, type IndexedEntry, type RevisionMeta } from './store.js';

export interface VulnMatch {
  advisory: Advisory;
  /** Fixed versions above the queried one, normalized and ascending; the first is the smallest upgrade for this advisory. */
  fixVersions: string[];
  /** The PEP 440 sort keys of `fixVersions` (Version.sortKey), for comparing them without parsing. */
  fixKeys: string[];
}

interface PackageEntry extends IndexedAffected {
  id: string;
  headOffset: number;
  headLength: number;
}

type AdvisoryFile = 'advisories.ndjson' | 'texts.ndjson';

export class VulnDb {
  private packagesFile: Buffer | null = null;
  private headsFile: Buffer | null = null;
  private idIndex: Record<string, [number, number]> | null = null;
  private readonly fds = new Map<AdvisoryFile, number>();
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
    const key = sortKeyOf(version);
    const matches: VulnMatch[] = [];
    for (const entry of this.packageEntries(normalizeName(name))) {
      if (!isAffectedAt(entry, key)) continue;
      const fixes = fixesAbove(entry, key);
      matches.push({ advisory: this.headAt(entry.id, entry.headOffset, entry.headLength), fixVersions: fixes.texts, fixKeys: fixes.keys });
    }
    return matches;
  }

  /**
   * Whether any advisory affects `name` at `version`: the gateway's question. With `ids`, only those advisories
   * count (and none is read).
   */
  affected(name: string, version: string | Version, ids?: ReadonlySet<string>): boolean {
    return this.affectedAtKey(name, sortKeyOf(version), ids);
  }

  /** `affected` for a version given by its PEP 440 sort key (Version.sortKey, or a VulnMatch's fixKeys). */
  affectedAtKey(name: string, key: string, ids?: ReadonlySet<string>): boolean {
    for (const e of this.packageEntries(normalizeName(name))) {
      if ((ids === undefined || ids.has(e.id)) && isAffectedAt(e, key)) return true;
    }
    return false;
  }

  /** A malicious-package report rather than a vulnerability. */
  isMalware(advisory: Advisory): boolean {
    return advisory.malware;
  }

  /** Any stored advisory by id, withdrawn ones included. */
  advisory(id: string): Advisory | null {
    const cached = this.advisories.get(id);
    if (cached) return cached;
    this.idIndex ??= readAdvisoryIds(this.dir, this.revision);
    const at = Object.hasOwn(this.idIndex, id) ? this.idIndex[id] : undefined;
    return at ? this.headAt(id, at[0], at[1]) : null;
  }

  /** Releases the open files; the database can still be queried (it reopens them on demand). */
  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
  }

  private headAt(id: string, offset: number, length: number): Advisory {
    const cached = this.advisories.get(id);
    if (cached) return cached;
    // Read whole on first use: an audit reads hundreds of heads, and one read beats hundreds of small ones.
    this.headsFile ??= this.readFile('advisories.ndjson');
    if (offset + length > this.headsFile.length) throw new VulnDbStorageError(`advisory ${id} is indexed past the end of advisories.ndjson`);
    const head = JSON.parse(this.headsFile.toString('utf8', offset, offset + length)) as AdvisoryHead;
    if (head.id !== id) throw new VulnDbStorageError(`advisory ${id} is indexed at the line of ${head.id}`);
    const advisory = new StoredAdvisory(head, this);
    this.advisories.set(id, advisory);
    return advisory;
  }

  /** The long texts of an advisory, read when a report first asks for them. */
  readTexts(at: readonly [number, number]): AdvisoryTexts {
    return JSON.parse(this.readRange('texts.ndjson', at[0], at[1])) as AdvisoryTexts;
  }

  private readFile(file: string): Buffer {
    const path = join(this.dir, this.revision, file);
    try {
      return readFileSync(path);
    } catch (err) {
      throw new VulnDbStorageError(`cannot read ${path}; rebuild the database with \`gatehouse vulndb rebuild\``, { cause: err });
    }
  }

  private readRange(file: AdvisoryFile, offset: number, length: number): string {
    // One descriptor per file for the life of the process.
    let fd = this.fds.get(file);
    if (fd === undefined) this.fds.set(file, (fd = openSync(join(this.dir, this.revision, file), 'r')));
    const buf = Buffer.allocUnsafe(length);
    const read = readSync(fd, buf, 0, length, offset);
    if (read !== length) throw new VulnDbStorageError(`${file} is shorter than its index says; rebuild the database`);
    return buf.toString('utf8');
  }

  private packageEntries(name: string): PackageEntry[] {
    const cached = this.entries.get(name);
    if (cached) return cached;
    const at = Object.hasOwn(this.meta.packages, name) ? this.meta.packages[name] : undefined;
    let list: PackageEntry[] = [];
    if (at) {
      this.packagesFile ??= this.readFile('packages.ndjson');
      const stored = JSON.parse(this.packagesFile.toString('utf8', at[0], at[0] + at[1])) as IndexedEntry[];
      list = stored.map(([id, headOffset, headLength, ranges, versions, fixes]) => ({ id, headOffset, headLength, ranges, versions, fixes }));
    }
    this.entries.set(name, list);
    return list;
  }
}

/**
 * An advisory read from the database; `details` and `references` are read on first access (they are accessors,
 * so a spread `{ ...advisory }` leaves them out: name them, as toJSON does).
 */
class StoredAdvisory implements Advisory {
  readonly id: string;
  readonly modified: string;
  readonly published?: string;
  readonly withdrawn?: string;
  readonly aliases: string[];
  readonly summary?: string;
  readonly severity: Severity[];
  readonly unscoredSeverity: Array<{ type: string; score: string }>;
  readonly malware: boolean;
  readonly packages: string[];
  readonly #textAt: [number, number];
  readonly #db: VulnDb;
  #texts: AdvisoryTexts | undefined;

  constructor(head: AdvisoryHead, db: VulnDb) {
    this.id = head.id;
    this.modified = head.modified;
    if (head.published !== undefined) this.published = head.published;
    if (head.withdrawn !== undefined) this.withdrawn = head.withdrawn;
    this.aliases = head.aliases;
    if (head.summary !== undefined) this.summary = head.summary;
    this.severity = head.severity;
    this.unscoredSeverity = head.unscoredSeverity;
    this.malware = head.malware;
    this.packages = head.packages;
    this.#textAt = head.textAt;
    this.#db = db;
  }

  get details(): string | undefined {
    return (this.#texts ??= this.#db.readTexts(this.#textAt)).details;
  }

  get references(): Array<{ type: string; url: string }> {
    return (this.#texts ??= this.#db.readTexts(this.#textAt)).references;
  }

  toJSON(): Advisory {
    return { ...this, details: this.details, references: this.references };
  }
}

function sortKeyOf(version: string | Version): string {
  return (typeof version === 'string' ? Version.parse(version) : version).sortKey;
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
