/** How findings become a verdict: capabilities never condemn, combinations do, and reasons name the deciding findings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/analyze/finding.js';
import { decideVerdict, reaches } from '../../src/analyze/verdict.js';

const f = (rule: string, severity: Finding['severity'], confidence: Finding['confidence'] = 'medium'): Finding => ({
  rule,
  severity,
  confidence,
  message: `${rule} message`,
  file: 'pkg/mod.py',
  line: 3,
});

const table: Array<{ name: string; findings: Finding[]; verdict: string; reasonRules: string[] }> = [
  { name: 'nothing', findings: [], verdict: 'clean', reasonRules: [] },
  { name: 'capabilities only', findings: [f('code.network-send', 'info'), f('code.download', 'info')], verdict: 'clean', reasonRules: [] },
  { name: 'one low signal', findings: [f('code.high-entropy-blob', 'low')], verdict: 'clean', reasonRules: [] },
  { name: 'one medium signal', findings: [f('code.keylogger', 'medium'), f('code.keylogger', 'medium')], verdict: 'clean', reasonRules: [] },
  { name: 'two medium rules', findings: [f('code.keylogger', 'medium'), f('code.obfuscation-chr-join', 'medium')], verdict: 'suspicious', reasonRules: ['code.keylogger', 'code.obfuscation-chr-join'] },
  { name: 'a high finding', findings: [f('install.sitecustomize', 'high'), f('code.network-send', 'info')], verdict: 'suspicious', reasonRules: ['install.sitecustomize'] },
  { name: 'a low-confidence critical', findings: [f('x.rule', 'critical', 'low')], verdict: 'suspicious', reasonRules: ['x.rule'] },
  { name: 'a combination', findings: [f('combo.secrets-exfiltration', 'critical', 'high'), f('install.sitecustomize', 'high')], verdict: 'malicious', reasonRules: ['combo.secrets-exfiltration'] },
];

for (const c of table) {
  test(`${c.name} -> ${c.verdict}`, () => {
    const v = decideVerdict(c.findings);
    assert.equal(v.verdict, c.verdict);
    assert.ok(v.reasons.length > 0);
    for (const r of c.reasonRules) assert.ok(v.reasons.some((x) => x.includes(r) && x.includes('pkg/mod.py:3')), `${r} in ${v.reasons.join(' | ')}`);
  });
}

test('reaches orders clean < suspicious < malicious', () => {
  assert.equal(reaches('malicious', 'suspicious'), true);
  assert.equal(reaches('suspicious', 'suspicious'), true);
  assert.equal(reaches('suspicious', 'malicious'), false);
  assert.equal(reaches('clean', 'suspicious'), false);
});
