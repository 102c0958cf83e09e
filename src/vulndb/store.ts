/**
 * The on-disk form of the database, one directory per revision:
 *
 *   <data>/vulndb/CURRENT                 the current revision's name
 *   <data>/vulndb/<rev>/meta.json         counts, sources, and where each package's line is in packages.ndjson
 *   <data>/vulndb/<rev>/packages.ndjson   one line per package: its StoredPackage (withdrawn advisories left out)
 *   <data>/vulndb/<rev>/advisories.ndjson one line per advisory, in id order: what reports show, without long texts
 *                                         (these two are ASCII, non-ASCII characters escaped, so a byte offset is
 *                                         a character offset in the file read as one string)
 *   <data>/vulndb/<rev>/advisories.idx    per advisory (by line number), the offset and length of its line, as
 *                                         little-endian uint32 pairs
 *   <data>/vulndb/<rev>/texts.ndjson      one line per advisory: its `details` and `references`
 *   <data>/vulndb/<rev>/affected.ndjson   one line per advisory: its stored affected entries, for updates
 *   <data>/vulndb/<rev>/ids.json          advisory id -> line number, to look an advisory up by id
 *
 * An audit reads meta.json and then only the lines of the packages it asks
 * about. Those lines are in the matcher's indexed form (matcher.ts): a table
 * of the versions the package's advisories name, with their PEP 440 sort
 * keys, and events, listed versions and fixes as indices into it, so an
 * audit parses one version per dependency and otherwise compares integers.
 * Each entry names its advisory by line number and carries its id, malware
 * flag and highest severity, so the table report reads no advisory line and
 * the others read exactly the advisories they print; the long texts (three
 * quarters of the bytes) are read only by the reports that print them.
 * Writing is in revision-writer.ts (it needs the advisory conversion, which
 * readers never load). A revision is written to a temporary directory and
 * renamed into place, and CURRENT is swapped by rename, so a reader never
 * sees half a revision. The revision name is a hash of every (id, modified,
 * withdrawn): the same advisories always give the same revision, which keys
 * policy decisions.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Advisory } from './advisory.js';
import { VulnDbStorageError } from './errors.js';
import type { IndexedAffected, VersionTable } from './matcher.js';
import type { CvssLevel } from './severity.js';

export const STORE_FORMAT = 6;

export interface RevisionCounts {
  advisories: number;
  withdrawn: number;
  malware: number;
  packages: number;
  invalidEvents: number;
}

export interface RevisionMeta {
  format: number;
  revision: string;
  builtAt: string;
  /** Where the advisories came from, newest update last. */
  sources: string[];
  counts: RevisionCounts;
  /** Normalized package name -> [byte offset, byte length] of its line in packages.ndjson. */
  packages: Record<string, [number, number]>;
}

/** A line of advisories.ndjson: the advisory without its long texts, and where they are in texts.ndjson. */
export type AdvisoryHead = Omit<Advisory, 'details' | 'references'> & { textAt: [offset: number, length: number] };

/** The parts of an advisory that only some reports print. */
export type AdvisoryTexts = Pick<Advisory, 'details' | 'references'>;

/**
 * One advisory's matching data for one package, as stored: the advisory's line number, IndexedAffected, and what
 * a one-line report shows of the advisory (its id, malware flag and highest severity), so that such a report reads
 * no advisory line at all.
 */
export type StoredEntry = [
  advisory: number,
  ranges: IndexedAffected['ranges'],
  versions: IndexedAffected['versions'],
  fixes: IndexedAffected['fixes'],
  id: string,
  malware: 0 | 1,
  score: number | null,
  level: CvssLevel | null,
];

/** A line of packages.ndjson: the package's version table, then one entry per advisory. */
export type StoredPackage = [keys: VersionTable['keys'], texts: VersionTable['texts'], entries: StoredEntry[]];

export function vulndbDir(dataDir: string): string {
  return join(dataDir, 'vulndb');
}

export function readCurrentRevision(dir: string): string | null {
  try {
    const name = readFileSync(join(dir, 'CURRENT'), 'utf8').trim();
    return name.length > 0 ? name : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new VulnDbStorageError(`cannot read ${join(dir, 'CURRENT')}`, { cause: err });
  }
}

/** A revision's meta.json, whatever its store format (see `format`): the counts and sources read the same in all. */
export function readMetaOfAnyFormat(dir: string, revision: string): RevisionMeta {
  const path = join(dir, revision, 'meta.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as RevisionMeta;
  } catch (err) {
    throw new VulnDbStorageError(`cannot read the vulnerability database at ${path}; rebuild it with \`gatehouse vulndb rebuild\``, { cause: err });
  }
}

/** A revision's meta.json, refused unless it is in the store format this Gatehouse reads. */
export function readMeta(dir: string, revision: string): RevisionMeta {
  const meta = readMetaOfAnyFormat(dir, revision);
  if (meta.format !== STORE_FORMAT) {
    throw new VulnDbStorageError(`${join(dir, revision)} has store format ${meta.format}, this Gatehouse reads format ${STORE_FORMAT}; run \`gatehouse vulndb rebuild\``);
  }
  return meta;
}

/** Sources of the snapshot that ships with Gatehouse are recorded as `shipped:<file>`. */
export function isShippedSource(source: string): boolean {
  return source.startsWith('shipped:');
}

/** Each advisory's line number in advisories.ndjson: read only to look an advisory up by id. */
export function readAdvisoryIds(dir: string, revision: string): Record<string, number> {
  const path = join(dir, revision, 'ids.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, number>;
  } catch (err) {
    throw new VulnDbStorageError(`cannot read ${path}; rebuild the database with \`gatehouse vulndb rebuild\``, { cause: err });
  }
}
