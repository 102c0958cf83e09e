/** The range walk on hand-written events: the OSV schema's evaluation rules, one per row. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Version } from '../../src/pep/version.js';
import { fixesAbove, indexPackage, isAffectedAt, positionIn, prepareEvents, type StoredEvent } from '../../src/vulndb/matcher.js';

/** One advisory's ranges and listed versions, indexed as the database stores them, and questions about a version. */
function indexed(ranges: StoredEvent[][], versions: string[] = []) {
  const { table, entries } = indexPackage([{ ranges: ranges.map((r) => prepareEvents(r).events), versions: versions.map((v) => Version.parse(v)) }]);
  const entry = entries[0];
  assert.ok(entry);
  const at = (v: string) => positionIn(table.keys, Version.parse(v).sortKey);
  return {
    affected: (v: string): boolean => isAffectedAt(entry, at(v)),
    fixesAbove: (v: string): string[] => fixesAbove(entry, at(v)).map((i) => table.texts[i] as string),
  };
}

const rows: Array<{ why: string; events: StoredEvent[]; versions?: string[]; affected: string[]; not: string[] }> = [
  { why: 'introduced 0 is below every version', events: [['introduced', '0'], ['fixed', '1.0']], affected: ['0', '0.0.1.dev0', '1.0rc1'], not: ['1.0', '2'] },
  { why: 'events are sorted before the walk', events: [['fixed', '2.0'], ['introduced', '1.0'], ['fixed', '1.5'], ['introduced', '1.8']], affected: ['1.0', '1.4.9', '1.8', '1.9'], not: ['0.9', '1.5', '1.7', '2.0'] },
  { why: 'last_affected is inclusive', events: [['introduced', '1.0'], ['last_affected', '1.2']], affected: ['1.2', '1.2.0'], not: ['1.2.post1', '1.2.1', '0.9'] },
  { why: 'no fix: affected from introduced on', events: [['introduced', '3.0']], affected: ['3.0', '99'], not: ['2.9'] },
  { why: 'limit ends the range', events: [['introduced', '0'], ['limit', '2.0']], affected: ['1.9'], not: ['2.0', '3.0'] },
  { why: 'PEP 440 ordering: pre, post, dev, local, epoch', events: [['introduced', '1.0a1'], ['fixed', '1.0.post1']], affected: ['1.0a1', '1.0', '1.0+local', '1.0.post0'], not: ['1.0.dev0', '1.0.post1', '1!0.5'] },
  { why: 'invalid event versions are left out', events: [['introduced', '1.0'], ['last_affected', '2.9.0-NA']], affected: ['1.0', '5.0'], not: ['0.9'] },
  { why: 'versions list is a union with the ranges, by PEP 440 equality', events: [['introduced', '2.0'], ['fixed', '2.1']], versions: ['0.8', '1.0.0'], affected: ['0.8', '1', '1.0', '2.0.5'], not: ['0.9', '2.1'] },
];

test('OSV range evaluation, row by row', () => {
  for (const row of rows) {
    const entry = indexed([row.events], row.versions);
    for (const v of row.affected) assert.equal(entry.affected(v), true, `${row.why}: ${v} affected`);
    for (const v of row.not) assert.equal(entry.affected(v), false, `${row.why}: ${v} not affected`);
  }
});

test('fix versions are the fixed events above the version, ascending, without duplicates', () => {
  const entry = indexed([
    [['introduced', '0'], ['fixed', '1.2.0'], ['introduced', '2.0'], ['fixed', '2.3']],
    [['introduced', '0'], ['fixed', '1.2']],
  ]);
  assert.deepEqual(entry.fixesAbove('1.0'), ['1.2.0', '2.3'], '1.2.0 and 1.2 are one version; the first spelling stays');
  assert.deepEqual(entry.fixesAbove('2.1'), ['2.3']);
  assert.deepEqual(entry.fixesAbove('1.2'), ['2.3'], 'the fix equal to the version is not above it');
  assert.equal(entry.affected('1.2'), false, 'fixed in 1.2.0 means fixed in 1.2');
  assert.equal(entry.affected('1.1.99'), true);
});

/** The OSV evaluation written the plain way, on parsed versions: the reference for the indexed walk. */
function plainAffected(ranges: StoredEvent[][], versions: string[], v: Version): boolean {
  const inRange = (events: StoredEvent[]): boolean => {
    let affected = false;
    for (const e of prepareEvents(events).events) {
      const cmp = e.version === null ? 1 : v.compare(e.version); // introduced 0 is below every version
      if (e.kind === 'introduced' && cmp >= 0) affected = true;
      else if (e.kind === 'fixed' && cmp >= 0) affected = false;
      else if (e.kind === 'last_affected' && cmp > 0) affected = false;
      else if (e.kind === 'limit' && cmp >= 0) return false;
    }
    return affected;
  };
  return ranges.some(inRange) || versions.some((l) => Version.parse(l).equals(v));
}

test('the indexed walk agrees with the plain walk on random events, with versions spelled several ways', () => {
  // A small pool, so that events collide; 1.2 / 1.2.0 / 1.2.0.0 and v1.2 are one version in different spellings.
  const pool = ['0', '0.9', '1.0', '1.0.0', '1.0a1', '1.0.post1', '1.2', '1.2.0', 'v1.2', '1.2.0.0', '1.2+local', '1.3.dev0', '2.0', '1!0.1'];
  const kind = fc.constantFrom<StoredEvent[0]>('introduced', 'fixed', 'last_affected', 'limit');
  const event = fc.tuple(kind, fc.constantFrom(...pool)) as fc.Arbitrary<StoredEvent>;
  fc.assert(
    fc.property(fc.array(fc.array(event, { maxLength: 6 }), { maxLength: 3 }), fc.array(fc.constantFrom(...pool.slice(1)), { maxLength: 3 }), (ranges, versions) => {
      const entry = indexed(ranges, versions);
      for (const q of [...pool.slice(1), '1.1', '1.2.1', '3.0', '0.0.1']) {
        assert.equal(entry.affected(q), plainAffected(ranges, versions, Version.parse(q)), `${q} in ${JSON.stringify({ ranges, versions })}`);
      }
    }),
    { numRuns: 2000 },
  );
});
