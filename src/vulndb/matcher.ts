/**
 * OSV range evaluation for the PyPI ecosystem (OSV schema, "Evaluation"):
 * events are sorted by version with `introduced: "0"` below every version;
 * walking them in order, `introduced <= v` turns "affected" on, `fixed <= v`
 * turns it off, `last_affected < v` turns it off, and a `limit <= v` ends the
 * range unaffected. A version is affected when any ECOSYSTEM range contains it
 * or it equals (by PEP 440) an entry of the `versions` list.
 *
 * Event versions that are not valid PEP 440 cannot be ordered; they are left
 * out, which is what osv.dev's legacy ordering amounts to (they sort below all
 * valid versions, so they never change the outcome). The Python reference in
 * test/vulndb/oracle/ does the same with `packaging`.
 */
import { Version } from '../pep/version.js';
import type { OsvEvent } from './osv.js';

export type EventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

export interface PreparedEvent {
  kind: EventKind;
  /** null stands for `introduced: "0"`. */
  version: Version | null;
  /** The version as written in the advisory. */
  text: string;
}

/** An event in stored form: kind and the version text as written in the advisory. */
export type StoredEvent = [EventKind, string];

export function eventOf(event: OsvEvent): StoredEvent {
  const [kind, text] = Object.entries(event)[0] as [EventKind, string];
  return [kind, text];
}

/**
 * Sorts a range's events for evaluation and drops the ones whose version is not
 * valid PEP 440 (returned in `invalid`). The sort is stable, so events at equal
 * versions keep their order in the advisory.
 */
export function prepareEvents(
  events: readonly StoredEvent[],
  parse: (text: string) => Version | null = (text) => Version.tryParse(text),
): { events: PreparedEvent[]; invalid: string[] } {
  const prepared: PreparedEvent[] = [];
  const invalid: string[] = [];
  for (const [kind, text] of events) {
    if (kind === 'introduced' && text === '0') {
      prepared.push({ kind, version: null, text });
      continue;
    }
    const version = parse(text);
    if (version === null) invalid.push(text);
    else prepared.push({ kind, version, text });
  }
  prepared.sort((a, b) => {
    if (a.version === null) return b.version === null ? 0 : -1;
    if (b.version === null) return 1;
    return a.version.compare(b.version);
  });
  return { events: prepared, invalid };
}

// The indexed form: what the stored database holds per package, evaluated without parsing a version. The
// advisories of a package share one version table: every version their events, `versions` lists and fixes name,
// normalized and in PEP 440 order, each with its sort key (`Version.sortKey`, whose code-unit order is the PEP 440
// order). Events, listed versions and fixes are indices into that table. A query places the queried version in the
// table with two binary searches over the keys, and the walk then compares integers.

/** Event kinds in indexed form. */
export const INTRODUCED = 0;
export const FIXED = 1;
export const LAST_AFFECTED = 2;
export const LIMIT = 3;
const KIND_CODES: Readonly<Record<EventKind, number>> = { introduced: INTRODUCED, fixed: FIXED, last_affected: LAST_AFFECTED, limit: LIMIT };

/**
 * The versions named by a package's advisories, ascending by sort key; `texts[i]` is the normalized version whose
 * key is `keys[i]`. Texts are distinct; two texts may share a key (1.2 and 1.2.0 are one version), and then they
 * are adjacent.
 */
export interface VersionTable {
  keys: string[];
  texts: string[];
}

/** Where a version falls in a table: entries [0, lo) are below it, [lo, hi) equal to it (PEP 440), [hi, ...) above. */
export interface TablePosition {
  lo: number;
  hi: number;
}

/** One range's sorted events, each encoded as table index * 4 + kind; `introduced: "0"` is index -1, below all. */
export type IndexedRange = number[];

/** What one advisory says about one package, in terms of its package's version table. */
export interface IndexedAffected {
  ranges: IndexedRange[];
  /** Table indices of the `versions` entries (the ones that parse; the others cannot equal an installed version). */
  versions: number[];
  /**
   * Table indices of the `fixed` versions of every range, ascending, one per version (the first spelling in the
   * advisory stays when two spell one version: 1.2 and 1.2.0).
   */
  fixes: number[];
}

