/**
 * Reads a policy from TOML: the `[policy.*]` tables of the gateway's config file, or of a file of its own that the
 * config names (`[policy] file = "policy.toml"`). Every unknown key and bad value is an error that names the key
 * and, where it can be found in the text, its line: `gatehouse policy check FILE` prints them all at once.
 *
 *   [policy.names]            mode, typosquat, unknown
 *   [policy.scanner]          mode, malicious, suspicious, error
 *   [policy.vulnerabilities]  mode, block_severity, warn_severity, block, malware
 *   [policy.cooldown]         mode, minimum_age, exempt, cutoff, unknown_upload_time, outcome
 *   [policy.licenses]         mode, allow, deny, unknown, outcome
 *   [policy.metadata]         mode, require, outcome
 *   [policy.lists]            mode, allow, deny
 *   [[policy.waiver]]         project, version, file, rule, reason, granted_by, expires
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { InvalidInputError } from '../errors.js';
import { SEVERITIES, type Severity } from '../finding.js';
import { isCoreMetadataField } from '../pep/metadata.js';
import { isValidName, normalizeName } from '../pep/name.js';
import { parseRequirement } from '../pep/requirement.js';
import { SpecifierSet } from '../pep/specifier.js';
import { checkLicenseRule } from './license.js';
import { DEFAULT_POLICY, OUTCOMES, type ListEntry, type Mode, type Outcome, type Policy, type Waiver } from './policy.js';

export class PolicyError extends InvalidInputError {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super('policy.invalid', `${source}: ${problems.length === 1 ? problems[0] : `${problems.length} problems:\n  ${problems.join('\n  ')}`}`);
    this.problems = problems;
  }
}

type Table = Record<string, unknown>;

const SECTIONS: Record<string, readonly string[]> = {
  names: ['mode', 'typosquat', 'unknown'],
  scanner: ['mode', 'malicious', 'suspicious', 'error'],
  vulnerabilities: ['mode', 'block_severity', 'warn_severity', 'block', 'malware'],
  cooldown: ['mode', 'minimum_age', 'exempt', 'cutoff', 'unknown_upload_time', 'outcome'],
  licenses: ['mode', 'allow', 'deny', 'unknown', 'outcome'],
  metadata: ['mode', 'require', 'outcome'],
  lists: ['mode', 'allow', 'deny'],
};
const WAIVER_KEYS = ['project', 'version', 'file', 'rule', 'reason', 'granted_by', 'expires'] as const;

/** Best effort: the line of `key` in the table `header` (the n-th one, for arrays of tables), 1-based. */
export function lineOf(text: string, header: string, key?: string, occurrence = 0): number | undefined {
  const lines = text.split(/\r?\n/);
  let seen = -1;
  let inside = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    const table = /^\[\[?\s*([^\]]+?)\s*\]\]?/.exec(line);
    if (table) {
      const name = table[1]!.replace(/\s*\.\s*/g, '.').replace(/"/g, '');
      inside = name === header && ++seen === occurrence;
      if (inside && key === undefined) return i + 1;
      continue;
    }
    if (inside && key !== undefined && new RegExp(`^"?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\\s*=`).test(line)) return i + 1;
  }
  return undefined;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/;
const UNIT_MS: Record<string, number> = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 };

