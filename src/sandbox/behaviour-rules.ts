/**
 * Behaviour rules: which things a sandboxed run did are worth a finding, and how bad and how sure each is.
 * Rules are data, one YAML file per rule in `rules/sandbox/` (format in rules/sandbox/README.md), each with
 * sample events on which it must and must not fire; adding a rule means adding a file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Confidence, Finding, Severity } from '../analyze/finding.js';
import { shippedPath } from '../paths.js';
import type { BehaviourEvent, BehaviourKind } from './behaviour.js';
import { BehaviourRuleError } from './errors.js';

export const defaultBehaviourRulesDir = shippedPath('rules', 'sandbox');

const severities: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];
const confidences: readonly Confidence[] = ['low', 'medium', 'high'];
const eventKinds: readonly BehaviourKind[] = ['exec', 'connect', 'dns', 'listen', 'file', 'canary', 'limit'];

/** What a condition compares: a regex for text, or exact values. */
type Condition = { field: string; regex: RegExp } | { field: string; oneOf: readonly (string | number | boolean)[] };

export interface BehaviourRule {
  id: string;
  severity: Severity;
  confidence: Confidence;
  rationale: string;
  message: string;
  event: BehaviourKind | 'combination';
  /** Every condition must hold. */
  when: Condition[];
  /** None may hold. */
  unless: Condition[];
  /** For combinations: each element is a list of rule ids of which any one must have fired. */
  allOf: string[][];
  positive: unknown[];
  negative: unknown[];
}

/** The fields of an event as rules see them: `command` is the program's file name, `argv` the whole command line. */
export function eventFields(event: BehaviourEvent): Record<string, string | number | boolean> {
  switch (event.kind) {
    case 'exec':
      // A Windows path (C:\\Windows\\System32\\curl.exe) or a whole command line passed as the program name still has a command.
      return { kind: event.kind, program: event.program, command: event.program.split(' ')[0]!.split(/[\\/]/).pop()!, argv: event.argv.join(' '), ok: event.ok, errno: event.errno ?? '' };
    case 'connect':
      return { kind: event.kind, family: event.family, address: event.address, port: event.port ?? 0, via: event.via, ok: event.ok, errno: event.errno ?? '' };
    case 'dns':
      return { kind: event.kind, name: event.name, type: event.type };
    case 'listen':
      return { kind: event.kind, family: event.family, address: event.address, port: event.port };
    case 'file':
      return {
        kind: event.kind,
        op: event.op,
        path: event.path,
        area: event.area,
        ok: event.ok,
        errno: event.errno ?? '',
        from: event.from ?? '',
        honeypot: event.honeypot ?? '',
        hostHome: event.hostHome === true,
      };
    case 'canary':
      return { kind: event.kind, name: event.name, where: event.where, detail: event.detail };
    case 'limit':
      return { kind: event.kind, limit: event.limit, detail: event.detail };
  }
}

/** The evidence a finding carries: the command line, the address, the path. */
export function evidenceOf(event: BehaviourEvent): string {
  switch (event.kind) {
    case 'exec':
      return `${event.argv.length > 0 ? event.argv.join(' ') : event.program}${event.ok ? '' : ` (${event.program}: ${event.errno ?? 'failed'})`}`;
    case 'connect': {
      const where = event.family === 'unix' ? event.address : event.family === 'inet6' ? `[${event.address}]:${event.port}` : `${event.address}:${event.port}`;
      return `${event.via === 'send' ? 'datagram to ' : ''}${where}${event.ok ? '' : ` (${event.errno ?? 'failed'})`}`;
    }
    case 'dns':
      // One finding per name: the A and AAAA questions of one lookup are one attempt.
      return event.name;
    case 'listen':
      return `${event.family === 'inet6' ? `[${event.address}]` : event.address}:${event.port}`;
    case 'file': {
      const from = event.from === undefined ? '' : event.op === 'symlink' ? ` -> ${event.from}` : ` (from ${event.from})`;
      return `${event.op} ${event.path}${from}${event.ok ? '' : ` (${event.errno ?? 'failed'})`}`;
    }
    case 'canary':
      return `${event.name} in ${event.where}: ${event.detail}`;
    case 'limit':
      return event.detail;
  }
}

function compileRegex(text: string, where: string): RegExp {
  const insensitive = text.startsWith('(?i)');
  try {
    return new RegExp(insensitive ? text.slice(4) : text, insensitive ? 'i' : '');
  } catch (err) {
    throw new BehaviourRuleError(where, `invalid regex ${JSON.stringify(text)}: ${(err as Error).message}`);
  }
}

function conditions(data: unknown, source: string, key: string): Condition[] {
  if (data === undefined) return [];
  if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new BehaviourRuleError(source, `'${key}' must be a mapping of event fields`);
  return Object.entries(data).map(([field, value]): Condition => {
    if (typeof value === 'string') return { field, regex: compileRegex(value, source) };
    if (typeof value === 'number' || typeof value === 'boolean') return { field, oneOf: [value] };
    if (Array.isArray(value) && value.every((v) => ['string', 'number', 'boolean'].includes(typeof v))) return { field, oneOf: value as (string | number | boolean)[] };
    throw new BehaviourRuleError(source, `${key}.${field} must be a regex, a number, a boolean or a list of values`);
  });
}

