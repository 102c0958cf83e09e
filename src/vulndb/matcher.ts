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

/**
 * Events already sorted and checked by prepareEvents (the stored form), with
 * each version parsed only when the walk reaches it.
 */
export function loadSortedEvents(events: readonly StoredEvent[]): PreparedEvent[] {
  return events.map(([kind, text]) => new StoredSortedEvent(kind, text));
}

class StoredSortedEvent implements PreparedEvent {
  private parsed: Version | null | undefined;

  constructor(
    readonly kind: EventKind,
    readonly text: string,
  ) {}

  get version(): Version | null {
    if (this.parsed === undefined) this.parsed = this.kind === 'introduced' && this.text === '0' ? null : Version.parse(this.text);
    return this.parsed;
  }
}

/** Whether sorted, prepared events put `v` inside the range. */
export function rangeContains(events: readonly PreparedEvent[], v: Version): boolean {
  let affected = false;
  for (const e of events) {
    // Events above v change nothing (v is below them all), and the rest are higher still.
    if (e.version !== null && e.version.compare(v) > 0) break;
    switch (e.kind) {
      case 'introduced':
        if (e.version === null || v.compare(e.version) >= 0) affected = true;
        break;
      case 'fixed':
        if (e.version !== null && v.compare(e.version) >= 0) affected = false;
        break;
      case 'last_affected':
        if (e.version !== null && v.compare(e.version) > 0) affected = false;
        break;
      case 'limit':
        if (e.version !== null && v.compare(e.version) >= 0) return false;
        break;
    }
  }
  return affected;
}

/** What one advisory says about one package, ready to evaluate. */
export interface PreparedAffected {
  ranges: PreparedEvent[][];
  /** The `versions` list entries that parse; the others cannot equal an installed version. */
  versions: Version[];
}

export function isAffected(entry: PreparedAffected, v: Version): boolean {
  for (const r of entry.ranges) if (rangeContains(r, v)) return true;
  for (const listed of entry.versions) if (listed.compare(v) === 0) return true;
  return false;
}

/** The `fixed` versions above `v`, ascending and without duplicates: the candidate upgrades. */
export function fixVersionsAbove(entry: PreparedAffected, v: Version): Version[] {
  const fixes: Version[] = [];
  for (const r of entry.ranges) {
    for (const e of r) {
      if (e.kind === 'fixed' && e.version !== null && e.version.compare(v) > 0) fixes.push(e.version);
    }
  }
  fixes.sort((a, b) => a.compare(b));
  return fixes.filter((f, i) => i === 0 || f.compare(fixes[i - 1] as Version) !== 0);
}