/** What an advisory says about a package before indexing: prepared (sorted, valid) ranges and parsed listed versions. */
export interface PreparedAffected {
  ranges: ReadonlyArray<readonly PreparedEvent[]>;
  versions: readonly Version[];
}

/** Builds a package's version table and the indexed form of each of its advisories' entries. */
export function indexPackage(affected: readonly PreparedAffected[]): { table: VersionTable; entries: IndexedAffected[] } {
  const byText = new Map<string, Version>();
  const note = (v: Version): void => void byText.set(v.toString(), v);
  for (const a of affected) {
    for (const r of a.ranges) for (const e of r) if (e.version !== null) note(e.version);
    a.versions.forEach(note);
  }
  const sorted = [...byText.entries()].sort(([ta, a], [tb, b]) => a.compare(b) || (ta < tb ? -1 : ta > tb ? 1 : 0));
  const table: VersionTable = { keys: sorted.map(([, v]) => v.sortKey), texts: sorted.map(([t]) => t) };
  const indexOf = new Map(sorted.map(([t], i) => [t, i]));
  const at = (v: Version): number => indexOf.get(v.toString()) as number;
  const entries = affected.map((a): IndexedAffected => {
    const fixed: Version[] = [];
    for (const r of a.ranges) for (const e of r) if (e.kind === 'fixed' && e.version !== null) fixed.push(e.version);
    fixed.sort((x, y) => x.compare(y)); // stable: equal versions keep their order in the advisory
    const fixes: number[] = [];
    fixed.forEach((f, i) => {
      if (i === 0 || !f.equals(fixed[i - 1] as Version)) fixes.push(at(f));
    });
    return {
      ranges: a.ranges.map((r) => r.map((e) => (e.version === null ? -1 : at(e.version)) * 4 + KIND_CODES[e.kind])),
      versions: a.versions.map(at),
      fixes,
    };
  });
  return { table, entries };
}

/** Places the version whose sort key is `key` in a table's keys. */
export function positionIn(keys: readonly string[], key: string): TablePosition {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < keys.length && keys[end] === key) end++;
  return { lo, hi: end };
}

/**
 * Whether an indexed range contains the version at `at`: the OSV walk over sorted events, where `introduced <= v`
 * turns "affected" on, `fixed <= v` turns it off, `last_affected < v` turns it off and `limit <= v` ends the range
 * unaffected.
 */
export function rangeContainsAt(range: IndexedRange, at: TablePosition): boolean {
  let affected = false;
  // Indexed loops in the query path: a CLI audit runs it cold, where for-of allocates an iterator result per step.
  for (let i = 0; i < range.length; i++) {
    const code = range[i] as number;
    const index = code >> 2;
    // Events above v change nothing (v is below them all), and the rest are higher still.
    if (index >= at.hi) break;
    switch (code & 3) {
      case INTRODUCED:
        affected = true;
        break;
      case FIXED:
        affected = false;
        break;
      case LAST_AFFECTED:
        if (index < at.lo) affected = false;
        break;
      case LIMIT:
        return false;
    }
  }
  return affected;
}

/** Whether the version at `at` is affected: inside a range, or equal (PEP 440) to a listed version. */
export function isAffectedAt(entry: IndexedAffected, at: TablePosition): boolean {
  const { ranges, versions } = entry;
  for (let i = 0; i < ranges.length; i++) if (rangeContainsAt(ranges[i] as IndexedRange, at)) return true;
  for (let i = 0; i < versions.length; i++) if ((versions[i] as number) >= at.lo && (versions[i] as number) < at.hi) return true;
  return false;
}

/** Table indices of the `fixed` versions above the version at `at`, ascending: the candidate upgrades (read only: it may be the entry's own array). */
export function fixesAbove(entry: IndexedAffected, at: TablePosition): number[] {
  // Fixes are ascending: the ones above are a suffix.
  const { fixes } = entry;
  let first = 0;
  while (first < fixes.length && (fixes[first] as number) < at.hi) first++;
  return first === 0 ? fixes : fixes.slice(first);
}
