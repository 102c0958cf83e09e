/**
 * CVSS base scores and levels, checked against the examples of FIRST's
 * specification documents and calculators (v3.1 §7.4 examples, v4.0
 * calculator), and the qualitative bands of v3.1 §5 / v4.0 §2.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreVector } from '../../src/vulndb/cvss.js';
import { levelOf } from '../../src/vulndb/severity.js';

const vectors: Array<[string, string, number, string]> = [
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', 9.8, 'critical'],
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N', 6.1, 'medium'], // CVE-2013-1937 (phpMyAdmin XSS)
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H', 10.0, 'critical'],
  ['CVSS_V3', 'CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N', 1.8, 'low'],
  ['CVSS_V3', 'CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', 7.5, 'high'],
  ['CVSS_V3', 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N', 0.0, 'none'],
  ['CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 9.3, 'critical'],
  ['CVSS_V4', 'CVSS:4.0/AV:L/AC:L/AT:N/PR:N/UI:P/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N', 8.5, 'high'],
  ['CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:H/UI:N/VC:L/VI:L/VA:N/SC:N/SI:N/SA:N', 5.1, 'medium'],
  ['CVSS_V4', 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N', 8.7, 'high'],
];

test('base scores and levels of v3.0, v3.1 and v4.0 vectors', () => {
  for (const [type, vector, score, level] of vectors) {
    const s = scoreVector(type, vector);
    assert.ok(s, vector);
    assert.equal(s.score, score, vector);
    assert.equal(s.level, level, vector);
  }
});

test('vectors that cannot be scored give null, not a guess', () => {
  for (const v of ['AV:N/AC:L/Au:N/C:P/I:P/A:P', 'CVSS:3.1/AV:N', 'CVSS:5.0/AV:N', 'garbage']) {
    assert.equal(scoreVector('CVSS_V3', v), null, v);
  }
});

test('qualitative bands', () => {
  const bands: Array<[number, string]> = [[0, 'none'], [0.1, 'low'], [3.9, 'low'], [4.0, 'medium'], [6.9, 'medium'], [7.0, 'high'], [8.9, 'high'], [9.0, 'critical'], [10, 'critical']];
  for (const [score, level] of bands) assert.equal(levelOf(score), level, String(score));
});
