/**
 * Version specifiers and specifier sets, PEP 440 ("Version specifiers"), with the semantics of
 * `packaging.specifiers` 26.2, including its pre-release rules:
 * - `contains(v)` matches a pre-release whenever the clauses do (as packaging's "there are no other versions");
 *   `{ prereleases: false }` refuses pre-releases, `{ prereleases: true }` accepts them.
 * - `filter(vs)` keeps the pre-releases only when no final release matches, unless a clause names a
 *   pre-release (`>=1.0a1`) or `prereleases` is given.
 */
import { InvalidSpecifierError } from './errors.js';
import { PYTHON_WHITESPACE, Version, stripPythonWhitespace } from './version.js';

export type Operator = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';

export interface PrereleaseOptions {
  prereleases?: boolean;
}

const WS = `[${PYTHON_WHITESPACE}]`;
const PRE = '(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?';
const POST = '(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?';
const DEV = '(?:[-_.]?dev[-_.]?[0-9]*)?';
const LOCAL = '(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?';
const EPOCH_RELEASE = '(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*';

/**
 * packaging's `Specifier._specifier_regex_str`: what each operator admits. Local labels and `.*` only after
 * `==`/`!=`; `~=` needs two release numbers; `===` takes anything up to whitespace, `;` or `)`.
 * Also used by the PEP 508 tokenizer.
 */
export const SPECIFIER_PATTERN =
  `(?:===${WS}*[^${PYTHON_WHITESPACE};)]*` +
  `|(?:==|!=)${WS}*v?${EPOCH_RELEASE}(?:\\.\\*|${PRE}${POST}${DEV}${LOCAL})?` +
  `|~=${WS}*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)+${PRE}${POST}${DEV}` +
  `|(?:<=|>=|<|>)${WS}*v?${EPOCH_RELEASE}${PRE}${POST}${DEV})`;

/** packaging matches `\s*SPECIFIER\s*`; a clause neither starts nor ends with whitespace once stripped. */
const SPECIFIER_REGEX = new RegExp(`^${SPECIFIER_PATTERN}$`, 'i');
const strip = stripPythonWhitespace;

/**
 * packaging's `_version_split`: epoch, then the dot-separated items, with `2rc1` split into `2`, `rc1`. Wildcard
 * and `~=` matching compare these lists, so odd spellings in a `~=` clause behave exactly as in packaging.
 */
function versionSplit(text: string): string[] {
  const bang = text.lastIndexOf('!');
  const result = [bang === -1 || bang === 0 ? '0' : text.slice(0, bang)];
  for (const item of text.slice(bang + 1).split('.')) {
    const m = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/.exec(item);
    if (m !== null) result.push(m[1] as string, m[2] as string);
    else result.push(item);
  }
  return result;
}

const isDigits = (s: string): boolean => /^[0-9]+$/.test(s);

function numericPrefixLength(split: readonly string[]): number {
  let n = 0;
  while (n < split.length && isDigits(split[n] as string)) n++;
  return n;
}

/** A `.*` prefix, prepared once: `==1.2.*` matches every version whose padded release starts with 1.2. */
class Prefix {
  private readonly split: readonly string[];
  private readonly numericLength: number;
  /** When the prefix is epoch + release only (always, except some `~=` spellings), compare numbers directly. */
  private readonly numeric: boolean;

  constructor(text: string) {
    this.split = versionSplit(Version.tryParse(text)?.toString() ?? text);
    this.numericLength = numericPrefixLength(this.split);
    this.numeric = this.numericLength === this.split.length;
  }

  matches(v: Version): boolean {
    if (this.numeric) {
      // Same result as the general case below, without building lists: epoch equal, release zero-padded.
      if (v.epochDigits !== this.split[0]) return false;
      const release = v.releaseDigits;
      for (let i = 1; i < this.split.length; i++) if ((release[i - 1] ?? '0') !== this.split[i]) return false;
      return true;
    }
    const split = versionSplit(v.public);
    const n = numericPrefixLength(split);
    const padded = n >= this.numericLength ? split : [...split.slice(0, n), ...zeros(this.numericLength - n), ...split.slice(n)];
    if (padded.length < this.split.length) return false;
    for (let i = 0; i < this.split.length; i++) if (padded[i] !== this.split[i]) return false;
    return true;
  }
}

