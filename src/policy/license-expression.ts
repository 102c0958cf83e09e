/**
 * SPDX license expressions (SPDX specification, annex D), as PEP 639 uses them in core metadata 2.4
 * (`License-Expression`): normalizing one, and deciding which choices it offers against a list of licenses.
 *
 * Parsing is spdx-expression-parse's and comparing two licenses (versions, `-only`, `-or-later`, `+`, `WITH`) is
 * spdx-satisfies'; the version ranges are spdx-ranges' (the data spdx-satisfies itself uses).
 */
import { createRequire } from 'node:module';
import spdxParse from 'spdx-expression-parse';
import spdxSatisfies from 'spdx-satisfies';
import { InvalidInputError } from '../errors.js';

// The SPDX lists are JSON packages; require() loads them from node_modules in the sources and in the esbuild bundle
// alike (esbuild drops the `with { type: 'json' }` of an external import, which Node then refuses).
const require = createRequire(import.meta.url);
const licenseIds = require('spdx-license-ids') as string[];
const deprecatedIds = require('spdx-license-ids/deprecated.json') as string[];
const exceptionIds = require('spdx-exceptions') as string[];
const versionRanges = require('spdx-ranges') as (string | string[])[][];

export class InvalidLicenseExpressionError extends InvalidInputError {
  constructor(
    readonly expression: string,
    readonly reason: string,
    /** What is wrong: an unknown license id can often be corrected, the rest cannot. */
    readonly problem: 'empty' | 'too-long' | 'unknown-license' | 'unknown-exception' | 'syntax',
  ) {
    super('license.invalid-expression', `"${shorten(expression)}" is not a valid SPDX license expression: ${reason}`);
  }
}

/**
 * Far longer than any real expression (the longest License-Expression among the /opt/pypi wheels has 60 characters).
 * spdx-expression-parse takes time quadratic in the length, so metadata could otherwise stall a worker for minutes.
 */
export const MAX_EXPRESSION_LENGTH = 1000;

/** A value cut to a length that an explanation can carry. */
export const shorten = (text: string, length = 200): string => (text.length > length ? `${text.slice(0, length)}…` : text);

/** One license of an expression: an SPDX id or a `LicenseRef-`, with `+` (or `-or-later`) and an exception. */
export interface LicenseTerm {
  license: string;
  plus: boolean;
  exception?: string;
}

/** An expression as spdx-expression-parse reads it: a license, or two joined by AND or OR. */
export type LicenseTree = spdxParse.Info;

export interface NormalizedExpression {
  /** Ids, exceptions and operators in their canonical case, one space between tokens, the author's parentheses kept. */
  text: string;
  tree: LicenseTree;
}

const byLowerCase = (ids: readonly string[]): ReadonlyMap<string, string> => new Map(ids.map((id) => [id.toLowerCase(), id]));
const LICENSES = byLowerCase([...licenseIds, ...deprecatedIds]);
const EXCEPTIONS = byLowerCase(exceptionIds);
/** Whether `id` is an SPDX license id, in its canonical case. */
export const isLicenseId = (id: string): boolean => LICENSES.get(id.toLowerCase()) === id;
const OPERATORS = new Set(['and', 'or', 'with']);
// packaging allows an empty LicenseRef, the SPDX grammar (and spdx-expression-parse) does not.
const LICENSE_REF = /^licenseref-[a-z0-9.-]*$/i;

/**
 * Normalizes an SPDX expression the way `packaging.licenses.canonicalize_license_expression` does (PyPI validates
 * License-Expression with it): SPDX ids, exceptions and operators are case-insensitive and come out in their
 * canonical case; LicenseRefs that differ only in case take one spelling (packaging's: the last); `DocumentRef-` is
 * not allowed in core metadata. The syntax (parentheses, operators, `+`, `WITH`) is then checked by
 * spdx-expression-parse, which also refuses what the SPDX grammar does not allow and packaging lets through
 * (`LicenseRef-` with nothing after it, `LicenseRef-X+`).
 */
export function normalizeExpression(raw: string): NormalizedExpression {
  if (raw.length > MAX_EXPRESSION_LENGTH) {
    throw new InvalidLicenseExpressionError(raw, `it is longer than ${MAX_EXPRESSION_LENGTH} characters`, 'too-long');
  }
  const tokens = raw.replace(/[()]/g, ' $& ').trim().split(/\s+/).filter((t) => t !== '');
  if (tokens.length === 0) throw new InvalidLicenseExpressionError(raw, 'it is empty', 'empty');
  const refs = new Map<string, string>();
  for (const token of tokens) {
    const name = token.replace(/\+$/, '');
    if (LICENSE_REF.test(name)) refs.set(name.toLowerCase(), `LicenseRef-${name.slice('licenseref-'.length)}`);
  }
  const out: string[] = [];
  for (const token of tokens) {
    const lower = token.toLowerCase();
    if (token === '(' || token === ')') out.push(token);
    else if (OPERATORS.has(lower)) out.push(token.toUpperCase());
    else if (out[out.length - 1] === 'WITH') {
      const exception = EXCEPTIONS.get(lower);
      if (exception === undefined) throw new InvalidLicenseExpressionError(raw, `unknown license exception "${token}"`, 'unknown-exception');
      out.push(exception);
    } else {
      const plus = token.endsWith('+') ? '+' : '';
      const name = plus === '' ? lower : lower.slice(0, -1);
      const id = refs.get(name) ?? LICENSES.get(name);
      if (id === undefined) throw new InvalidLicenseExpressionError(raw, `unknown license "${token}"`, 'unknown-license');
      out.push(id + plus);
    }
  }
  const text = out.join(' ').replace(/\( /g, '(').replace(/ \)/g, ')');
  let tree: LicenseTree;
  try {
    tree = spdxParse(text);
  } catch {
    throw new InvalidLicenseExpressionError(raw, 'its operators or parentheses do not form an expression', 'syntax');
  }
  return { text, tree };
}

