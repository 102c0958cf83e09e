/** `--ignore ID[:reason[:until-date]]`. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidIgnoreError } from '../../src/audit/errors.js';
import { isActive, parseIgnore } from '../../src/audit/ignore.js';

test('parses id, reason and until-date', () => {
  const table: Array<[string, object]> = [
    ['PYSEC-2021-7', { id: 'PYSEC-2021-7' }],
    ['CVE-2021-33203:not exposed', { id: 'CVE-2021-33203', reason: 'not exposed' }],
    ['GHSA-6vhp-hp77-6w52:fix blocked by vendor:2026-12-31', { id: 'GHSA-6vhp-hp77-6w52', reason: 'fix blocked by vendor', until: '2026-12-31' }],
    ['PYSEC-2021-7:see https://example.com/x:y:2027-01-15', { id: 'PYSEC-2021-7', reason: 'see https://example.com/x:y', until: '2027-01-15' }],
    ['PYSEC-2021-7::2027-01-15', { id: 'PYSEC-2021-7', until: '2027-01-15' }],
  ];
  for (const [text, expected] of table) assert.deepEqual(parseIgnore(text), expected, text);
});

test('refuses what is not an advisory id or a calendar date', () => {
  for (const bad of ['', 'django', 'PYSEC 2021 7', 'PYSEC-2021-7:reason:2026-02-30']) {
    assert.throws(() => parseIgnore(bad), InvalidIgnoreError, bad);
  }
});

test('an until-date is the last day the ignore applies', () => {
  const ignore = parseIgnore('PYSEC-1-1:r:2026-06-01');
  assert.equal(isActive(ignore, '2026-06-01'), true);
  assert.equal(isActive(ignore, '2026-06-02'), false);
  assert.equal(isActive(parseIgnore('PYSEC-1-1'), '2999-01-01'), true);
});
