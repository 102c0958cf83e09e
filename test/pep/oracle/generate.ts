/**
 * Seeded case generator for the differential tests against `packaging` (the scripts next to this file).
 * The same seed gives the same cases, so a disagreement reproduces: the tests print the seed they used, and
 * PEP_ORACLE_SEED=<n> reruns with another one.
 */
import { readFileSync } from 'node:fs';
import { Version } from '../../../src/pep/version.js';

export const DEFAULT_SEED = 20261125;

export function seedFromEnv(): number {
  const text = process.env.PEP_ORACLE_SEED;
  return text === undefined || text === '' ? DEFAULT_SEED : Number(text);
}

/** mulberry32: small, fast, good enough to spread cases; not for anything secret. */
export class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

// The copy shipped with the name gate (data/names/), so the suite needs nothing outside the repository.
const TOP_PACKAGES = new URL('../../../data/names/top-packages.tsv', import.meta.url);

/** The `latest_version` and `name` columns of the popular-packages corpus. */
export function topPackages(): { names: string[]; versions: string[] } {
  const rows = readFileSync(TOP_PACKAGES, 'utf8').split('\n').slice(1);
  const names: string[] = [];
  const versions: string[] = [];
  for (const row of rows) {
    const [, name, version] = row.split('\t');
    if (name) names.push(name);
    if (version) versions.push(version);
  }
  return { names, versions };
}

// ---------------------------------------------------------------------------------------------------------
// Versions

const SEPARATORS = ['', '.', '-', '_'];
const PRE_SPELLINGS = ['a', 'A', 'alpha', 'Alpha', 'b', 'B', 'beta', 'BETA', 'c', 'C', 'rc', 'RC', 'Rc', 'pre', 'PRE', 'preview', 'Preview'];
const POST_SPELLINGS = ['post', 'POST', 'Post', 'rev', 'REV', 'r', 'R'];
const DEV_SPELLINGS = ['dev', 'DEV', 'Dev'];
const NUMBERS = ['', '0', '1', '01', '007', '12', '100'];
const WHITESPACE = [' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\x1c', '\x1f', '\x85', '\u2003', '\u3000', '\u2028'];
/** Whitespace to JavaScript's `\s` but not Python's, and characters that look like space but are not. */
const NOT_PYTHON_WHITESPACE = ['\ufeff', '\u200b', '\x00', '\u180e'];
const INVALID_VERSIONS = [
  '', ' ', 'v', 'V', '!', '!1.0', '1!', '1!!1', '1.', '.1', '1..0', '1.0.', '1.0+', '1.0++1', '1.0+.', '1.0+a.',
  '1.0+.a', '1.0+a..b', '1.0+-a', '1.0+a_', '1.0+é', '1.0a1a1', '1.0-', '1.0_', '1.0.-1', '1.0.post-1', '1.0-post-',
  '1.0dev1dev', '1.0.dev1.post1', '1.0.post1a1', '1.0rc1rc1', 'a1', 'one', '1.0 a1', '1 .0', '1,0', '1.0.*', '1.*',
  '1.0_1', '1-0', '1.0--1', '1.0a-b', 'vv1', 'v 1', '1.0v', '1.0+1 2', '١.٠', '１.０', '1.0ａ1', '¹.0', '1.0alpha.beta',
  '1.0-rc.1-dev', '1.0.post', '1.0-r-', '1.0+ubuntu/1', '1.0\x00', '1.0#1', 'latest', 'dev', 'main', 'HEAD',
  '2021-01-01', '1.0.0-SNAPSHOT', '1.0.0-beta+exp.sha.5114f85', '0x10', '1e5', '-1', '+1', '1.0;', '1.0)', '(1.0)',
];
const EXTRA_VALID_VERSIONS = [
  '1.0-1', '1.0-0', '1.0-001', '1!1.0-1', 'v1.0', 'V1.0', '0!0', '0', '00', '000.000', '01.002.0003', '1.0.0.0.0.0',
  '1.0.post1.dev2', '1.0a1.post2.dev3+local.7', '1.0-r4', '1.0_pre_2', '1.0.preview.3', '1.0c1', '1.0_C_1',
  '1.0+ubuntu-1', '1.0+UBUNTU_01.02', '1.0+0', '1.0+00.a', '1.0+1a', '1.0+a1.1a', '1.9999999999999999999999',
  '99999999999999999999999999!1', '1.0.post99999999999999999999', '1.0a18446744073709551616', '2.0.dev0',
  '1.0.dev', '1.0-dev', '1.0_dev_0', '1.0dev', '1.0a', '1.0.a.0', '1.0-a-0', '1.0a.1', '1.0a-1', '1.0a_1',
];

