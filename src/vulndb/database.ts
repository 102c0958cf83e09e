/**
 * The vulnerability database: `openVulnDb(dataDir)` and the questions the
 * audit command and the gateway ask it.
 *
 * The shipped snapshot (data/osv/, CC-BY-4.0, see its README) is built into
 * `<data>/vulndb/` on first use (build.ts), so the first audit works offline.
 * Opening reads only the revision's meta.json; a query reads the line of the
 * package it names, already in the matcher's indexed form (store.ts), places
 * the queried version in the package's version table and walks integers.
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeName } from '../pep/name.js';
import { Version } from '../pep/version.js';
import { advisoryRecord, type Advisory } from './advisory.js';
import { VulnDbStorageError } from './errors.js';
import { fixesAbove, isAffectedAt, positionIn, type IndexedAffected, type VersionTable } from './matcher.js';
import type { CvssSeverity, CvssRating } from './severity.js';
import { STORE_FORMAT, isShippedSource, readAdvisoryIds, readCurrentRevision, readMetaOfAnyFormat, vulndbDir, type AdvisoryHead, type AdvisoryTexts, type RevisionMeta, type StoredPackage } from './store.js';

export interface VulnMatch {
  advisory: Advisory;
  /** Fixed versions above the queried one, normalized and ascending; the first is the smallest upgrade for this advisory. */
  fixVersions: string[];
  /** The PEP 440 sort keys of `fixVersions` (Version.sortKey), to ask about them without parsing them. */
  fixKeys: string[];
}

/** What a one-line report shows of an advisory, stored with each package entry (store.ts). */
interface AdvisoryBrief {
  id: string;
  malware: boolean;
  highestSeverity: CvssRating | null;
}

interface PackageEntry extends IndexedAffected {
  /** The advisory's line in advisories.ndjson. */
  advisory: number;
  brief: AdvisoryBrief;
}

interface PackageIndex extends VersionTable {
  entries: PackageEntry[];
}

const NO_ADVISORIES: PackageIndex = { keys: [], texts: [], entries: [] };

