/**
 * Building and updating the stored database: from the shipped snapshot
 * (data/osv/, CC-BY-4.0, see its README), and incrementally from any source
 * by `modified`.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { shippedPath } from '../paths.js';
import type { Version } from '../pep/version.js';
import type { ConvertedAdvisory } from './advisory.js';
import { convertRecord } from './convert.js';
import { VulnDbStorageError } from './errors.js';
import type { OsvRecord } from './osv.js';
import { isUrl, readAdvisorySource, readAdvisoryUrl } from './sources.js';
import { readAllAdvisories, writeRevision } from './revision-writer.js';
import { openVulnDb } from './database.js';
import { vulndbDir, type RevisionMeta } from './store.js';

/** The snapshot shipped with Gatehouse. */
export const SHIPPED_SNAPSHOT_DIR = shippedPath('data', 'osv');

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
  // Opening builds the shipped snapshot on first use, and refuses a revision in another store format.
  const previousMeta = (await openVulnDb(dataDir)).meta;
  const previous = previousMeta.revision;
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
  now = Date.now(),
): { added: number; updated: number; unchanged: number } {
  let added = 0;
  let updated = 0;
  let unchanged = 0;
  const versionCache = new Map<string, Version | null>();
  for (const record of records) {
    const existing = into.get(record.id);
    if (existing === undefined) added++;
    else if (supersedes(record.modified, existing.advisory.modified, now)) updated++;
    else {
      unchanged++;
      continue;
    }
    into.set(record.id, convertRecord(record, versionCache));
  }
  return { added, updated, unchanged };
}

/**
 * Whether a record modified at `incoming` replaces one modified at `stored`. A stored date in the future is a typo
 * in the source (the snapshot has two, in 2027): it would block every correction until then, so any record with a
 * different date replaces it.
 */
function supersedes(incoming: string, stored: string, now: number): boolean {
  if (Date.parse(stored) > now) return incoming !== stored;
  return isLater(incoming, stored);
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