/** One randomly composed version string, usually valid, sometimes mutated into a near miss. */
function composeVersion(r: Random): string {
  const number = (): string => {
    const k = r.next();
    if (k < 0.5) return String(r.int(0, 12));
    if (k < 0.7) return String(r.int(0, 2100));
    if (k < 0.8) return '0'.repeat(r.int(1, 3)) + String(r.int(0, 99));
    if (k < 0.9) return String(r.int(0, 9)).repeat(r.int(1, 3)) + String(r.int(0, 9));
    return Array.from({ length: r.int(15, 40) }, () => r.int(0, 9)).join('');
  };
  let text = '';
  if (r.chance(0.05)) text += r.pick(['v', 'V']);
  if (r.chance(0.1)) text += number() + '!';
  text += Array.from({ length: r.int(1, 5) }, number).join('.');
  if (r.chance(0.35)) text += r.pick(SEPARATORS) + r.pick(PRE_SPELLINGS) + r.pick(SEPARATORS) + r.pick(NUMBERS);
  if (r.chance(0.25)) {
    text += r.chance(0.2) ? '-' + number() : r.pick(SEPARATORS) + r.pick(POST_SPELLINGS) + r.pick(SEPARATORS) + r.pick(NUMBERS);
  }
  if (r.chance(0.25)) text += r.pick(SEPARATORS) + r.pick(DEV_SPELLINGS) + r.pick(SEPARATORS) + r.pick(NUMBERS);
  if (r.chance(0.2)) {
    const parts = Array.from({ length: r.int(1, 4) }, () =>
      r.chance(0.5) ? number() : r.pick(['ubuntu', 'UBUNTU', 'deb10u1', 'cpu', 'cu118', 'abc', 'a1b2', 'x', 'Z9']),
    );
    text += '+' + parts.map((p, i) => (i === 0 ? p : r.pick(['.', '-', '_']) + p)).join('');
  }
  if (r.chance(0.05)) text = r.pick(WHITESPACE) + text;
  if (r.chance(0.05)) text += r.pick(WHITESPACE);
  if (r.chance(0.15)) text = mutate(r, text);
  return text;
}

const MUTATION_ALPHABET = [...'0123456789.-_+!vVaAbcrpostdev *,/éX\t'];

function mutate(r: Random, text: string): string {
  const at = r.int(0, text.length);
  const k = r.next();
  if (k < 0.4) return text.slice(0, at) + r.pick(MUTATION_ALPHABET) + text.slice(at);
  if (k < 0.7) return text.slice(0, at) + text.slice(at + 1);
  return text.slice(0, at) + r.pick(MUTATION_ALPHABET) + text.slice(at + 1);
}