export function behaviourRuleFromData(data: unknown, source: string): BehaviourRule {
  if (typeof data !== 'object' || data === null) throw new BehaviourRuleError(source, 'not a mapping');
  const d = data as Record<string, unknown>;
  const text = (key: string): string => {
    const v = d[key];
    if (typeof v !== 'string' || v.trim() === '') throw new BehaviourRuleError(source, `'${key}' must be a non-empty string`);
    return v.trim();
  };
  const id = text('id');
  if (!/^sandbox\.[a-z0-9-]+$/.test(id)) throw new BehaviourRuleError(source, `id '${id}' must look like sandbox.rule-name`);
  const severity = text('severity') as Severity;
  if (!severities.includes(severity)) throw new BehaviourRuleError(source, `severity must be one of ${severities.join(', ')}`);
  const confidence = text('confidence') as Confidence;
  if (!confidences.includes(confidence)) throw new BehaviourRuleError(source, `confidence must be one of ${confidences.join(', ')}`);
  const event = text('event') as BehaviourKind | 'combination';
  if (event !== 'combination' && !eventKinds.includes(event)) throw new BehaviourRuleError(source, `event must be one of ${[...eventKinds, 'combination'].join(', ')}`);
  const rationale = text('rationale');
  const known = new Set(['id', 'severity', 'confidence', 'rationale', 'message', 'event', 'when', 'unless', 'all-of', 'positive', 'negative']);
  for (const key of Object.keys(d)) if (!known.has(key)) throw new BehaviourRuleError(source, `unknown key '${key}'`);
  let allOf: string[][] = [];
  if (event === 'combination') {
    const list = d['all-of'];
    if (!Array.isArray(list) || list.length < 2 || !list.every((x) => typeof x === 'string')) throw new BehaviourRuleError(source, "a combination needs 'all-of': two or more rule ids ('a|b' for either)");
    allOf = (list as string[]).map((x) => x.split('|').map((s) => s.trim()));
  } else if (d.when === undefined) throw new BehaviourRuleError(source, "'when' is required: the event fields that must match");
  const positive = d.positive;
  const negative = d.negative;
  if (!Array.isArray(positive) || positive.length < 2) throw new BehaviourRuleError(source, "'positive' needs at least 2 sample events on which the rule fires");
  if (!Array.isArray(negative) || negative.length < 2) throw new BehaviourRuleError(source, "'negative' needs at least 2 sample events on which it does not");
  return {
    id,
    severity,
    confidence,
    rationale,
    message: typeof d.message === 'string' ? d.message.trim() : rationale,
    event,
    when: conditions(d.when, source, 'when'),
    unless: conditions(d.unless, source, 'unless'),
    allOf,
    positive,
    negative,
  };
}

function holds(condition: Condition, fields: Record<string, string | number | boolean>): boolean {
  const value = fields[condition.field];
  if (value === undefined) return false;
  return 'regex' in condition ? condition.regex.test(String(value)) : condition.oneOf.includes(value);
}

export function ruleMatches(rule: BehaviourRule, event: BehaviourEvent): boolean {
  if (rule.event !== event.kind) return false;
  const fields = eventFields(event);
  return rule.when.every((c) => holds(c, fields)) && !rule.unless.some((c) => holds(c, fields));
}

/** At most this many findings per rule: a thousand DNS lookups say no more than twenty. */
const maxFindingsPerRule = 20;

export class BehaviourRulebook {
  private constructor(readonly rules: readonly BehaviourRule[]) {}

  static load(dir = defaultBehaviourRulesDir): BehaviourRulebook {
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    } catch (err) {
      throw new BehaviourRuleError(dir, `cannot read the folder: ${(err as Error).message}`);
    }
    const rules = files.map((f) => {
      const source = join(dir, f);
      let data: unknown;
      try {
        data = parseYaml(readFileSync(source, 'utf8'));
      } catch (err) {
        throw new BehaviourRuleError(source, `not valid YAML: ${(err as Error).message}`);
      }
      return behaviourRuleFromData(data, source);
    });
    const ids = new Set<string>();
    for (const r of rules) {
      if (ids.has(r.id)) throw new BehaviourRuleError(dir, `duplicate rule id ${r.id}`);
      ids.add(r.id);
    }
    for (const r of rules) {
      for (const id of r.allOf.flat()) if (!ids.has(id)) throw new BehaviourRuleError(r.id, `all-of names an unknown rule ${id}`);
    }
    return new BehaviourRulebook(rules);
  }

  /** The findings for a run's events: one per rule and evidence, then the combinations of those. */
  evaluate(events: readonly BehaviourEvent[]): Finding[] {
    const findings: Finding[] = [];
    const fired = new Map<string, BehaviourEvent[]>();
    const perRule = new Map<string, Set<string>>();
    for (const event of events) {
      for (const rule of this.rules) {
        if (rule.event === 'combination' || !ruleMatches(rule, event)) continue;
        const evidence = evidenceOf(event);
        const seen = perRule.get(rule.id) ?? new Set<string>();
        perRule.set(rule.id, seen);
        if (seen.has(evidence)) continue;
        seen.add(evidence);
        fired.set(rule.id, [...(fired.get(rule.id) ?? []), event]);
        if (seen.size <= maxFindingsPerRule) findings.push(toFinding(rule, evidence));
      }
    }
    for (const [id, seen] of perRule) {
      if (seen.size > maxFindingsPerRule) {
        const rule = this.rules.find((r) => r.id === id)!;
        findings.push(toFinding(rule, `and ${seen.size - maxFindingsPerRule} more like these`));
      }
    }
    for (const rule of this.rules) {
      if (rule.event !== 'combination') continue;
      const parts = rule.allOf.map((any) => any.map((id) => ({ id, events: fired.get(id) })).find((p) => p.events !== undefined));
      if (parts.some((p) => p === undefined)) continue;
      findings.push(toFinding(rule, parts.map((p) => `${p!.id}: ${evidenceOf(p!.events![0]!)}`).join(' + ')));
    }
    return findings;
  }
}

function toFinding(rule: BehaviourRule, evidence: string): Finding {
  return { rule: rule.id, severity: rule.severity, confidence: rule.confidence, message: `${rule.message}: ${evidence}`, snippet: evidence };
}
