/**
 * Name forms: functions that map a normalized name to a key, so that two names
 * with the same key look alike to a person even when they are several edits
 * apart (`python3-dateutil` and `python-dateutil`, `dateutil-python`).
 * Each form is one rule of the gate, with the words its reasons use.
 */

export interface NameForm {
  /** Stable rule id, reported in verdicts. */
  readonly rule: string;
  /** Completes "'candidate' … 'target'", e.g. "differs only in separators from". */
  readonly relation: string;
  /** The key, or undefined when the form says nothing about this name. */
  key(name: string): string | undefined;
}

/**
 * PyPI's own similarity check (Warehouse `ultranormalize_name`): drop `.`, `_`
 * and `-`, map `o` to `0` and `l`, `i` to `1`, lowercase. PyPI refuses a new
 * project whose ultranormalized name equals an existing one's, so a match with
 * a popular name is either an old registration or a name that only differs by
 * these characters.
 */
export function ultranormalize(name: string): string {
  let out = '';
  for (const ch of name.toLowerCase()) {
    if (ch === '.' || ch === '_' || ch === '-') continue;
    out += ch === 'l' || ch === 'i' ? '1' : ch === 'o' ? '0' : ch;
  }
  return out;
}

/**
 * Visual confusables within the characters a name may hold: `rn`/`m`,
 * `vv`/`w`, `cl`/`d`, `l`/`1`/`i`, `0`/`o`. Multi-letter shapes go first so
 * that `rn` is read as `m` before `l` is folded.
 */
export function confusableSkeleton(name: string): string {
  let out = '';
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    const next = name[i + 1];
    if ((ch === 'r' && next === 'n') || (ch === 'v' && next === 'v') || (ch === 'c' && next === 'l')) {
      out += ch === 'r' ? 'm' : ch === 'v' ? 'w' : 'd';
      i++;
    } else {
      out += ch === '1' || ch === 'i' ? 'l' : ch === '0' ? 'o' : ch;
    }
  }
  return out;
}

/**
 * `py`, `python` and `python3` as a whole word at either end, or glued to the
 * front (`pyyaml`); `python` and `python3` glued to the end too. (`lib` would
 * catch `libcurl` for `pycurl`, but costs more honest pairs than it catches:
 * `dnslib`, `libnacl`, `authlib`; see docs/name-gate.md.)
 */
const AFFIX = /^(?:python3|python|py)(?:-|(?=[a-z0-9]{3}))|-(?:python3|python|py)$|(?<=[a-z0-9]{3})(?:python3|python)$/;

/** The name with one such affix removed, or undefined when it has none. */
export function withoutPythonAffix(name: string): string | undefined {
  // Most names have no affix: skip the regex, which would try every position.
  if (!name.startsWith('py') && !name.endsWith('py') && !name.endsWith('python') && !name.endsWith('python3')) return undefined;
  const stripped = name.replace(AFFIX, '');
  return stripped !== name && stripped.length >= 3 ? stripped : undefined;
}

/** A trailing version or counter: `requests2`, `requests-2`, `requests-2-31`, `requests-v2`. */
const VERSION_SUFFIX = /(?:-?v?\d+)(?:-\d+)*$/;

export function withoutVersionSuffix(name: string): string | undefined {
  const last = name.charCodeAt(name.length - 1);
  if (!(last >= 0x30 && last <= 0x39)) return undefined;
  const stripped = name.replace(VERSION_SUFFIX, '').replace(/-$/, '');
  return stripped !== name && stripped.length >= 3 ? stripped : undefined;
}

/** A `lib`, `py` or `python` glued to either end, and the rest (at least 3 characters). */
const GLUED_AFFIX = /^(lib|python|py)([a-z0-9]{3,})$|^([a-z0-9]{3,})(lib|python|py)$/;

/**
 * The name as its glued affix and the rest, so that moving the affix to the
 * other end keeps the key (`libhtml5` and `html5lib`, `yamlpy` and `pyyaml`).
 * Undefined when the name has no such affix.
 */
export function affixAndRest(name: string): string | undefined {
  // A normalized name neither starts nor ends with a separator, so test the ends before stripping.
  if (!name.startsWith('py') && !name.startsWith('lib') && !name.endsWith('py') && !name.endsWith('lib') && !name.endsWith('python')) return undefined;
  const m = GLUED_AFFIX.exec(withoutSeparators(name));
  if (!m) return undefined;
  return m[1] !== undefined ? `${m[1]}|${m[2] ?? ''}` : `${m[4] ?? ''}|${m[3] ?? ''}`;
}

/** Every run of a repeated character cut to one (`requstsss` to `requsts`): a key held down, or tapped twice. */
export function withoutRepeats(name: string): string {
  let i = 1;
  while (i < name.length && name.charCodeAt(i) !== name.charCodeAt(i - 1)) i++;
  if (i >= name.length) return name;
  let out = name.slice(0, i);
  for (; i < name.length; i++) if (name.charCodeAt(i) !== name.charCodeAt(i - 1)) out += name[i];
  return out;
}

function withoutSeparators(name: string): string {
  return name.includes('-') ? name.replace(/-/g, '') : name;
}

export const NAME_FORMS: readonly NameForm[] = [
  {
    rule: 'ultranormalize',
    relation: "collides under PyPI's ultranormalization (o→0, i/l→1, no separators) with",
    key: ultranormalize,
  },
  {
    rule: 'confusable',
    relation: 'looks the same (rn/m, vv/w, cl/d, l/1/i, 0/o) as',
    key: confusableSkeleton,
  },
  {
    rule: 'separators',
    relation: 'differs only in separators from',
    key: withoutSeparators,
  },
  {
    rule: 'word-order',
    relation: 'reorders the words of',
    key: (name) => (name.includes('-') ? name.split('-').sort().join('-') : undefined),
  },
  {
    rule: 'affix-moved',
    relation: "moves the 'lib'/'py'/'python' at one end to the other end of",
    key: affixAndRest,
  },
  {
    rule: 'python-affix',
    relation: "adds or drops a 'py'/'python'/'python3' prefix or suffix of",
    key: (name) => withoutSeparators(withoutPythonAffix(name) ?? name),
  },
  {
    rule: 'version-suffix',
    relation: 'adds or changes a trailing number or version of',
    key: (name) => withoutVersionSuffix(name) ?? name,
  },
];