/** Reads the `[policy.*]` tables of a parsed TOML document; `text` gives line numbers. */
export function policyFromToml(doc: Table, text: string, source: string): Policy {
  const problems: string[] = [];
  const at = (header: string, key?: string, occurrence?: number): string => {
    const line = lineOf(text, header, key, occurrence);
    return line === undefined ? '' : ` (line ${line})`;
  };
  const fail = (message: string, header: string, key?: string, occurrence?: number) => problems.push(`${message}${at(header, key, occurrence)}`);
  const root = (doc.policy ?? {}) as Table;
  if (typeof root !== 'object' || Array.isArray(root)) {
    throw new PolicyError(source, ['policy must be a table']);
  }
  const policy: Policy = structuredClone(DEFAULT_POLICY);
  for (const key of Object.keys(root)) {
    if (key === 'file' || key === 'waiver') continue;
    if (!(key in SECTIONS)) fail(`unknown table [policy.${key}] (known: ${Object.keys(SECTIONS).map((s) => `policy.${s}`).join(', ')}, [[policy.waiver]])`, `policy.${key}`);
  }
  const section = (name: string): Table => {
    const value = root[name];
    if (value === undefined) return {};
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      fail(`policy.${name} must be a table`, 'policy', name);
      return {};
    }
    for (const key of Object.keys(value)) {
      if (!SECTIONS[name]!.includes(key)) fail(`unknown key policy.${name}.${key} (known: ${SECTIONS[name]!.join(', ')})`, `policy.${name}`, key);
    }
    return value as Table;
  };
  const outcome = (t: Table, name: string, key: string, fallback: Outcome): Outcome => {
    const v = t[key];
    if (v === undefined) return fallback;
    if (typeof v !== 'string' || !OUTCOMES.includes(v as Outcome)) {
      fail(`policy.${name}.${key} must be one of ${OUTCOMES.join(', ')}, not ${JSON.stringify(v)}`, `policy.${name}`, key);
      return fallback;
    }
    return v as Outcome;
  };
  const mode = (t: Table, name: string, fallback: Mode): Mode => {
    const v = t.mode;
    if (v === undefined) return fallback;
    if (v !== 'enforce' && v !== 'dry-run') {
      fail(`policy.${name}.mode must be "enforce" or "dry-run", not ${JSON.stringify(v)}`, `policy.${name}`, 'mode');
      return fallback;
    }
    return v;
  };
  const strings = (t: Table, name: string, key: string): string[] | undefined => {
    const v = t[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) {
      fail(`policy.${name}.${key} must be a list of strings`, `policy.${name}`, key);
      return undefined;
    }
    return v as string[];
  };
  const severity = (t: Table, name: string, key: string, fallback: Severity | 'none'): Severity | 'none' => {
    const v = t[key];
    if (v === undefined) return fallback;
    if (v !== 'none' && !SEVERITIES.includes(v as Severity)) {
      fail(`policy.${name}.${key} must be one of none, ${SEVERITIES.join(', ')}, not ${JSON.stringify(v)}`, `policy.${name}`, key);
      return fallback;
    }
    return v as Severity | 'none';
  };
  const projects = (t: Table, name: string, key: string): string[] | undefined =>
    strings(t, name, key)?.map((entry) => {
      const prefix = entry.endsWith('*');
      const stem = prefix ? entry.slice(0, -1).replace(/[-_.]$/, '') : entry;
      if (!isValidName(stem)) fail(`policy.${name}.${key}: ${JSON.stringify(entry)} is neither a project name nor a prefix such as "acme-*"`, `policy.${name}`, key);
      return prefix ? `${normalizeName(stem)}-*` : normalizeName(stem);
    });

  const names = section('names');
  policy.names = { mode: mode(names, 'names', 'enforce'), typosquat: outcome(names, 'names', 'typosquat', policy.names.typosquat), unknown: outcome(names, 'names', 'unknown', policy.names.unknown) };

  const scanner = section('scanner');
  policy.scanner = {
    mode: mode(scanner, 'scanner', 'enforce'),
    malicious: outcome(scanner, 'scanner', 'malicious', policy.scanner.malicious),
    suspicious: outcome(scanner, 'scanner', 'suspicious', policy.scanner.suspicious),
    error: outcome(scanner, 'scanner', 'error', policy.scanner.error),
  };

  const vulns = section('vulnerabilities');
  policy.vulnerabilities = {
    mode: mode(vulns, 'vulnerabilities', 'enforce'),
    blockSeverity: severity(vulns, 'vulnerabilities', 'block_severity', policy.vulnerabilities.blockSeverity),
    warnSeverity: severity(vulns, 'vulnerabilities', 'warn_severity', policy.vulnerabilities.warnSeverity),
    block: strings(vulns, 'vulnerabilities', 'block') ?? [],
    malware: outcome(vulns, 'vulnerabilities', 'malware', policy.vulnerabilities.malware),
  };

  const cooldown = section('cooldown');
  let minimumAgeMs = policy.cooldown.minimumAgeMs;
  if (cooldown.minimum_age !== undefined) {
    const v = cooldown.minimum_age;
    const m = typeof v === 'string' ? DURATION.exec(v.trim()) : null;
    if (typeof v === 'number' && Number.isInteger(v) && v >= 0) minimumAgeMs = v * 1000;
    else if (m) minimumAgeMs = Number(m[1]) * UNIT_MS[m[2]!]!;
    else fail(`policy.cooldown.minimum_age must be a duration such as "7d", "36h" or "0" (seconds as a number), not ${JSON.stringify(v)}`, 'policy.cooldown', 'minimum_age');
  }
  let cutoff: string | null = null;
  if (cooldown.cutoff !== undefined) {
    const v = cooldown.cutoff as unknown;
    const date = v instanceof Date ? v : typeof v === 'string' ? new Date(v) : null;
    if (date === null || Number.isNaN(date.getTime())) fail(`policy.cooldown.cutoff must be a date or date-time (2026-11-01T00:00:00Z), not ${JSON.stringify(v)}`, 'policy.cooldown', 'cutoff');
    else cutoff = date.toISOString();
  }
  policy.cooldown = {
    mode: mode(cooldown, 'cooldown', 'enforce'),
    minimumAgeMs,
    exempt: projects(cooldown, 'cooldown', 'exempt') ?? [],
    cutoff,
    unknownUploadTime: outcome(cooldown, 'cooldown', 'unknown_upload_time', policy.cooldown.unknownUploadTime),
    outcome: outcome(cooldown, 'cooldown', 'outcome', policy.cooldown.outcome),
  };

  const licenses = section('licenses');
  policy.licenses = {
    mode: mode(licenses, 'licenses', 'enforce'),
    allow: strings(licenses, 'licenses', 'allow') ?? [],
    deny: strings(licenses, 'licenses', 'deny') ?? [],
    unknown: outcome(licenses, 'licenses', 'unknown', policy.licenses.unknown),
    outcome: outcome(licenses, 'licenses', 'outcome', policy.licenses.outcome),
  };

  const licenseRule = policy.licenses.allow.length > 0 ? { allow: policy.licenses.allow, deny: policy.licenses.deny } : { deny: policy.licenses.deny };
  for (const problem of checkLicenseRule(licenseRule)) fail(`policy.licenses: ${problem}`, 'policy.licenses');

  const metadata = section('metadata');
  const required = (strings(metadata, 'metadata', 'require') ?? []).map((f) => f.toLowerCase());
  for (const field of required) {
    if (!isCoreMetadataField(field)) fail(`policy.metadata.require: ${JSON.stringify(field)} is not a core metadata field (such as "license-expression", "project-url", "author-email")`, 'policy.metadata', 'require');
  }
  policy.metadata = { mode: mode(metadata, 'metadata', 'enforce'), require: required, outcome: outcome(metadata, 'metadata', 'outcome', policy.metadata.outcome) };

  const lists = section('lists');
  const entries = (key: 'allow' | 'deny'): ListEntry[] =>
    (strings(lists, 'lists', key) ?? []).flatMap((text) => {
      try {
        const requirement = parseRequirement(text);
        if (requirement.url !== null || requirement.marker !== null) throw new Error('a list entry is a name and an optional version specifier, no URL or marker');
        return [{ text, requirement }];
      } catch (err) {
        fail(`policy.lists.${key}: ${JSON.stringify(text)} is not a name with an optional PEP 440 specifier (${(err as Error).message})`, 'policy.lists', key);
        return [];
      }
    });
  policy.lists = { mode: mode(lists, 'lists', 'enforce'), allow: entries('allow'), deny: entries('deny') };

  const waivers = root.waiver;
  if (waivers !== undefined) {
    if (!Array.isArray(waivers)) fail('policy.waiver must be [[policy.waiver]] tables', 'policy', 'waiver');
    else policy.waivers = waivers.flatMap((w, i) => readWaiver(w, i, fail));
  }
  if (problems.length > 0) throw new PolicyError(source, problems);
  return policy;
}