/** The systematic spellings: every pre/post/dev spelling with every separator and number form. */
function spellings(): string[] {
  const out: string[] = [];
  for (const spelling of PRE_SPELLINGS) {
    for (const before of SEPARATORS) {
      for (const after of SEPARATORS) for (const n of NUMBERS) out.push(`1.0${before}${spelling}${after}${n}`);
    }
  }
  for (const spelling of [...POST_SPELLINGS, ...DEV_SPELLINGS]) {
    for (const before of SEPARATORS) {
      for (const after of SEPARATORS) for (const n of NUMBERS) out.push(`2.1${before}${spelling}${after}${n}`);
    }
  }
  for (const n of NUMBERS) out.push(`1.0-${n}`, `1.0a1-${n}`, `1.0-${n}.dev1`);
  for (const ws of [...WHITESPACE, ...NOT_PYTHON_WHITESPACE]) out.push(`${ws}1.0`, `1.0${ws}`, `${ws}${ws}v1.0rc1${ws}`, `1.0${ws}a1`);
  for (const epoch of ['0', '1', '01', '2', '10', '99999999999999999999']) out.push(`${epoch}!1.0`, `v${epoch}!1.0.post1`);
  out.push('1.' + '9'.repeat(4300), '1.' + '9'.repeat(4301), '1.' + '0'.repeat(4301), '1a' + '1'.repeat(4301));
  out.push('1.0+' + '1'.repeat(4301), '1.0+abc.' + '0'.repeat(4300), '9'.repeat(4300) + '!1');
  return out;
}

/** At least `count` distinct version strings: the real corpus, the systematic spellings, then random ones. */
export function generateVersions(seed: number, count: number): string[] {
  const r = new Random(seed);
  const seen = new Set<string>([
    ...topPackages().versions,
    ...spellings(),
    ...INVALID_VERSIONS,
    ...EXTRA_VALID_VERSIONS,
  ]);
  while (seen.size < count) seen.add(composeVersion(r));
  return [...seen];
}

// ---------------------------------------------------------------------------------------------------------
// Specifiers

const OPERATORS = ['==', '!=', '<=', '>=', '<', '>', '~=', '==='];
const SPEC_VERSIONS = [
  '1', '1.0', '1.0.0', '2.2', '2.2.0', '1.4.5', '0.9', '1!1.0', '0!1.0', 'v1.0', 'V1.2', '1.0a1', '1.0b2', '1.0rc1',
  '1.0.dev0', '1.0.dev1', '1.0a1.dev1', '1.0.post1', '1.0.post1.dev1', '1.0-1', '1.0+local', '1.0+1', '1.0+ubuntu.1',
  '1.0a1+local', '01.02', '1.9999999999999999999999', '3.7', '3.10', '2.0.post0', '1.0.0.post0', '1.0.c1', '1.0.pre1',
  '1.0.r1', '1.0.rev1', '1.0.DEV1', '1.0.Post1', '1.0_post1', '1.0.0RC1', '1.0.alpha1', '1.0-a1', '1.0.0a1',
  '1.2.3.4', '0', '0.0', '0.0.0', '1.0a', '1.0.post', '1.0-dev',
];

function specifierClause(r: Random): string {
  const op = r.pick(OPERATORS);
  let version = r.chance(0.3) ? composeVersion(r).trim() : r.pick(SPEC_VERSIONS);
  if (op !== '===' && r.chance(0.15)) version = version.replace(/\+.*$/, '') + '.*';
  if (op === '===' && r.chance(0.3)) version = r.pick(['foobar', 'FooBar', '1.0', '1.0.0', '1.0-SNAPSHOT', 'v1.0', 'abc)', 'a;b']);
  const space = (): string => (r.chance(0.2) ? r.pick([' ', '  ', '\t']) : '');
  return space() + op + space() + version + space();
}

const SPECIAL_SPECIFIERS = [
  '', ' ', ',', ' , ', '==1.0,', ',>=1.0', '>=1.0,,<2', '~=1', '~=1.*', '~=1.0.*', '~=1.0+local', '>=1.0+local',
  '<1.0.*', '>=1.*', '==1.0.*+local', '==1.0a1.*', '==1.0.post1.*', '==', '>=', '1.0', '=1.0', '=>1.0', '<>1.0',
  '== 1.0', '==\t1.0', '>= 1.0 , < 2.0', '===', '=== ', '===foo bar', '===\u00a0foo', '!=1.0.*', '!==1.0', '~==1.0',
  '>=1.0 ; python_version', '>=1.0)', '(>=1.0)', '>=1.0a1,<2', '>1.0,>1.0.0', '>=1.0,>=1.0.0,>=1', '==1.0,===1.0',
  '===1.0,===1.0.0', '<=1.0,>=1.0', '==1.*,!=1.0.*', '>=0.dev0', '<0', '<0.0.0', '>1.0.post1', '>1.0.dev1', '<1.0a1',
  '<1.0.post1', '>1.0+loc', '~=1.0.post1.dev1', '~=v1.0', '~=V1.0', '~=1!1.0', '~= 1.0', '~=1.0-1', '~=01.02.03',
  '==1.0+LOCAL', '!=1.0+local', '==1.0+local.*', '==v1.0.*', '==1!1.*', '==01.0.*', '>=1.0,<=2.0,!=1.5,~=1.2',
];