export class VulnDb {
  /** packages.ndjson and advisories.ndjson, whole: ASCII, so byte offsets are string offsets (store.ts). */
  private packagesFile: string | null = null;
  private headsFile: string | null = null;
  private headIndex: Buffer | null = null;
  private idIndex: Record<string, number> | null = null;
  private textsFd: number | null = null;
  private readonly packages = new Map<string, PackageIndex>();
  private readonly advisories = new Map<number, Advisory>();

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
    const pkg = this.packageIndex(normalizeName(name));
    const at = positionIn(pkg.keys, sortKeyOf(version));
    const matches: VulnMatch[] = [];
    for (let i = 0; i < pkg.entries.length; i++) {
      const entry = pkg.entries[i] as PackageEntry;
      if (!isAffectedAt(entry, at)) continue;
      const fixes = fixesAbove(entry, at);
      matches.push({
        advisory: this.advisoryAt(entry.advisory, entry.brief),
        fixVersions: fixes.map((f) => pkg.texts[f] as string),
        fixKeys: fixes.map((f) => pkg.keys[f] as string),
      });
    }
    return matches;
  }

  /**
   * Whether any advisory affects `name` at `version`: the gateway's question. With `ids`, only those advisories
   * count.
   */
  affected(name: string, version: string | Version, ids?: ReadonlySet<string>): boolean {
    return this.affectedAtKey(name, sortKeyOf(version), ids);
  }

  /** `affected` for a version given by its PEP 440 sort key (Version.sortKey, or a VulnMatch's fixKeys). */
  affectedAtKey(name: string, key: string, ids?: ReadonlySet<string>): boolean {
    const pkg = this.packageIndex(normalizeName(name));
    const at = positionIn(pkg.keys, key);
    for (let i = 0; i < pkg.entries.length; i++) {
      const e = pkg.entries[i] as PackageEntry;
      if ((ids === undefined || ids.has(e.brief.id)) && isAffectedAt(e, at)) return true;
    }
    return false;
  }

  /** A malicious-package report rather than a vulnerability. */
  isMalware(advisory: Advisory): boolean {
    return advisory.malware;
  }

  /** Any stored advisory by id, withdrawn ones included. */
  advisory(id: string): Advisory | null {
    this.idIndex ??= readAdvisoryIds(this.dir, this.revision);
    const line = Object.hasOwn(this.idIndex, id) ? this.idIndex[id] : undefined;
    return line === undefined ? null : this.advisoryAt(line);
  }

  /** Releases the open files; the database can still be queried (it reopens them on demand). */
  close(): void {
    if (this.textsFd !== null) closeSync(this.textsFd);
    this.textsFd = null;
  }

  /**
   * The advisory on line `line` of advisories.ndjson. With its brief (from a package entry) the line itself is
   * read only when a field beyond the brief is asked for.
   */
  private advisoryAt(line: number, brief?: AdvisoryBrief): Advisory {
    const cached = this.advisories.get(line);
    if (cached) return cached;
    let advisory: StoredAdvisory;
    if (brief !== undefined) advisory = new StoredAdvisory(this, line, brief);
    else {
      const head = this.readHead(line);
      advisory = new StoredAdvisory(this, line, { id: head.id, malware: head.malware, highestSeverity: head.highestSeverity }, head);
    }
    this.advisories.set(line, advisory);
    return advisory;
  }

  /** @internal Line `line` of advisories.ndjson (the advisory without its long texts), for StoredAdvisory. */
  readHead(line: number): AdvisoryHead {
    // Whole files on first use: an audit reads hundreds of advisories, and one read beats hundreds of small ones.
    this.headIndex ??= this.readFile('advisories.idx');
    this.headsFile ??= this.readFile('advisories.ndjson').toString('latin1');
    if ((line + 1) * 8 > this.headIndex.length) throw new VulnDbStorageError(`advisory line ${line} is not in advisories.idx; rebuild the database`);
    const offset = this.headIndex.readUInt32LE(line * 8);
    const length = this.headIndex.readUInt32LE(line * 8 + 4);
    if (offset + length > this.headsFile.length) throw new VulnDbStorageError(`advisories.idx points past the end of advisories.ndjson; rebuild the database`);
    return JSON.parse(this.headsFile.slice(offset, offset + length)) as AdvisoryHead;
  }

  /** @internal The long texts of an advisory, for StoredAdvisory: read when a report first asks for them. */
  readTexts(at: readonly [offset: number, length: number]): AdvisoryTexts {
    this.textsFd ??= openSync(join(this.dir, this.revision, 'texts.ndjson'), 'r');
    const buf = Buffer.allocUnsafe(at[1]);
    if (readSync(this.textsFd, buf, 0, at[1], at[0]) !== at[1]) throw new VulnDbStorageError('texts.ndjson is shorter than its index says; rebuild the database');
    return JSON.parse(buf.toString('utf8')) as AdvisoryTexts;
  }

  private readFile(file: string): Buffer {
    const path = join(this.dir, this.revision, file);
    try {
      return readFileSync(path);
    } catch (err) {
      throw new VulnDbStorageError(`cannot read ${path}; rebuild the database with \`gatehouse vulndb rebuild\``, { cause: err });
    }
  }

  private packageIndex(name: string): PackageIndex {
    const cached = this.packages.get(name);
    if (cached) return cached;
    const at = Object.hasOwn(this.meta.packages, name) ? this.meta.packages[name] : undefined;
    let index = NO_ADVISORIES;
    if (at) {
      this.packagesFile ??= this.readFile('packages.ndjson').toString('latin1');
      if (at[0] + at[1] > this.packagesFile.length) throw new VulnDbStorageError(`meta.json points past the end of packages.ndjson; rebuild the database`);
      const [keys, texts, entries] = JSON.parse(this.packagesFile.slice(at[0], at[0] + at[1])) as StoredPackage;
      // Indexed reads, not destructuring: that goes through the iterator protocol, once per entry, in cold code.
      index = {
        keys,
        texts,
        entries: entries.map((e) => ({
          advisory: e[0],
          ranges: e[1],
          versions: e[2],
          fixes: e[3],
          brief: { id: e[4], malware: e[5] === 1, highestSeverity: e[6] === null || e[7] === null ? null : { score: e[6], level: e[7] } },
        })),
      };
    }
    this.packages.set(name, index);
    return index;
  }
}