const zeros = (n: number): string[] => Array.from({ length: n }, () => '0');

/** packaging's `_is_not_suffix`: what `~=` keeps of its version before dropping the last item. */
const isSuffix = (item: string): boolean => ['dev', 'a', 'b', 'rc', 'post'].some((p) => item.startsWith(p));

export class Specifier {
  readonly operator: Operator;
  /** The version text as written (whitespace stripped); may end in `.*`, or be anything after `===`. */
  readonly version: string;
  /** The parsed version; null for `===` with a non-version and for wildcards. */
  private readonly parsed: Version | null;
  private readonly prefix: Prefix | null;
  /** `<V` (V final): the earliest pre-release of V, which `<V` must not reach. */
  private readonly earliestPrerelease: Version | null;

  private constructor(operator: Operator, version: string, parsed?: Version | null) {
    this.operator = operator;
    this.version = version;
    const wildcard = version.endsWith('.*') && operator !== '===';
    this.parsed = wildcard ? null : parsed !== undefined ? parsed : Version.tryParse(version);
    if (wildcard) {
      this.prefix = new Prefix(version.slice(0, -2));
    } else if (operator === '~=') {
      // PEP 440: ~=V.N is >=V.N together with ==V.*; packaging derives V from the text, dropping suffixes.
      const split = versionSplit(version);
      let kept = 0;
      while (kept < split.length && !isSuffix(split[kept] as string)) kept++;
      const [epoch, ...release] = split.slice(0, kept - 1);
      this.prefix = new Prefix(`${epoch}!${release.join('.')}`);
    } else {
      this.prefix = null;
    }
    const p = this.parsed;
    this.earliestPrerelease = operator === '<' && p !== null && !p.isPrerelease ? p.with({ dev: 0n, local: null }) : null;
  }

  /** @internal For SpecifierSet.exactPin, which has checked what `parse` would check and parsed the version. */
  static exact(operator: '==' | '===', version: string, parsed: Version | null): Specifier {
    return new Specifier(operator, version, parsed);
  }

  /** Parses one clause (`>=1.0`, `== 1.2.*`, `~=2.2`, `===foo`); throws InvalidSpecifierError. */
  static parse(text: string): Specifier {
    const clause = strip(text);
    if (!SPECIFIER_REGEX.test(clause)) throw new InvalidSpecifierError(text, explainInvalid(text));
    const operator = (
      clause.startsWith('===') ? '===' : /^(?:~=|==|!=|<=|>=)/.test(clause) ? clause.slice(0, 2) : clause.slice(0, 1)
    ) as Operator;
    const version = strip(clause.slice(operator.length));
    const specifier = new Specifier(operator, version);
    if (specifier.parsed === null && specifier.prefix === null && operator !== '===') {
      throw new InvalidSpecifierError(text, 'its version has an integer that is too long');
    }
    return specifier;
  }

  /**
   * packaging's `Specifier.prereleases` when not forced: whether the clause itself names a pre-release
   * (`!=` and `==X.*` never do; `===` does only if its text is a pre-release version).
   */
  get namesPrerelease(): boolean | null {
    if (this.operator === '!=' || (this.operator === '==' && this.prefix !== null)) return false;
    if (this.parsed === null) return null;
    return this.parsed.isPrerelease;
  }

  /** Whether `v` satisfies this clause, with packaging's pre-release rule (see the module comment). */
  contains(v: Version | string, options?: PrereleaseOptions): boolean {
    const parsed = typeof v === 'string' ? Version.tryParse(v) : v;
    if (!this.matches(v, parsed)) return false;
    return !(options?.prereleases === false && parsed !== null && parsed.isPrerelease);
  }

