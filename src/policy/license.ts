/**
 * The license rule of the policy: which SPDX license a project is under (from its core metadata) and whether a
 * policy's allow and deny lists accept it. docs/decisions.md ("License rule") gives the reasoning.
 *
 * Where the license comes from, first that applies:
 * 1. `License-Expression` (core metadata 2.4, PEP 639). When present it is the project's statement; an invalid one
 *    leaves the license unknown rather than falling back to older fields that may disagree with it.
 * 2. The `License` field, when it holds an SPDX expression as written (projects declared SPDX there before 2.4).
 * 3. The license classifiers, when each names one license (license-classifiers.ts), joined with AND.
 * 4. The `License` field read as a name: the SPDX title line of a pasted license text, a classifier's name, or a
 *    name that spdx-correct maps without guessing (license-field.ts).
 *
 * An expression offers choices: `MIT OR GPL-3.0-only` lets the user take MIT; `MIT AND GPL-3.0-only` binds them to
 * both; `GPL-2.0-or-later` lets them take GPL-2.0 or GPL-3.0. A project is allowed when some choice uses only
 * licenses the rule accepts (on the allow list, if there is one, and on no deny entry); denied when every choice
 * includes a denied license; not allowed otherwise.
 */
import spdxCorrect from 'spdx-correct';
import { InvalidInputError } from '../errors.js';
import type { CoreMetadata } from '../pep/metadata.js';
import { isLicenseClassifier, readLicenseClassifiers } from './license-classifiers.js';
import {
  entryCovers,
  InvalidLicenseExpressionError,
  isTerm,
  type LicenseTerm,
  type LicenseTree,
  normalizeExpression,
  renderTerm,
  shorten,
  termOf,
  versionsOf,
} from './license-expression.js';
import { readLicenseField } from './license-field.js';

export interface ProjectLicense {
  /** A valid SPDX expression, normalized (ids in their canonical case), or null when none can be derived. */
  expression: string | null;
  /** Where it came from. */
  source: 'license-expression' | 'classifiers' | 'license-field' | 'none';
  /** The raw inputs it was derived from (the License-Expression, the classifiers, the License field), for explanations. */
  evidence: string[];
  /** A raw value that is not a valid SPDX expression (kept for the explanation), when there was one. */
  invalid?: string;
  /** How the inputs were read, where that took a choice (an ambiguous classifier, a corrected License field, …). */
  notes?: string[];
}

export function projectLicense(metadata: Pick<CoreMetadata, 'licenseExpression' | 'license' | 'classifiers'>): ProjectLicense {
  const declared = metadata.licenseExpression?.trim();
  if (declared !== undefined && declared !== '') {
    const evidence = [`License-Expression: ${shorten(declared)}`];
    try {
      return { expression: normalizeExpression(declared).text, source: 'license-expression', evidence };
    } catch (error) {
      if (!(error instanceof InvalidLicenseExpressionError)) throw error;
      return { expression: null, source: 'none', evidence, invalid: shorten(declared), notes: [`the License-Expression is not valid SPDX: ${error.reason}`] };
    }
  }
  const evidence = metadata.classifiers.filter(isLicenseClassifier).map((c) => `Classifier: ${c}`);
  const classifiers = readLicenseClassifiers(metadata.classifiers);
  const notes = [...classifiers.notes];
  const field = readLicenseField(metadata.license);
  if (field.kind !== 'absent') evidence.push(`License: ${field.shown}`);
  // An SPDX expression in the License field, as written, is how projects declared SPDX before License-Expression
  // existed; it can say what classifiers cannot (the version, -or-later, OR or AND).
  if (field.kind === 'expression' && field.via === 'as-written') {
    if (classifiers.kind === 'expression' && classifiers.expression !== field.expression) {
      notes.push(`the License field's SPDX expression was taken over the classifiers' ${classifiers.expression}`);
    }
    return withNotes({ expression: field.expression, source: 'license-field', evidence }, notes);
  }
  if (classifiers.kind === 'expression') {
    const expression = normalizeExpression(classifiers.expression).text;
    return withNotes({ expression, source: 'classifiers', evidence }, notes);
  }
  if (field.kind === 'expression') {
    if (field.note !== undefined) notes.push(field.note);
    return withNotes({ expression: field.expression, source: 'license-field', evidence }, notes);
  }
  if (field.kind === 'absent') {
    notes.push(evidence.length === 0 ? 'the metadata declares no license' : 'there is no License field');
    return withNotes({ expression: null, source: 'none', evidence }, notes);
  }
  notes.push(`the License field is not usable: ${field.reason}`);
  return withNotes({ expression: null, source: 'none', evidence, invalid: field.shown }, notes);
}