/**
 * An advisory read from the database. Its id, malware flag and highest severity come with the package entry that
 * found it; the rest of its line is read on first access, and `details` and `references` (another file) likewise.
 * Those three are fields; the others are accessors, which a spread `{ ...advisory }` leaves out: use
 * advisoryRecord (as toJSON does).
 */
class StoredAdvisory implements Advisory {
  readonly id: string;
  readonly malware: boolean;
  readonly highestSeverity: CvssRating | null;
  readonly #db: VulnDb;
  readonly #line: number;
  #head: AdvisoryHead | undefined;
  #texts: AdvisoryTexts | undefined;

  constructor(db: VulnDb, line: number, brief: AdvisoryBrief, head?: AdvisoryHead) {
    this.id = brief.id;
    this.malware = brief.malware;
    this.highestSeverity = brief.highestSeverity;
    this.#db = db;
    this.#line = line;
    this.#head = head;
  }

  get modified(): string {
    return this.head().modified;
  }

  get published(): string | undefined {
    return this.head().published;
  }

  get withdrawn(): string | undefined {
    return this.head().withdrawn;
  }

  get aliases(): string[] {
    return this.head().aliases;
  }

  get summary(): string | undefined {
    return this.head().summary;
  }

  get severity(): CvssSeverity[] {
    return this.head().severity;
  }

  get unscoredSeverity(): Array<{ type: string; score: string }> {
    return this.head().unscoredSeverity;
  }

  get packages(): string[] {
    return this.head().packages;
  }

  get details(): string | undefined {
    return this.texts().details;
  }

  get references(): Array<{ type: string; url: string }> {
    return this.texts().references;
  }

  toJSON(): Advisory {
    return advisoryRecord(this);
  }

  private head(): AdvisoryHead {
    this.#head ??= this.#db.readHead(this.#line);
    if (this.#head.id !== this.id) throw new VulnDbStorageError(`advisories.ndjson line ${this.#line} holds ${this.#head.id}, not ${this.id}; rebuild the database`);
    return this.#head;
  }

  private texts(): AdvisoryTexts {
    return (this.#texts ??= this.#db.readTexts(this.head().textAt));
  }
}

function sortKeyOf(version: string | Version): string {
  return (typeof version === 'string' ? Version.parse(version) : version).sortKey;
}

export interface OpenOptions {
  /** Told why, before the shipped snapshot is built (about a second): for a progress line or a log entry. */
  onBuild?: (why: string) => void;
}

/**
 * Opens the current revision under `dataDir`, building it from the shipped snapshot on first use. A revision
 * written by a Gatehouse with another store format is rebuilt when it holds only the shipped snapshot (nothing is
 * lost); one that holds updates from elsewhere is refused with the commands that rebuild it, since those sources
 * may need the network.
 */
export async function openVulnDb(dataDir: string, options: OpenOptions = {}): Promise<VulnDb> {
  const dir = vulndbDir(dataDir);
  const revision = readCurrentRevision(dir);
  let why = `no vulnerability database yet in ${dir}`;
  if (revision !== null) {
    const meta = readMetaOfAnyFormat(dir, revision);
    if (meta.format === STORE_FORMAT) return new VulnDb(dir, meta);
    const updates = (meta.sources ?? []).filter((s) => !isShippedSource(s));
    if (updates.length > 0) {
      throw new VulnDbStorageError(
        `the vulnerability database in ${dir} was written by another version of Gatehouse (store format ${meta.format}; this one reads ${STORE_FORMAT}) ` +
          `and holds updates beyond the shipped snapshot; rebuild it with \`gatehouse vulndb rebuild\`, then \`gatehouse vulndb update --from\` each of: ${updates.join(', ')}`,
      );
    }
    why = `the database in ${dir} has store format ${meta.format}, this Gatehouse reads ${STORE_FORMAT}`;
  }
  options.onBuild?.(why);
  const { buildShipped } = await import('./build.js');
  return new VulnDb(dir, await buildShipped(dataDir));
}