  /** The clause alone, pre-releases not considered. `item` is the original (its text matters to `===`). */
  matches(item: Version | string, v: Version | null): boolean {
    if (this.operator === '===') return String(item).toLowerCase() === this.version.toLowerCase();
    if (v === null) return false;
    const spec = this.parsed;
    switch (this.operator) {
      case '==':
        return this.prefix !== null ? this.prefix.matches(v) : this.equal(v, spec as Version);
      case '!=':
        return this.prefix !== null ? !this.prefix.matches(v) : !this.equal(v, spec as Version);
      case '<=':
        return v.publicSortKey <= (spec as Version).sortKey;
      case '>=':
        return v.publicSortKey >= (spec as Version).sortKey;
      case '~=':
        return v.publicSortKey >= (spec as Version).sortKey && (this.prefix as Prefix).matches(v);
      case '<':
        return this.lessThan(v, spec as Version);
      case '>':
        return this.greaterThan(v, spec as Version);
    }
  }

  /** `==V` ignores the candidate's local label unless V has one. */
  private equal(v: Version, spec: Version): boolean {
    return spec.local === null ? v.publicSortKey === spec.sortKey : v.sortKey === spec.sortKey;
  }

  /** PEP 440: `<V` excludes the pre-releases of V unless V is itself a pre-release. */
  private lessThan(v: Version, spec: Version): boolean {
    if (!(v.sortKey < spec.sortKey)) return false;
    const earliest = this.earliestPrerelease;
    return !(earliest !== null && v.isPrerelease && v.sortKey >= earliest.sortKey);
  }

  /** PEP 440: `>V` excludes the post-releases of V unless V is one, and the local versions of V. */
  private greaterThan(v: Version, spec: Version): boolean {
    if (!(v.sortKey > spec.sortKey)) return false;
    if (!spec.isPostrelease && v.isPostrelease && v.with({ post: null, dev: null, local: null }).sortKey === spec.sortKey) {
      return false;
    }
    return !(v.local !== null && v.publicSortKey === spec.sortKey);
  }

  toString(): string {
    return this.operator + this.version;
  }

  /** packaging's `_canonical_spec`: equal clauses (`>=1.0` and `>=1.0.0`) have equal identities. */
  get identity(): string {
    const wildcard = this.prefix !== null && this.operator !== '~=';
    if (this.operator === '===' || wildcard || this.parsed === null) {
      return this.toString();
    }
    return this.operator + canonicalVersion(this.parsed, this.operator !== '~=');
  }
}

/** packaging's `canonicalize_version`: the normal form, optionally without trailing `.0`s (keeping one number). */
function canonicalVersion(v: Version, stripTrailingZeros: boolean): string {
  if (!stripTrailingZeros) return v.toString();
  const release = v.releaseDigits;
  let end = release.length;
  while (end > 1 && release[end - 1] === '0') end--;
  return end === release.length ? v.toString() : v.with({ release: release.slice(0, end) }).toString();
}

export class SpecifierSet {
  readonly specifiers: readonly Specifier[];
  /** packaging checks for `===` in the raw text: then string candidates are compared as written. */
  private readonly hasArbitrary: boolean;
  /** True when a clause names a pre-release: pre-releases are then never held back. */
  private readonly namesPrerelease: boolean;

  private constructor(specifiers: readonly Specifier[], hasArbitrary: boolean) {
    this.specifiers = specifiers;
    this.hasArbitrary = hasArbitrary;
    this.namesPrerelease = specifiers.some((s) => s.namesPrerelease === true);
  }

