/** Every behaviour rule fires on its positive samples and stays quiet on its negative ones, and bad rule files are refused. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BehaviourEvent } from '../../src/sandbox/behaviour.js';
import { BehaviourRulebook, behaviourRuleFromData, ruleMatches } from '../../src/sandbox/behaviour-rules.js';
import { BehaviourRuleError } from '../../src/sandbox/errors.js';

const book = BehaviourRulebook.load();

function asEvent(sample: unknown, kind: string): BehaviourEvent {
  return { kind, ...(sample as object) } as BehaviourEvent;
}

test('the rule folder loads, with the rules the issue names', () => {
  const ids = book.rules.map((r) => r.id);
  for (const id of ['sandbox.exec-powershell', 'sandbox.network-connect', 'sandbox.dns-lookup', 'sandbox.honeypot-read', 'sandbox.persistence-write', 'sandbox.pth-outside-tree', 'sandbox.pip-install', 'sandbox.secret-leak', 'sandbox.limit-processes']) {
    assert.ok(ids.includes(id), `${id} is missing`);
  }
});

for (const rule of book.rules) {
  test(`${rule.id}: fires on its positive samples, not on its negative ones`, () => {
    if (rule.event === 'combination') {
      for (const sample of rule.positive) {
        const found = book.evaluate((sample as unknown[]).map((e) => e as BehaviourEvent)).map((f) => f.rule);
        assert.ok(found.includes(rule.id), `${rule.id} should fire on ${JSON.stringify(sample)}`);
      }
      for (const sample of rule.negative) {
        const found = book.evaluate((sample as unknown[]).map((e) => e as BehaviourEvent)).map((f) => f.rule);
        assert.ok(!found.includes(rule.id), `${rule.id} should not fire on ${JSON.stringify(sample)}`);
      }
      return;
    }
    for (const sample of rule.positive) assert.ok(ruleMatches(rule, asEvent(sample, rule.event)), `${rule.id} should fire on ${JSON.stringify(sample)}`);
    for (const sample of rule.negative) assert.ok(!ruleMatches(rule, asEvent(sample, rule.event)), `${rule.id} should not fire on ${JSON.stringify(sample)}`);
  });
}

test('one finding per rule and evidence, with the evidence in the message and the snippet', () => {
  const attempt = (dir: string): BehaviourEvent => ({ kind: 'exec', program: `${dir}/powershell`, argv: ['powershell', '-enc', 'AAAA'], ok: false, errno: 'ENOENT' });
  const findings = book.evaluate([attempt('/usr/bin'), attempt('/usr/bin'), attempt('/bin')]).filter((f) => f.rule === 'sandbox.exec-powershell');
  assert.equal(findings.length, 2);
  assert.equal(findings[0]!.snippet, 'powershell -enc AAAA (/usr/bin/powershell: ENOENT)');
  assert.match(findings[0]!.message, /^tried to run PowerShell: powershell -enc AAAA/);
  assert.equal(findings[0]!.severity, 'critical');
});

test('a flood of distinct events gives at most 20 findings per rule and says how many more', () => {
  const events: BehaviourEvent[] = Array.from({ length: 50 }, (_, i) => ({ kind: 'dns', name: `h${i}.example.com`, type: 'A' }));
  const findings = book.evaluate(events).filter((f) => f.rule === 'sandbox.dns-lookup');
  assert.equal(findings.length, 21);
  assert.equal(findings.at(-1)!.snippet, 'and 30 more like these');
});

test('malformed rule files are refused, naming the file and the problem', () => {
  const base = { id: 'sandbox.x', severity: 'high', confidence: 'high', event: 'exec', rationale: 'r', when: { command: 'x' }, positive: [{}, {}], negative: [{}, {}] };
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ ...base, id: 'code.x' }, /must look like sandbox\.rule-name/],
    [{ ...base, severity: 'severe' }, /severity must be one of/],
    [{ ...base, event: 'syscall' }, /event must be one of/],
    [{ ...base, when: { command: '(' } }, /invalid regex/],
    [{ ...base, when: undefined }, /'when' is required/],
    [{ ...base, positive: [{}] }, /at least 2 sample events/],
    [{ ...base, extra: 1 }, /unknown key 'extra'/],
    [{ ...base, event: 'combination', when: undefined, 'all-of': ['a'] }, /two or more rule ids/],
  ];
  for (const [data, message] of cases) {
    assert.throws(() => behaviourRuleFromData(data, 'x.yaml'), (err: unknown) => err instanceof BehaviourRuleError && err.code === 'sandbox.rule-invalid' && message.test(err.message));
  }
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rules-'));
  writeFileSync(join(dir, 'a.yaml'), 'id: sandbox.a\nseverity: high\nconfidence: high\nevent: combination\nrationale: r\nall-of: [sandbox.b, sandbox.c]\npositive: [[], []]\nnegative: [[], []]\n');
  assert.throws(() => BehaviourRulebook.load(dir), /all-of names an unknown rule sandbox\.b/);
});