export interface SpecifierCase {
  text: string;
  candidates: string[];
  lists: string[][];
}

/** Versions near the clauses' versions: the same, its pre/post/dev/local relatives, neighbours, odd spellings. */
function candidatesFor(r: Random, text: string, pool: readonly string[]): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/([0-9][0-9.!a-zA-Z_+-]*)/g)) {
    const base = (m[1] as string).replace(/\.$/, '');
    const v = Version.tryParse(base);
    if (v === null) continue;
    const pub = v.public;
    const rel = v.baseVersion;
    const release = v.releaseDigits.map(Number);
    const bump = (i: number, d: number): string =>
      release.map((n, k) => (k === i ? Math.max(0, n + d) : k > i ? 0 : n)).join('.');
    for (const s of [
      base, pub, rel, `${pub}+local`, `${pub}+1.2`, `${rel}.post1`, `${rel}.post0`, `${pub}.post1`, `${rel}a1`,
      `${rel}rc1`, `${rel}.dev0`, `${rel}.dev1`, `${rel}a1.dev0`, `${rel}.post1.dev0`, `${rel}.post1+x`,
      `${rel}.0`, `${rel}.0.0`, `${rel}.1`, `${rel}.0a1`, `${rel}.1rc1`, bump(release.length - 1, 1),
      bump(release.length - 1, -1), bump(0, 1), bump(0, -1), `${bump(release.length - 1, 1)}.dev0`,
      `${bump(release.length - 1, 1)}a1`, `1!${rel}`, `0!${rel}`, `${rel}+local.1`, `${pub}.dev0`,
      `${pub.toUpperCase()}`, `v${pub}`,
    ]) {
      out.add(s);
    }
  }
  const arbitrary = /===\s*([^\s,;)]*)/.exec(text)?.[1];
  if (arbitrary !== undefined) out.add(arbitrary).add(arbitrary.toUpperCase()).add(arbitrary + 'x');
  for (let i = 0; i < 8; i++) out.add(r.pick(pool));
  out.add('not a version').add('1.0.0-SNAPSHOT');
  return [...out];
}

/** At least `count` specifier strings (single clauses, sets, invalid ones), each with candidates to test. */
export function generateSpecifiers(seed: number, count: number): SpecifierCase[] {
  const r = new Random(seed + 1);
  const pool = ['0.1', '0.9.9', '1.0', '1.0.1', '1.1', '1.5', '2.0', '2.0a1', '2.0.post1', '3.0.dev0', '10.0', '1!0.1', '1.0+abc'];
  const texts = new Set<string>(SPECIAL_SPECIFIERS);
  for (const op of OPERATORS) for (const v of SPEC_VERSIONS) texts.add(op + v);
  while (texts.size < count) {
    const clauses = Array.from({ length: r.chance(0.7) ? 1 : r.int(2, 4) }, () => specifierClause(r));
    texts.add(clauses.join(r.pick([',', ', ', ' ,'])));
  }
  return [...texts].map((text) => {
    const candidates = candidatesFor(r, text, pool);
    const prereleasesOnly = candidates.filter((c) => Version.tryParse(c)?.isPrerelease === true);
    const arbitraryAndPrereleases = candidates.filter((c) => Version.tryParse(c)?.isPrerelease !== false);
    return { text, candidates, lists: [candidates, prereleasesOnly, arbitraryAndPrereleases] };
  });
}

// ---------------------------------------------------------------------------------------------------------
// Names

