/** The range walk on hand-written events: the OSV schema's evaluation rules, one per row. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Version } from '../../src/pep/version.js';
import { fixesAbove, indexAffected, isAffectedAt, prepareEvents, type StoredEvent } from '../../src/vulndb/matcher.js';

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
    const entry = indexAffected([prepareEvents(row.events).events], (row.versions ?? []).map((v) => Version.parse(v)));
    for (const v of row.affected) assert.equal(isAffectedAt(entry, Version.parse(v).sortKey), true, `${row.why}: ${v} affected`);
    for (const v of row.not) assert.equal(isAffectedAt(entry, Version.parse(v).sortKey), false, `${row.why}: ${v} not affected`);
  }
});

test('fix versions are the fixed events above the version, ascending, without duplicates', () => {
  const entry = indexAffected(
    [prepareEvents([['introduced', '0'], ['fixed', '1.2.0'], ['introduced', '2.0'], ['fixed', '2.3']]).events, prepareEvents([['introduced', '0'], ['fixed', '1.2']]).events],
    [],
  );
  const above = (v: string): string[] => fixesAbove(entry, Version.parse(v).sortKey).texts;
  assert.deepEqual(above('1.0'), ['1.2.0', '2.3'], '1.2.0 and 1.2 are one version; the first spelling stays');
  assert.deepEqual(above('2.1'), ['2.3']);
  assert.deepEqual(above('1.2'), ['2.3'], 'the fix equal to the version is not above it');
  assert.deepEqual(fixesAbove(entry, Version.parse('1.0').sortKey).keys, [Version.parse('1.2').sortKey, Version.parse('2.3').sortKey]);
});