  /**
   * `==V` or `===V` for a V with no whitespace, `;`, `)`, `,` or `*`: the same set as `parse(operator + V)`, without
   * the specifier grammar's pattern (large, and costly to compile in a short-lived process). Null when that
   * would not parse, so the caller can take the grammar for its error.
   */
  static exactPin(operator: '==' | '===', version: string): SpecifierSet | null {
    if (version === '' || /[\s;),*]/.test(version)) return null;
    // For `==` the grammar's version pattern is PEP 440's (a `.*` wildcard aside, excluded above).
    const parsed = Version.tryParse(version);
    if (operator === '==' && parsed === null) return null;
    return new SpecifierSet([Specifier.exact(operator, version, parsed)], operator === '===');
  }

  /** Parses comma-separated clauses; "" is the empty set, which matches everything. */
  static parse(text: string): SpecifierSet {
    const clauses = text
      .split(',')
      .map(strip)
      .filter((c) => c !== '');
    return new SpecifierSet(
      clauses.map((c) => Specifier.parse(c)),
      text.includes('==='),
    );
  }

  /** Whether `v` satisfies every clause; pre-releases as in the module comment. */
  contains(v: Version | string, options?: PrereleaseOptions): boolean {
    const parsed = typeof v === 'string' ? Version.tryParse(v) : v;
    const item = parsed === null || (this.hasArbitrary && typeof v === 'string') ? v : parsed;
    if (!this.matchesAll(item, parsed)) return false;
    return !(options?.prereleases === false && parsed !== null && parsed.isPrerelease);
  }

  /**
   * The versions that satisfy every clause, in their order. Pre-releases: kept if `prereleases` is true or a
   * clause names one; dropped if false; otherwise kept only when no final release matches (PEP 440).
   */
  filter<T extends Version | string>(versions: Iterable<T>, options?: PrereleaseOptions): T[] {
    const prereleases = options?.prereleases ?? (this.namesPrerelease ? true : undefined);
    const matched: Array<{ item: T; parsed: Version | null }> = [];
    for (const item of versions) {
      const parsed = typeof item === 'string' ? Version.tryParse(item) : (item as Version);
      if (!this.matchesAll(item, parsed)) continue;
      if (prereleases === false && parsed !== null && parsed.isPrerelease) continue;
      matched.push({ item, parsed });
    }
    if (prereleases !== undefined || !matched.some((m) => m.parsed !== null && !m.parsed.isPrerelease)) {
      return matched.map((m) => m.item);
    }
    return matched.filter((m) => m.parsed === null || !m.parsed.isPrerelease).map((m) => m.item);
  }

  private matchesAll(item: Version | string, parsed: Version | null): boolean {
    for (const s of this.specifiers) if (!s.matches(item, parsed)) return false;
    return true;
  }

  /** The clauses sorted and de-duplicated, as packaging's `str(SpecifierSet)`. */
  toString(): string {
    if (this.specifiers.length <= 1) return this.specifiers.map(String).join(',');
    const sorted = [...this.specifiers].sort((a, b) => compareCodePoints(a.toString(), b.toString()));
    const seen = new Set<string>();
    const kept: string[] = [];
    for (const s of sorted) {
      if (seen.has(s.identity)) continue;
      seen.add(s.identity);
      kept.push(s.toString());
    }
    return kept.join(',');
  }
}

/** Python's string order (by code point), which differs from `<` on UTF-16 units above the BMP. */
function compareCodePoints(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = (x[i] as string).codePointAt(0)! - (y[i] as string).codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

function explainInvalid(text: string): string {
  const clause = strip(text);
  if (clause === '') return 'empty specifier';
  if (!/^(?:===|~=|==|!=|<=|>=|<|>)/.test(clause)) return 'must start with an operator: ~= == != <= >= < > ===';
  if (clause.endsWith('.*') && !/^(?:==|!=)/.test(clause)) return '".*" is only allowed after == and !=';
  if (clause.includes('+') && !/^(?:==|!=|===)/.test(clause)) return 'a local version label is only allowed after == and !=';
  if (clause.startsWith('~=') && !/^~=[^.]*[0-9]\.[0-9]/.test(clause)) return '~= needs at least two release numbers';
  return 'the version after the operator is not a PEP 440 version';
}