const withNotes = (license: ProjectLicense, notes: string[]): ProjectLicense => (notes.length === 0 ? license : { ...license, notes });

/** SPDX licenses from the policy file; each entry names one license (`MIT`, `GPL-2.0-or-later`, `GPL-2.0-only WITH Classpath-exception-2.0`). */
export interface LicenseRule {
  allow?: readonly string[];
  deny?: readonly string[];
}

export class InvalidLicenseRuleError extends InvalidInputError {
  constructor(readonly problems: readonly string[]) {
    super('policy.license-rule-invalid', `the license rule is invalid: ${problems.join('; ')}`);
  }
}

/** Problems in the rule itself, each naming the list, the entry and the fix, for `gatehouse policy check`. */
export function checkLicenseRule(rule: LicenseRule): string[] {
  return parseRule(rule).problems;
}

export type LicenseVerdict =
  | { verdict: 'allowed'; license: ProjectLicense; matched?: string }
  | { verdict: 'denied'; license: ProjectLicense; matched: string; message: string }
  | { verdict: 'not-allowed'; license: ProjectLicense; message: string }
  | { verdict: 'unknown'; license: ProjectLicense; message: string };

/**
 * Judges a project's license by the rule. `matched` lists the entries that decided: for `allowed`, the allow entries
 * of the choice that passes (absent without an allow list); for `denied`, the deny entries that every choice meets.
 */
export function judgeLicense(license: ProjectLicense, rule: LicenseRule): LicenseVerdict {
  const parsed = parseRule(rule);
  if (parsed.problems.length > 0) throw new InvalidLicenseRuleError(parsed.problems);
  if (license.expression === null) {
    const why = license.notes?.join('; ') ?? 'the metadata declares no license';
    return { verdict: 'unknown', license, message: `no SPDX license could be derived: ${why}` };
  }
  const tree = normalizeExpression(license.expression).tree;
  const denials = new Map<string, Set<string>>();
  const outcome = evaluate(tree, parsed, denials);
  const described = describe(license);
  if (outcome.pass !== null) {
    if (parsed.allow === undefined) return { verdict: 'allowed', license };
    const matched = [...new Set(outcome.pass)].join(', ');
    return { verdict: 'allowed', license, matched };
  }
  const denied = [...denials].map(([term, entries]) => `${term} (denied by ${[...entries].join(', ')})`);
  const matchedDeny = [...new Set([...denials.values()].flatMap((entries) => [...entries]))].join(', ');
  const single = isTerm(tree) && versionsOf(termOf(tree)).length === 1;
  if (!outcome.free) {
    const message = single
      ? `${described} is denied by the license policy: ${denied.join('; ')}`
      : `${described} is denied by the license policy: every choice it offers includes a denied license: ${denied.join('; ')}`;
    return { verdict: 'denied', license, matched: matchedDeny, message };
  }
  const allowList = (parsed.allow ?? []).map((entry) => entry.text).join(', ');
  const message = single
    ? `${described} is not on the license allow list (${allowList})`
    : `${described} is not allowed: no choice it offers uses only licenses on the allow list (${allowList})` +
      (denied.length > 0 ? `; denied: ${denied.join('; ')}` : '');
  return { verdict: 'not-allowed', license, message };
}

