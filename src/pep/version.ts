/**
 * Versions, PEP 440 ("Version Identification and Dependency Specification"), with the semantics of
 * `packaging.version` 26.2: the same accepted spellings, the same normalized form, the same order.
 *
 * Every integer (epoch, release, pre/post/dev numbers, numeric local parts) is kept exactly, however large: the
 * order is decided by a precomputed sort key (a string whose code-unit order is the PEP 440 order), so comparing
 * two parsed versions is one string comparison.
 */
import { InvalidVersionError } from './errors.js';

export type PreReleaseLetter = 'a' | 'b' | 'rc';

/** Python's `str.isspace()` set, which `\s` means in packaging's (Unicode) regular expressions. */
export const PYTHON_WHITESPACE = '\\t-\\r\\x1c- \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** PEP 440 appendix B's pattern (packaging's `VERSION_PATTERN`), unanchored, to be compiled with the `i` flag. */
export const VERSION_PATTERN =
  'v?' +
  '(?:([0-9]+)!)?' + // epoch
  '([0-9]+(?:\\.[0-9]+)*)' + // release
  '(?:[._-]?(alpha|a|beta|b|preview|pre|c|rc)[._-]?([0-9]+)?)?' + // pre-release
  '(?:-([0-9]+)|[._-]?(post|rev|r)[._-]?([0-9]+)?)?' + // post-release, or the implicit `1.0-1`
  '(?:[._-]?(dev)[._-]?([0-9]+)?)?' + // development release
  '(?:\\+([a-z0-9]+(?:[._-][a-z0-9]+)*))?'; // local version label

const VERSION_REGEX = new RegExp(`^${VERSION_PATTERN}$`, 'i');
const WHITESPACE_CHAR = new RegExp(`[${PYTHON_WHITESPACE}]`);

function isPythonWhitespace(code: number): boolean {
  if (code <= 0x20) return code >= 0x1c || (code >= 0x09 && code <= 0x0d);
  return code >= 0x85 && WHITESPACE_CHAR.test(String.fromCharCode(code));
}

/**
 * Python's `str.strip()`. A loop rather than `/^\s+|\s+$/`: that regex is quadratic on long inner runs of
 * whitespace, and these strings come from uploads and requests.
 */
export function stripPythonWhitespace(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPythonWhitespace(text.charCodeAt(start))) start++;
  while (end > start && isPythonWhitespace(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

const SIMPLE_VERSION = /^[0-9]+(?:\.[0-9]+)*$/;
const SIMPLE_DIGITS = /^[0-9]+$/;

/**
 * CPython refuses to convert decimal strings longer than this to `int` (`sys.get_int_max_str_digits()`), so
 * packaging rejects such versions; so do we, which also bounds the work one version can cause.
 */
export const MAX_INTEGER_DIGITS = 4300;

const PRE_SPELLINGS: Readonly<Record<string, PreReleaseLetter>> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  rc: 'rc',
  pre: 'rc',
  preview: 'rc',
};

/** Decimal digits without leading zeros ("007" -> "7", "000" -> "0"). */
function canonicalDigits(digits: string): string {
  if (digits.length > MAX_INTEGER_DIGITS) throw new RangeError(`integer with more than ${MAX_INTEGER_DIGITS} digits`);
  if (digits.length === 1 || digits.charCodeAt(0) !== 48) return digits;
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 48) i++;
  return digits.slice(i);
}

// Sort-key encoding. Each part is prefix-free and order-preserving, so comparing the concatenation compares the
// parts in turn, like packaging's `_cmpkey` tuple. All code units stay below 0x100 (one-byte strings in V8).
//   integer: its length (one char for up to 200 digits, else 0xF0 + two chars), then its digits
//   release: its integers with trailing zeros dropped (1.0.0 == 1), then END_OF_RELEASE
//   suffix:  pre rank, pre number, post rank, post number, dev rank, dev number (see preRank)
//   local:   per part, LOCAL_STRING + text + '\0' or LOCAL_NUMBER + integer (strings sort before numbers)
const END_OF_RELEASE = '\x01';
const LOCAL_STRING = '\x02';
const LOCAL_NUMBER = '\x03';
const ZERO = encodeInteger('0');
/** The suffix of a final release: no pre-release (rank above rc), no post-release, no development release. */
const FINAL_SUFFIX = '\x06' + ZERO + '\x02' + ZERO + '\x03' + ZERO;

function encodeInteger(digits: string): string {
  const n = digits.length;
  if (n <= 200) return String.fromCharCode(0x20 + n) + digits;
  return '\xf0' + String.fromCharCode(n >> 8) + String.fromCharCode(n & 0xff) + digits;
}

/** packaging's ranks: a dev release of a final (1.0.dev1) sorts before its alphas; a final sorts after its rcs. */
function preRank(pre: PreReleaseLetter | null, hasPost: boolean, hasDev: boolean): string {
  if (pre === null) return hasDev && !hasPost ? '\x02' : '\x06';
  return pre === 'a' ? '\x03' : pre === 'b' ? '\x04' : '\x05';
}

interface Parts {
  epoch: string;
  release: readonly string[];
  pre: readonly [PreReleaseLetter, string] | null;
  post: string | null;
  dev: string | null;
  local: string | null;
}

/** Appends the public part of the sort key (epoch, release, suffix) to `out`. */
function pushPublicKey(p: Parts, out: string[]): void {
  out.push(encodeInteger(p.epoch));
  let end = p.release.length;
  while (end > 0 && p.release[end - 1] === '0') end--;
  for (let i = 0; i < end; i++) out.push(encodeInteger(p.release[i] as string));
  out.push(END_OF_RELEASE);
  if (p.pre === null && p.post === null && p.dev === null) {
    out.push(FINAL_SUFFIX);
    return;
  }
  out.push(
    preRank(p.pre === null ? null : p.pre[0], p.post !== null, p.dev !== null),
    p.pre === null ? ZERO : encodeInteger(p.pre[1]),
    p.post === null ? '\x02' + ZERO : '\x03' + encodeInteger(p.post),
    p.dev === null ? '\x03' + ZERO : '\x02' + encodeInteger(p.dev),
  );
}

function pushLocalKey(local: string, out: string[]): void {
  for (const part of local.split('.')) {
    out.push(SIMPLE_DIGITS.test(part) ? LOCAL_NUMBER + encodeInteger(part) : LOCAL_STRING + part + '\0');
  }
}

function render(p: Parts): string {
  let text = p.epoch === '0' ? p.release.join('.') : `${p.epoch}!${p.release.join('.')}`;
  if (p.pre !== null) text += p.pre[0] + p.pre[1];
  if (p.post !== null) text += '.post' + p.post;
  if (p.dev !== null) text += '.dev' + p.dev;
  if (p.local !== null) text += '+' + p.local;
  return text;
}

/** "1.02.0" -> ["1", "2", "0"]. */
function releaseDigits(text: string): string[] {
  const release = text.split('.');
  for (let i = 0; i < release.length; i++) release[i] = canonicalDigits(release[i] as string);
  return release;
}

/** Lowercases the local label, joins its parts with '.', and writes numeric parts without leading zeros. */
function normalizeLocal(local: string): string {
  return local
    .toLowerCase()
    .split(/[._-]/)
    .map((part) => (SIMPLE_DIGITS.test(part) ? canonicalDigits(part) : part))
    .join('.');
}

export class Version {
  private readonly parts: Parts;
  /** The normal form, rendered on first use (matching and sorting never need it). */
  private textCache: string | undefined;
  private publicKeyCache: string | undefined;
  private keyCache: string | undefined;
  private releaseCache: readonly bigint[] | undefined;

  private constructor(parts: Parts) {
    this.parts = parts;
  }

  /** Parses a PEP 440 version, accepting every spelling packaging accepts; throws InvalidVersionError. */
  static parse(text: string): Version {
    const version = Version.tryParse(text);
    if (version === null) throw new InvalidVersionError(text, explainInvalid(text));
    return version;
  }

  static tryParse(text: string): Version | null {
    try {
      return Version.fromText(text);
    } catch (error) {
      if (error instanceof RangeError) return null;
      throw error;
    }
  }

  /** The epoch (`2!1.0` -> 2). Exact up to Number.MAX_SAFE_INTEGER; order and text stay exact beyond it. */
  get epoch(): number {
    return Number(this.parts.epoch);
  }

  /** The epoch as decimal digits without leading zeros: exact at any size. */
  get epochDigits(): string {
    return this.parts.epoch;
  }

  /** The release numbers as decimal digits without leading zeros: exact at any size, cheaper than `release`. */
  get releaseDigits(): readonly string[] {
    return this.parts.release;
  }

  /** The release segment, trailing zeros included (`1.0.0` -> [1n, 0n, 0n]). */
  get release(): readonly bigint[] {
    this.releaseCache ??= Object.freeze(this.parts.release.map((d) => BigInt(d)));
    return this.releaseCache;
  }

  get pre(): readonly [PreReleaseLetter, bigint] | null {
    const pre = this.parts.pre;
    return pre === null ? null : [pre[0], BigInt(pre[1])];
  }

  get post(): bigint | null {
    return this.parts.post === null ? null : BigInt(this.parts.post);
  }

  get dev(): bigint | null {
    return this.parts.dev === null ? null : BigInt(this.parts.dev);
  }

  /** The normalized local label (`1.0+Ubuntu-01` -> "ubuntu.1"), or null. */
  get local(): string | null {
    return this.parts.local;
  }

  /** PEP 440: a pre-release is any version with a pre-release or a development release segment. */
  get isPrerelease(): boolean {
    return this.parts.pre !== null || this.parts.dev !== null;
  }

  get isPostrelease(): boolean {
    return this.parts.post !== null;
  }

  get isDevrelease(): boolean {
    return this.parts.dev !== null;
  }

  /** The version without its local label, normalized. */
  get public(): string {
    const text = this.toString();
    const plus = text.indexOf('+');
    return plus === -1 ? text : text.slice(0, plus);
  }

  /** Epoch and release only (`1!2.0rc1.post3` -> "1!2.0"). */
  get baseVersion(): string {
    const p = this.parts;
    return p.epoch === '0' ? p.release.join('.') : `${p.epoch}!${p.release.join('.')}`;
  }

  /** The string whose code-unit order is the PEP 440 order of the public version (local label ignored). */
  get publicSortKey(): string {
    return this.publicKeyCache ?? this.buildKeys()[0];
  }

  /** The string whose code-unit order is the PEP 440 order; equal keys mean equal versions (`1.0` == `1.0.0`). */
  get sortKey(): string {
    return this.keyCache ?? this.buildKeys()[1];
  }

  /** Builds both keys once. `join` gives flat strings, which V8 compares several times faster than concatenations. */
  private buildKeys(): [string, string] {
    const out: string[] = [];
    pushPublicKey(this.parts, out);
    const publicKey = out.join('');
    let key = publicKey;
    if (this.parts.local !== null) {
      pushLocalKey(this.parts.local, out);
      key = out.join('');
    }
    this.publicKeyCache = publicKey;
    this.keyCache = key;
    return [publicKey, key];
  }

  /** The normalized form, exactly as packaging's `str(Version(text))`. */
  toString(): string {
    this.textCache ??= render(this.parts);
    return this.textCache;
  }

  /**
   * The release's identity as packaging's `canonicalize_version` gives it (and warehouse keys releases on): the
   * normal form with trailing zeros of the release segment removed, so `5.0`, `5.0.0` and `v5` are one release, "5".
   */
  get canonical(): string {
    const release = this.parts.release;
    let end = release.length;
    while (end > 1 && release[end - 1] === '0') end--;
    return end === release.length ? this.toString() : render({ ...this.parts, release: release.slice(0, end) });
  }

  toJSON(): string {
    return this.toString();
  }

  compare(other: Version): number {
    const a = this.keyCache ?? this.sortKey;
    const b = other.keyCache ?? other.sortKey;
    return a < b ? -1 : a > b ? 1 : 0;
  }

  equals(other: Version): boolean {
    return (this.keyCache ?? this.sortKey) === (other.keyCache ?? other.sortKey);
  }

  /** A copy with some segments replaced or removed (null removes); numbers are decimal digit strings or bigints. */
  with(changes: {
    release?: readonly (bigint | string)[];
    pre?: readonly [PreReleaseLetter, bigint | string] | null;
    post?: bigint | string | null;
    dev?: bigint | string | null;
    local?: null;
  }): Version {
    const p = this.parts;
    const digits = (n: bigint | string): string => {
      const text = String(n);
      if (!SIMPLE_DIGITS.test(text)) throw new InvalidVersionError(this.toString(), `${text} is not a non-negative integer`);
      return canonicalDigits(text);
    };
    return new Version({
      epoch: p.epoch,
      release: changes.release === undefined ? p.release : changes.release.map(digits),
      pre:
        changes.pre === undefined ? p.pre : changes.pre === null ? null : [changes.pre[0], digits(changes.pre[1])],
      post: changes.post === undefined ? p.post : changes.post === null ? null : digits(changes.post),
      dev: changes.dev === undefined ? p.dev : changes.dev === null ? null : digits(changes.dev),
      local: changes.local === undefined ? p.local : null,
    });
  }

  /** Throws RangeError for an integer longer than MAX_INTEGER_DIGITS. */
  private static fromText(text: string): Version | null {
    if (SIMPLE_VERSION.test(text)) {
      // Fast path, as in packaging: digits and dots only.
      return new Version({ epoch: '0', release: releaseDigits(text), pre: null, post: null, dev: null, local: null });
    }
    // packaging's pattern is `\s*VERSION\s*`; VERSION neither starts nor ends with whitespace, so strip first.
    const m = VERSION_REGEX.exec(stripPythonWhitespace(text));
    if (m === null) return null;
    // Indexed reads: destructuring a RegExp match goes through the iterator protocol, several times slower here.
    const epoch = m[1];
    const preLetter = m[3];
    const implicitPost = m[5];
    const postLetter = m[6];
    const devLetter = m[8];
    const local = m[10];
    let pre: [PreReleaseLetter, string] | null = null;
    if (preLetter !== undefined) {
      pre = [PRE_SPELLINGS[preLetter.toLowerCase()] as PreReleaseLetter, canonicalDigits(m[4] ?? '0')];
    }
    let post: string | null = null;
    if (implicitPost !== undefined) post = canonicalDigits(implicitPost);
    else if (postLetter !== undefined) post = canonicalDigits(m[7] ?? '0');
    return new Version({
      epoch: epoch === undefined ? '0' : canonicalDigits(epoch),
      release: releaseDigits(m[2] as string),
      pre,
      post,
      dev: devLetter === undefined ? null : canonicalDigits(m[9] ?? '0'),
      local: local === undefined ? null : normalizeLocal(local),
    });
  }
}

/** Says why a string is not a version: the longest valid prefix and what follows it. Only on the error path. */
function explainInvalid(text: string): string {
  const trimmed = stripPythonWhitespace(text);
  if (trimmed === '') return 'empty string';
  const longest = trimmed.match(/[0-9]+/g)?.reduce((n, d) => Math.max(n, d.length), 0) ?? 0;
  if (longest > MAX_INTEGER_DIGITS) return `an integer has more than ${MAX_INTEGER_DIGITS} digits`;
  if (!/^v?[0-9]/i.test(trimmed)) return 'must start with a release number (optionally after "v" or "N!")';
  const prefix = new RegExp(`^${VERSION_PATTERN}`, 'i').exec(trimmed.slice(0, 1000));
  const valid = prefix?.[0] ?? '';
  const rest = trimmed.slice(valid.length);
  return `unexpected ${JSON.stringify(rest.slice(0, 20))} after ${JSON.stringify(valid)}`;
}

export function compareVersions(a: Version, b: Version): number {
  return a.compare(b);
}