export const isTerm = (tree: LicenseTree): tree is spdxParse.LicenseInfo => 'license' in tree;

export const termOf = (leaf: spdxParse.LicenseInfo): LicenseTerm =>
  leaf.exception === undefined
    ? { license: leaf.license, plus: leaf.plus === true }
    : { license: leaf.license, plus: leaf.plus === true, exception: leaf.exception };

export const renderTerm = (term: LicenseTerm): string =>
  `${term.license}${term.plus ? '+' : ''}${term.exception === undefined ? '' : ` WITH ${term.exception}`}`;

/** The license ids an expression names, in order, without `+` or exceptions. */
export function licensesOf(tree: LicenseTree): string[] {
  return isTerm(tree) ? [tree.license] : [...licensesOf(tree.left), ...licensesOf(tree.right)];
}

/**
 * Each version a term may be used under. `GPL-2.0-or-later` (or `GPL-2.0+`) lets the user choose GPL-2.0 or any
 * later version: here, every later version that exists in spdx-ranges. A term without `+` or `-or-later` is itself.
 */
export function versionsOf(term: LicenseTerm): LicenseTerm[] {
  const orLater = term.license.endsWith('-or-later');
  if (!term.plus && !orLater) return [term];
  const base = orLater ? term.license.slice(0, -'-or-later'.length) : term.license;
  const versions: string[] = [];
  for (const range of versionRanges) {
    const start = range.findIndex((step) => (Array.isArray(step) ? step : [step]).some((id) => id === base || id === `${base}-only`));
    if (start < 0) continue;
    for (const step of range.slice(start)) {
      const id = versionName(Array.isArray(step) ? step : [step]);
      if (!versions.includes(id)) versions.push(id);
    }
  }
  if (versions.length === 0) versions.push(LICENSES.has(`${base}-only`.toLowerCase()) ? `${base}-only` : base);
  return versions.map((license) => (term.exception === undefined ? { license, plus: false } : { license, plus: false, exception: term.exception }));
}

/** The spdx-ranges ranges each spelling appears in. */
const RANGES_OF: ReadonlyMap<string, readonly number[]> = (() => {
  const map = new Map<string, number[]>();
  versionRanges.forEach((range, i) => {
    for (const id of range.flat()) map.set(id, [...(map.get(id) ?? []), i]);
  });
  return map;
})();

/** spdx-satisfies compares `GPL-2.0-only` and `GPL-2.0-or-later` as GPL-2.0. */
const comparedAs = (license: string): string => license.replace(/-(?:only|or-later)$/, '');

/**
 * Whether spdx-satisfies could find two licenses compatible at all: the same license, or two in one version range.
 * A cheap test first, since spdx-satisfies parses both sides on each call.
 */
function sameFamily(a: string, b: string): boolean {
  const left = comparedAs(a);
  const right = comparedAs(b);
  if (left === right) return true;
  const ranges = RANGES_OF.get(right) ?? [];
  return (RANGES_OF.get(left) ?? []).some((i) => ranges.includes(i));
}

/** The name of one version from a step of spdx-ranges (which lists equivalent spellings together): the `-only` one. */
function versionName(spellings: readonly string[]): string {
  const single = spellings.filter((id) => !id.endsWith('-or-later'));
  return single.find((id) => id.endsWith('-only')) ?? single[0] ?? spellings[0] ?? '';
}

/**
 * Whether `entry` (a policy list entry, one license) covers `term` (one version, see `versionsOf`), as
 * spdx-satisfies compares them: `GPL-2.0-or-later` covers GPL-3.0-only, `GPL-2.0-only` equals `GPL-2.0`. An entry
 * without an exception also covers the license with any exception: an SPDX exception only adds permissions, so it
 * does not make a license another one for a policy.
 */
export function entryCovers(entry: LicenseTerm, term: LicenseTerm): boolean {
  if (!sameFamily(entry.license, term.license)) return false;
  const approved = [renderTerm(entry)];
  if (spdxSatisfies(renderTerm(term), approved)) return true;
  return entry.exception === undefined && term.exception !== undefined && spdxSatisfies(renderTerm({ license: term.license, plus: term.plus }), approved);
}