const NAME_EDGE_CASES = [
  '', 'a', 'A', '1', '_', '-', '.', 'a-', '-a', 'a_', '_a', 'a.', '.a', 'a--b', 'a__b', 'a..b', 'a-_.b', 'A-_.B',
  'a b', ' a', 'a ', 'a\t', 'é', 'café', 'İstanbul', 'ﬁle', 'Straße', 'a/b', 'a+b', 'a@b', 'a:b', 'K', 'ſ',
  'ΣΑΣ', 'ǅ', 'pip', 'Django', 'zope.interface', 'ruamel.yaml.clib', 'typing_extensions', 'Flask-SQLAlchemy',
  'A.B-C_D', '0-0', 'a-1-', '---', '...', 'a\u0000b', 'ab\n',
];

/** At least `count` names: the popular corpus, spelling variants of it, and edge cases. */
export function generateNames(seed: number, count: number): string[] {
  const r = new Random(seed + 2);
  const corpus = topPackages().names;
  const seen = new Set<string>([...NAME_EDGE_CASES, ...corpus]);
  while (seen.size < count) {
    const name = r.pick(corpus);
    const k = r.next();
    if (k < 0.3) seen.add(name.replace(/[-_.]/g, () => r.pick(['-', '_', '.', '--', '_.-', '__'])));
    else if (k < 0.5) seen.add([...name].map((c) => (r.chance(0.5) ? c.toUpperCase() : c)).join(''));
    else if (k < 0.7) seen.add(r.pick(['', '-', '_', '.', ' ']) + name + r.pick(['', '-', '_', '.', ' ', '\n']));
    else seen.add(mutate(r, name));
  }
  return [...seen];
}

// ---------------------------------------------------------------------------------------------------------
// Markers and requirements

export interface MarkerEnvironmentCase {
  [variable: string]: string | string[];
}

/** Environments to evaluate in: ordinary ones, and one whose values are not versions. */
export const MARKER_ENVIRONMENTS: MarkerEnvironmentCase[] = [
  {
    implementation_name: 'cpython', implementation_version: '3.11.7', os_name: 'posix', platform_machine: 'x86_64',
    platform_release: '6.1.0-13-amd64', platform_system: 'Linux', platform_version: '#1 SMP Debian 6.1.55-1',
    python_full_version: '3.11.7', platform_python_implementation: 'CPython', python_version: '3.11',
    sys_platform: 'linux', extra: '',
  },
  {
    implementation_name: 'cpython', implementation_version: '3.8.10', os_name: 'nt', platform_machine: 'AMD64',
    platform_release: '10', platform_system: 'Windows', platform_version: '10.0.19045', python_full_version: '3.8.10',
    platform_python_implementation: 'CPython', python_version: '3.8', sys_platform: 'win32', extra: 'Security',
  },
  {
    implementation_name: 'pypy', implementation_version: '7.3.13', os_name: 'posix', platform_machine: 'arm64',
    platform_release: '23.1.0', platform_system: 'Darwin', platform_version: 'Darwin Kernel Version 23.1.0',
    python_full_version: '3.12.0rc1', platform_python_implementation: 'PyPy', python_version: '3.12',
    sys_platform: 'darwin', extra: 'test_extra',
  },
  {
    implementation_name: 'cpython', implementation_version: '3.13.0a2', os_name: 'posix', platform_machine: 'aarch64',
    platform_release: 'not-a-version', platform_system: 'Linux', platform_version: '', python_full_version: '3.13.0+',
    platform_python_implementation: 'CPython', python_version: '3.13', sys_platform: 'linux', extra: 'Foo.Bar',
    extras: ['Foo.Bar', 'security'], dependency_groups: ['Dev', 'test'],
  },
];