function readWaiver(value: unknown, index: number, fail: (message: string, header: string, key?: string, occurrence?: number) => void): Waiver[] {
  const where = `policy.waiver[${index}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(`${where} must be a table`, 'policy.waiver', undefined, index);
    return [];
  }
  const t = value as Table;
  for (const key of Object.keys(t)) {
    if (!(WAIVER_KEYS as readonly string[]).includes(key)) fail(`unknown key ${where}.${key} (known: ${WAIVER_KEYS.join(', ')})`, 'policy.waiver', key, index);
  }
  const text = (key: string): string | undefined => {
    const v = t[key];
    if (v === undefined) return undefined;
    if (v instanceof Date) return v.toISOString();
    if (typeof v !== 'string' || v.trim() === '') {
      fail(`${where}.${key} must be a non-empty string`, 'policy.waiver', key, index);
      return undefined;
    }
    return v;
  };
  const project = text('project');
  const reason = text('reason');
  const grantedBy = text('granted_by');
  const expires = text('expires');
  let ok = true;
  for (const [key, v] of [['project', project], ['reason', reason], ['granted_by', grantedBy], ['expires', expires]] as const) {
    if (v === undefined) {
      fail(`${where} needs ${key}: every waiver says what it covers, why, who granted it and until when`, 'policy.waiver', undefined, index);
      ok = false;
    }
  }
  if (project !== undefined && !isValidName(project)) {
    fail(`${where}.project ${JSON.stringify(project)} is not a project name`, 'policy.waiver', 'project', index);
    ok = false;
  }
  if (expires !== undefined && Number.isNaN(Date.parse(expires))) {
    fail(`${where}.expires must be a date (2027-01-31) or date-time, not ${JSON.stringify(expires)}`, 'policy.waiver', 'expires', index);
    ok = false;
  }
  const version = text('version');
  if (version !== undefined) {
    try {
      SpecifierSet.parse(/^[0-9]/.test(version) ? `==${version}` : version);
    } catch (err) {
      fail(`${where}.version: ${(err as Error).message}`, 'policy.waiver', 'version', index);
      ok = false;
    }
  }
  if (!ok) return [];
  const waiver: Waiver = { project: normalizeName(project!), reason: reason!, grantedBy: grantedBy!, expires: expires! };
  if (version !== undefined) waiver.version = /^[0-9]/.test(version) ? `==${version}` : version;
  const file = text('file');
  if (file !== undefined) waiver.filename = file;
  const rule = text('rule');
  if (rule !== undefined) waiver.rule = rule;
  return [waiver];
}

/** Where the policy comes from: the file holding the `[policy.*]` tables, and that policy. */
export interface LoadedPolicy {
  path: string | null;
  policy: Policy;
}

/**
 * Reads the policy the gateway config file names: its own `[policy.*]` tables, or those of the file that
 * `[policy] file = "…"` names (relative to the config file). No config file: the defaults.
 */
export function loadPolicy(configPath: string | null): LoadedPolicy {
  if (configPath === null) return { path: null, policy: structuredClone(DEFAULT_POLICY) };
  const { doc } = readToml(configPath);
  const named = (doc.policy as Table | undefined)?.file;
  if (named === undefined) return readPolicyFile(configPath);
  if (typeof named !== 'string') throw new PolicyError(configPath, ['policy.file must be a path']);
  return readPolicyFile(resolve(configPath, '..', named));
}

/** Reads and checks one file's `[policy.*]` tables. */
export function readPolicyFile(path: string): LoadedPolicy {
  const { doc, text } = readToml(path);
  return { path, policy: policyFromToml(doc, text, path) };
}

function readToml(path: string): { doc: Table; text: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PolicyError(path, [`cannot read it: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`]);
  }
  try {
    return { doc: parseToml(text) as Table, text };
  } catch (err) {
    const line = err instanceof TomlError ? ` (line ${err.line}, column ${err.column})` : '';
    throw new PolicyError(path, [`not valid TOML${line}: ${(err as Error).message.split('\n')[0]}`]);
  }
}