function describe(license: ProjectLicense): string {
  const from =
    license.source === 'license-expression' ? 'License-Expression' : license.source === 'classifiers' ? 'license classifiers' : 'License field';
  return `license ${license.expression} (from the ${from})`;
}

interface RuleEntry {
  text: string;
  term: LicenseTerm;
}

interface ParsedRule {
  allow?: RuleEntry[];
  deny: RuleEntry[];
  problems: string[];
}

// A rule comes from the policy file and is judged against every file: parse it once (rules are not changed in place).
const parsedRules = new WeakMap<LicenseRule, ParsedRule>();

function parseRule(rule: LicenseRule): ParsedRule {
  const cached = parsedRules.get(rule);
  if (cached !== undefined) return cached;
  const problems: string[] = [];
  const parseList = (key: 'allow' | 'deny', list: readonly string[]): RuleEntry[] =>
    list.flatMap((raw, i) => {
      const at = `${key}[${i}] "${raw}"`;
      try {
        const { text, tree } = normalizeExpression(raw);
        if (isTerm(tree)) return [{ text, term: termOf(tree) }];
        problems.push(`${at}: an entry names one license; list each license of "${text}" as its own entry`);
      } catch (error) {
        if (!(error instanceof InvalidLicenseExpressionError)) throw error;
        problems.push(`${at}: ${error.reason}${error.problem === 'unknown-license' ? suggestion(raw) : ''}`);
      }
      return [];
    });
  const allow = rule.allow === undefined ? undefined : parseList('allow', rule.allow);
  const deny = parseList('deny', rule.deny ?? []);
  if (rule.allow !== undefined && rule.allow.length === 0) {
    problems.push('allow is empty, so every project would be refused; leave it out to accept any license that is not denied');
  }
  for (const entry of deny) {
    if (allow?.some((a) => a.text === entry.text)) problems.push(`"${entry.text}" is on both the allow and the deny list`);
  }
  const parsed: ParsedRule = allow === undefined ? { deny, problems } : { allow, deny, problems };
  parsedRules.set(rule, parsed);
  return parsed;
}

function suggestion(raw: string): string {
  const corrected = spdxCorrect(raw);
  return corrected === null ? '' : ` (did you mean "${corrected}"?)`;
}

interface Outcome {
  /** The allow entries that accept each license of a choice the rule accepts, or null when no choice passes. */
  pass: string[] | null;
  /** Whether some choice avoids every denied license. */
  free: boolean;
}

/** Walks the expression once: OR takes either side, AND needs both; a `-or-later` term is an OR of its versions. */
function evaluate(tree: LicenseTree, rule: ParsedRule, denials: Map<string, Set<string>>): Outcome {
  if (!isTerm(tree)) {
    const left = evaluate(tree.left, rule, denials);
    const right = evaluate(tree.right, rule, denials);
    if (tree.conjunction === 'or') return { pass: left.pass ?? right.pass, free: left.free || right.free };
    return { pass: left.pass !== null && right.pass !== null ? [...left.pass, ...right.pass] : null, free: left.free && right.free };
  }
  let pass: string[] | null = null;
  let free = false;
  for (const version of versionsOf(termOf(tree))) {
    const term = renderTerm(version);
    const denying = rule.deny.filter((entry) => entryCovers(entry.term, version));
    if (denying.length > 0) {
      const known = denials.get(term) ?? new Set<string>();
      for (const entry of denying) known.add(entry.text);
      denials.set(term, known);
      continue;
    }
    free = true;
    const allowing = rule.allow === undefined ? undefined : rule.allow.find((entry) => entryCovers(entry.term, version));
    if (pass === null && (rule.allow === undefined || allowing !== undefined)) pass = allowing === undefined ? [] : [allowing.text];
  }
  return { pass, free };
}