const MARKER_VARIABLES = [
  'python_version', 'python_full_version', 'os_name', 'os.name', 'sys_platform', 'sys.platform', 'platform_release',
  'platform_system', 'platform_version', 'platform.version', 'platform_machine', 'platform.machine',
  'platform_python_implementation', 'platform.python_implementation', 'python_implementation', 'implementation_name',
  'implementation_version', 'extra',
];
/** Rarer: they make evaluation raise in most environments (set variables outside lock files, `~=` on strings). */
const RARE_MARKER_VARIABLES = ['extras', 'dependency_groups'];
const MARKER_OPERATORS = ['==', '!=', '<', '<=', '>', '>=', 'in', 'not in'];
const RARE_MARKER_OPERATORS = ['~=', '==='];
const MARKER_VALUES = [
  '3.8', '3.11', '3.12', '3', '3.*', '2.7', '3.11.7', '3.12.0rc1', '3.13.0+local', 'posix', 'nt', 'linux', 'win32',
  'darwin', 'Linux', 'Windows', 'x86_64', 'AMD64', 'CPython', 'PyPy', 'cpython', 'pypy', 'security', 'Security',
  'test-extra', 'test_extra', 'foo.bar', 'FOO-bar', 'dev', '', '6.1', '10', '23.1.0', 'lin', 'x86', '1.0+local',
  "it's", 'a"b', '\\n', '\\x41', '\\u00e9', 'é',
];

function quote(r: Random, value: string): string {
  if (value.includes("'")) return `"${value}"`;
  if (value.includes('"')) return `'${value}'`;
  return r.chance(0.5) ? `"${value}"` : `'${value}'`;
}

function markerItem(r: Random): string {
  const variable = r.pick(r.chance(0.03) ? RARE_MARKER_VARIABLES : MARKER_VARIABLES);
  const op = r.pick(r.chance(0.08) ? RARE_MARKER_OPERATORS : MARKER_OPERATORS);
  const value = quote(r, r.pick(MARKER_VALUES));
  const ws = (): string => r.pick(['', ' ', ' ', '  ', '\t']);
  const k = r.next();
  if (k < 0.75) return `${variable}${ws()}${op === 'in' || op === 'not in' ? ' ' : ws()}${op} ${value}`;
  if (k < 0.95) return `${value} ${op} ${variable}`;
  return r.pick([`${variable} ${op} ${r.pick(MARKER_VARIABLES)}`, `${value} ${op} ${quote(r, 'x')}`]);
}

function markerExpression(r: Random, depth: number): string {
  const atoms = Array.from({ length: r.int(1, 3) }, () =>
    depth < 2 && r.chance(0.25) ? `(${markerExpression(r, depth + 1)})` : markerItem(r),
  );
  return atoms.map((a, i) => (i === 0 ? a : ` ${r.pick(['and', 'or'])} ${a}`)).join('');
}

const MARKER_EDGE_CASES = [
  'python_version >= "3.8"', "python_version>='3.8'", 'python_version>"3.8"and os_name=="posix"',
  'os_name == "posix"andy', 'extra == "Security"', 'extra == "security" or extra == "test.extra"',
  '"security" == extra', 'extra == python_version', '"a" == "b"', 'python_version == python_full_version',
  'python_version ~= "3"', 'python_version ~= "3.8"', 'os_name ~= "posix"', 'os_name === "posix"',
  'python_version === "3.11"', 'python_version in "3.11 3.12"', 'python_version not in "3.8 3.9"',
  'python_version not  in "3.8"', 'python_version notin "3.8"', '"linux" in sys_platform', 'sys_platform in "linux2"',
  'platform_release >= "6"', 'platform_release < "not"', 'python_full_version >= "3.13"', '(python_version > "3")',
  '((os_name == "nt"))', '(os_name == "nt"', 'os_name == "nt")', 'os_name == "nt" and', 'or os_name == "nt"',
  'os_name = "nt"', 'os_name == nt', 'os_name == "nt" ; extra == "x"', 'python_version >= "3.8" and (os_name == "nt" or os_name == "posix")',
  'python_version', '', ' ', 'os_name == "nt" xor os_name == "posix"', 'os_name == "\\"', "os_name == '\\''",
  'os_name == "a\\\nb"', 'os_name == "\\xZZ"',
  '"security" in extras', '"Dev" in dependency_groups', 'extras == "x"', 'extras in "x"', 'os.name == "posix"',
  'platform.python_implementation == "CPython"', 'python_implementation == "CPython"', 'OS_NAME == "posix"',
  'os_name=="posix"or os_name=="nt"', 'os_name == "posix"\tand\tpython_version >= "3"', 'os_name == "é"',
];

