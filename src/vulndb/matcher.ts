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

// The indexed form: what the stored database holds, evaluated without parsing a single version. Each event's
// version is replaced by its PEP 440 sort key (`Version.sortKey`, whose code-unit order is the PEP 440 order), and
// `introduced: "0"` by the empty string, which sorts below every key. A walk is then string comparisons only.

/** Event kinds in indexed form. */
export const INTRODUCED = 0;
export const FIXED = 1;
export const LAST_AFFECTED = 2;
export const LIMIT = 3;
const KIND_CODES: Readonly<Record<EventKind, number>> = { introduced: INTRODUCED, fixed: FIXED, last_affected: LAST_AFFECTED, limit: LIMIT };

/** One range's sorted events, flattened: kind code, sort key, kind code, sort key, ... */
export type IndexedRange = Array<number | string>;

/** What one advisory says about one package, ready to evaluate against a version's sort key. */
export interface IndexedAffected {
  ranges: IndexedRange[];
  /** Sort keys of the `versions` entries (the ones that parse; the others cannot equal an installed version). */
  versions: string[];
  /**
   * The `fixed` versions of every range, flattened as sort key, normalized text, sort key, text, ...: ascending,
   * one entry per version (the first spelling in the advisory stays when two spell one version: 1.2 and 1.2.0).
   */
  fixes: string[];
}

export function indexRange(events: readonly PreparedEvent[]): IndexedRange {
  const out: IndexedRange = [];
  for (const e of events) out.push(KIND_CODES[e.kind], e.version === null ? '' : e.version.sortKey);
  return out;
}

/** The indexed form of prepared ranges and `versions` entries. */
export function indexAffected(ranges: readonly (readonly PreparedEvent[])[], versions: readonly Version[]): IndexedAffected {
  const fixed: Version[] = [];
  for (const r of ranges) for (const e of r) if (e.kind === 'fixed' && e.version !== null) fixed.push(e.version);
  fixed.sort((a, b) => a.compare(b)); // stable: equal versions keep their order in the advisory
  const fixes: string[] = [];
  for (const f of fixed) if (fixes.length === 0 || fixes[fixes.length - 2] !== f.sortKey) fixes.push(f.sortKey, f.toString());
  return { ranges: ranges.map(indexRange), versions: versions.map((v) => v.sortKey), fixes };
}

/**
 * Whether an indexed range contains the version whose sort key is `key`: the OSV walk over sorted events, where
 * `introduced <= v` turns "affected" on, `fixed <= v` turns it off, `last_affected < v` turns it off and
 * `limit <= v` ends the range unaffected.
 */
export function indexedRangeContains(range: IndexedRange, key: string): boolean {
  let affected = false;
  for (let i = 0; i < range.length; i += 2) {
    const at = range[i + 1] as string;
    // Events above v change nothing (v is below them all), and the rest are higher still.
    if (at > key) break;
    switch (range[i]) {
      case INTRODUCED:
        affected = true;
        break;
      case FIXED:
        affected = false;
        break;
      case LAST_AFFECTED:
        if (key > at) affected = false;
        break;
      case LIMIT:
        return false;
    }
  }
  return affected;
}

/** Whether the version whose sort key is `key` is affected: inside a range, or equal (PEP 440) to a listed version. */
export function isAffectedAt(entry: IndexedAffected, key: string): boolean {
  for (const r of entry.ranges) if (indexedRangeContains(r, key)) return true;
  return entry.versions.includes(key);
}

/** The `fixed` versions above the version whose sort key is `key`, ascending: the candidate upgrades. */
export function fixesAbove(entry: IndexedAffected, key: string): { keys: string[]; texts: string[] } {
  const keys: string[] = [];
  const texts: string[] = [];
  for (let i = 0; i < entry.fixes.length; i += 2) {
    if ((entry.fixes[i] as string) > key) {
      keys.push(entry.fixes[i] as string);
      texts.push(entry.fixes[i + 1] as string);
    }
  }
  return { keys, texts };
}