export interface MarkerCase {
  kind: 'marker' | 'requirement';
  text: string;
  envs: MarkerEnvironmentCase[];
}

export function generateMarkers(seed: number, count: number): MarkerCase[] {
  const r = new Random(seed + 3);
  const texts = new Set<string>(MARKER_EDGE_CASES);
  while (texts.size < count) {
    const text = markerExpression(r, 0);
    texts.add(r.chance(0.1) ? mutate(r, text) : text);
  }
  return [...texts].map((text) => ({ kind: 'marker', text, envs: MARKER_ENVIRONMENTS }));
}

const REQUIREMENT_EDGE_CASES = [
  'requests', 'requests[security]', 'requests[security,socks]', 'requests [security , socks] >= 2.8.1, == 2.8.*',
  'requests[security] (>=2.8.1); python_version < "2.7"', 'name@http://foo.com', 'name @ https://x/y.whl ; os_name == "nt"',
  'name @ https://x/y.whl; os_name == "nt"', 'name @ file:///tmp/x.tar.gz ', 'name@ ', 'name @', 'name[', 'name[]',
  'name[,]', 'name[a b]', 'name[a,]', 'name[a,,b]', 'name (>=1.0', 'name >=1.0)', 'name>=1.0.*', 'name>=1.0+local',
  'name==1.0+local', 'name===1.0 ; os_name == "nt"', 'name===foo', 'name ; ', 'name;os_name=="nt"', 'name ;; x',
  'name>=1.0;', '-name', 'name-', 'name_', 'name.', 'na me', 'naméx', 'náme', '1name', 'name>=1.0,', 'name>=1.0,<2',
  'name>=1.0 <2', 'name >=1.0 ,<2', 'name (  )', 'name()', '', ' ', '  name  ', 'name\t>=\t1.0', 'Name.With_Dots-Dash',
  'name[Extra.Name_X]', 'name[extra]==1.0; extra == "Foo"', 'name @ git+https://github.com/a/b.git@v1.0#egg=name',
  'pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686',
  'name>=1.0 ; python_version >= "3" and extra == "test"', 'name~=1.0', 'name~=1', 'name!=1.0.*', 'name<=1!2.0',
];

export function generateRequirements(seed: number, count: number): MarkerCase[] {
  const r = new Random(seed + 4);
  const names = topPackages().names;
  const texts = new Set<string>(REQUIREMENT_EDGE_CASES);
  while (texts.size < count) {
    let text = r.pick(names);
    if (r.chance(0.3)) text += `[${Array.from({ length: r.int(0, 3) }, () => r.pick(['security', 'socks', 'Test_Extra', 'a.b', 'dev'])).join(r.pick([',', ', ']))}]`;
    if (r.chance(0.15)) {
      text += r.pick([' @ ', '@', ' @']) + r.pick(['https://example.org/p-1.0.tar.gz', 'git+ssh://git@x/y.git', 'file:///tmp/x.whl']);
      if (r.chance(0.5)) text += r.pick([' ; ', ' ;', ';']) + markerExpression(r, 1);
    } else {
      if (r.chance(0.8)) {
        const clauses = Array.from({ length: r.int(1, 3) }, () => specifierClause(r).trim()).join(r.pick([',', ', ']));
        text += r.chance(0.2) ? ` (${clauses})` : r.pick(['', ' ']) + clauses;
      }
      if (r.chance(0.4)) text += r.pick([' ; ', ';', '; ']) + markerExpression(r, 1);
    }
    texts.add(r.chance(0.1) ? mutate(r, text) : text);
  }
  return [...texts].map((text) => ({ kind: 'requirement', text, envs: MARKER_ENVIRONMENTS }));
}
