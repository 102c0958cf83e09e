/**
 * Environment markers, PEP 508 ("Dependency specification for Python Software Packages"), with the semantics of
 * `packaging.markers` 26.2: its grammar and tokenizer, its normal form (`str(Marker)`), and its evaluation rules
 * (version comparison through PEP 440 specifiers for the version variables, string comparison otherwise, PEP 685
 * extra-name normalization).
 */
import { InvalidMarkerError, MarkerEvaluationError } from './errors.js';
import { normalizeName } from './name.js';
import { SPECIFIER_PATTERN, Specifier } from './specifier.js';

/** The values a marker is evaluated against (PEP 508's variables; `extras`/`dependency_groups` for lock files). */
export interface MarkerEnvironment {
  implementation_name: string;
  implementation_version: string;
  os_name: string;
  platform_machine: string;
  platform_release: string;
  platform_system: string;
  platform_version: string;
  python_full_version: string;
  platform_python_implementation: string;
  python_version: string;
  sys_platform: string;
  extras?: readonly string[];
  dependency_groups?: readonly string[];
}

// ---------------------------------------------------------------------------------------------------------
// Tokenizer (packaging's `_tokenizer`): context-sensitive, the parser asks for the token it expects next.

/** Python's `\b` in a str pattern: a change between word (Unicode letter, number, `_`) and non-word. */
const W = '[\\p{L}\\p{N}_]';
const B = `(?:(?<=${W})(?!${W})|(?<!${W})(?=${W}))`;

/**
 * Built on first use, not at import: the Unicode property classes (`\p{L}`) make these patterns slow to construct
 * (~1 ms each), and most importers (a requirements file of plain pins) never tokenize.
 */
const buildRules = () => ({
  LEFT_PARENTHESIS: /\(/y,
  RIGHT_PARENTHESIS: /\)/y,
  LEFT_BRACKET: /\[/y,
  RIGHT_BRACKET: /\]/y,
  SEMICOLON: /;/y,
  COMMA: /,/y,
  QUOTED_STRING: /'[^']*'|"[^"]*"/y,
  OP: /===|==|~=|!=|<=|>=|<|>/y,
  BOOLOP: new RegExp(`${B}(?:or|and)${B}`, 'yu'),
  IN: new RegExp(`${B}in${B}`, 'yu'),
  NOT: new RegExp(`${B}not${B}`, 'yu'),
  VARIABLE: new RegExp(
    `${B}(?:python_version|python_full_version|os[._]name|sys[._]platform|platform_(?:release|system)` +
      `|platform[._](?:version|machine|python_implementation)|python_implementation|implementation_(?:name|version)` +
      `|extras?|dependency_groups)${B}`,
    'yu',
  ),
  SPECIFIER: new RegExp(SPECIFIER_PATTERN, 'yi'),
  AT: /@/y,
  URL: /[^ \t]+/y,
  IDENTIFIER: new RegExp(`${B}[a-zA-Z0-9][a-zA-Z0-9._-]*${B}`, 'yu'),
  VERSION_PREFIX_TRAIL: /\.\*/y,
  VERSION_LOCAL_LABEL_TRAIL: /\+[a-z0-9]+(?:[-_.][a-z0-9]+)*/y,
  WS: /[ \t]+/y,
  // Python's `$` also matches before a final newline.
  END: /(?=\n?$)/y,
});
let RULES: ReturnType<typeof buildRules> | undefined;

export type TokenName = keyof ReturnType<typeof buildRules>;

export class SyntaxProblem extends Error {
  constructor(
    readonly reason: string,
    readonly position: number,
  ) {
    super(reason);
  }
}

/** @internal Shared with requirement.ts: the PEP 508 grammar reads markers and requirements with one tokenizer. */
export class Tokenizer {
  position = 0;
  /** Parentheses open around the current position (bounded, see MAX_MARKER_NESTING). */
  depth = 0;
  constructor(readonly source: string) {}

  /** The text of `name` at the current position, or null. Does not move. */
  peek(name: TokenName): string | null {
    const rule = (RULES ??= buildRules())[name];
    rule.lastIndex = this.position;
    const m = rule.exec(this.source);
    return m === null ? null : m[0];
  }

  check(name: TokenName): boolean {
    return this.peek(name) !== null;
  }

  /** Reads `name` if it is next; returns its text, or null. */
  read(name: TokenName): string | null {
    const text = this.peek(name);
    if (text !== null) this.position += text.length;
    return text;
  }

  expect(name: TokenName, expected: string): string {
    const text = this.read(name);
    if (text === null) throw new SyntaxProblem(`expected ${expected}`, this.position);
    return text;
  }

  consumeWhitespace(): void {
    this.read('WS');
  }

  /** Runs `body` inside optional `open` … `close` tokens (a bracket opened must be closed). */
  enclosed<T>(open: TokenName, close: TokenName, around: string, body: () => T): T {
    const openPosition = this.position;
    const opened = this.read(open) !== null;
    const result = body();
    if (opened && this.read(close) === null) {
      throw new SyntaxProblem(`expected matching ${RULE_TEXT[close]} for ${RULE_TEXT[open]}, after ${around}`, openPosition);
    }
    return result;
  }
}

const RULE_TEXT: Partial<Record<TokenName, string>> = {
  LEFT_PARENTHESIS: '(',
  RIGHT_PARENTHESIS: ')',
  LEFT_BRACKET: '[',
  RIGHT_BRACKET: ']',
};

// ---------------------------------------------------------------------------------------------------------
// Syntax tree and parser (packaging's `_parser`).

interface MarkerOperand {
  kind: 'variable' | 'value';
  value: string;
}
type MarkerItem = readonly [MarkerOperand, string, MarkerOperand];
type MarkerAtom = MarkerItem | MarkerList;
type MarkerList = ReadonlyArray<MarkerAtom | 'and' | 'or'>;

const isItem = (x: MarkerAtom | 'and' | 'or'): x is MarkerItem =>
  Array.isArray(x) && x.length === 3 && typeof x[1] === 'string' && typeof x[0] === 'object' && !Array.isArray(x[0]);

/** marker = marker_atom (BOOLOP marker_atom)* */
export function parseMarkerList(t: Tokenizer): MarkerList {
  const expression: Array<MarkerAtom | 'and' | 'or'> = [parseAtom(t)];
  for (let op = t.read('BOOLOP'); op !== null; op = t.read('BOOLOP')) {
    expression.push(op as 'and' | 'or', parseAtom(t));
  }
  return expression;
}

/**
 * The parser recurses once per parenthesis. packaging hits Python's recursion limit at a few hundred levels;
 * we refuse earlier, with a reason, rather than overflow the stack on hostile input.
 */
const MAX_MARKER_NESTING = 100;

/** marker_atom = WS? '(' WS? marker WS? ')' WS? | WS? marker_item WS? */
function parseAtom(t: Tokenizer): MarkerAtom {
  t.consumeWhitespace();
  let atom: MarkerAtom;
  if (t.check('LEFT_PARENTHESIS')) {
    if (++t.depth > MAX_MARKER_NESTING) {
      throw new SyntaxProblem(`markers nested deeper than ${MAX_MARKER_NESTING} parentheses`, t.position);
    }
    atom = t.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'marker expression', () => {
      t.consumeWhitespace();
      const inner = parseMarkerList(t);
      t.consumeWhitespace();
      return inner;
    });
    t.depth--;
  } else {
    atom = parseItem(t);
  }
  t.consumeWhitespace();
  return atom;
}

/** marker_item = WS? marker_var WS? marker_op WS? marker_var WS? */
function parseItem(t: Tokenizer): MarkerItem {
  t.consumeWhitespace();
  const left = parseOperand(t);
  t.consumeWhitespace();
  const op = parseOperator(t);
  t.consumeWhitespace();
  const right = parseOperand(t);
  t.consumeWhitespace();
  return [left, op, right];
}

function parseOperand(t: Tokenizer): MarkerOperand {
  const variable = t.read('VARIABLE');
  if (variable !== null) {
    const name = variable.replaceAll('.', '_');
    // PEP 508 keeps `python_implementation` as an alias of `platform_python_implementation`.
    return { kind: 'variable', value: name === 'python_implementation' ? 'platform_python_implementation' : name };
  }
  const start = t.position;
  const quoted = t.read('QUOTED_STRING');
  if (quoted !== null) return { kind: 'value', value: decodePythonString(quoted, start) };
  throw new SyntaxProblem('expected a marker variable or quoted string', t.position);
}

/** marker_op = IN | NOT WS IN | OP */
function parseOperator(t: Tokenizer): string {
  if (t.read('IN') !== null) return 'in';
  if (t.read('NOT') !== null) {
    t.expect('WS', "whitespace after 'not'");
    t.expect('IN', "'in' after 'not'");
    return 'not in';
  }
  const op = t.read('OP');
  if (op !== null) return op;
  throw new SyntaxProblem('expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in', t.position);
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\n': '',
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

/**
 * The value of a quoted marker string, as packaging reads it (`ast.literal_eval`): a Python string literal, so
 * backslash escapes apply. `\N{name}` is refused: it needs the Unicode name table.
 */
function decodePythonString(quoted: string, position: number): string {
  const body = quoted.slice(1, -1);
  if (/[\n\r\0]/.test(body.replace(/\\\n/g, ''))) {
    throw new SyntaxProblem('a quoted string cannot contain a line break or NUL', position);
  }
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[i + 1];
    if (e === undefined) throw new SyntaxProblem('a quoted string cannot end with a backslash', position);
    i++;
    const simple = SIMPLE_ESCAPES[e];
    if (simple !== undefined) {
      out += simple;
    } else if (/[0-7]/.test(e)) {
      const octal = /^[0-7]{1,3}/.exec(body.slice(i))?.[0] as string;
      out += String.fromCodePoint(parseInt(octal, 8));
      i += octal.length - 1;
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const width = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + width);
      if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex)) {
        throw new SyntaxProblem(`truncated \\${e} escape in a quoted string`, position);
      }
      const code = parseInt(hex, 16);
      if (code > 0x10ffff) throw new SyntaxProblem('\\U escape beyond U+10FFFF', position);
      out += String.fromCodePoint(code);
      i += width;
    } else if (e === 'N') {
      throw new SyntaxProblem('\\N{…} escapes are not supported in marker strings', position);
    } else {
      out += '\\' + e; // Python keeps unknown escapes as written.
    }
  }
  return out;
}

/**
 * packaging normalizes the other operand of `extra` (PEP 685) at parse time, and only in the top-level list:
 * a parenthesized `(extra == "Foo")` keeps its spelling, and then never matches. Kept for agreement.
 */
function normalizeExtras(list: MarkerList): MarkerList {
  return list.map((entry) => {
    if (typeof entry === 'string' || !isItem(entry)) return entry;
    const [left, op, right] = entry;
    if (left.kind === 'variable' && left.value === 'extra') {
      return [left, op, { kind: 'value', value: normalizeName(right.value) }] as const;
    }
    if (right.kind === 'variable' && right.value === 'extra') {
      return [{ kind: 'value', value: normalizeName(left.value) }, op, right] as const;
    }
    return entry;
  });
}

// ---------------------------------------------------------------------------------------------------------
// Evaluation (packaging's `_evaluate_markers`).

const VERSION_VARIABLES = new Set(['implementation_version', 'platform_release', 'python_full_version', 'python_version']);
const SET_VARIABLES = new Set(['extras', 'dependency_groups']);

type Lookup = (variable: string) => string | ReadonlySet<string>;

function compare(lhs: string, op: string, rhs: string | ReadonlySet<string>, variable: string): boolean {
  if (VERSION_VARIABLES.has(variable) && typeof rhs === 'string') {
    let specifier: Specifier | null = null;
    try {
      specifier = Specifier.parse(op + rhs);
    } catch {
      // Not a version comparison: fall back to the string operators below, as packaging does.
    }
    if (specifier !== null) return specifier.contains(lhs, { prereleases: true });
  }
  switch (op) {
    case 'in':
      return typeof rhs === 'string' ? rhs.includes(lhs) : rhs.has(lhs);
    case 'not in':
      return typeof rhs === 'string' ? !rhs.includes(lhs) : !rhs.has(lhs);
    case '==':
    case '<=':
    case '>=':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
    case '<':
    case '>':
      return false;
    default:
      throw new MarkerEvaluationError(`undefined comparison: ${JSON.stringify(lhs)} ${op} ${JSON.stringify(rhs)}`);
  }
}

function evaluateItem([left, op, right]: MarkerItem, lookup: Lookup): boolean {
  const variable = left.kind === 'variable' ? left.value : right.value;
  const lhs = left.kind === 'variable' ? lookup(left.value) : left.value;
  let rhs = left.kind === 'variable' ? right.value : lookup(right.value);
  if (typeof lhs !== 'string') {
    throw new MarkerEvaluationError(`${variable} is a set of names: write '"name" in ${variable}'`);
  }
  if (SET_VARIABLES.has(variable) && typeof rhs !== 'string') {
    rhs = new Set([...rhs].map(normalizeName));
    return compare(normalizeName(lhs), op, rhs, variable);
  }
  return compare(lhs, op, rhs, variable);
}

/** `and` binds tighter than `or`; every item is evaluated (packaging does not short-circuit, so errors surface). */
function evaluateList(list: MarkerList, lookup: Lookup): boolean {
  const groups: boolean[][] = [[]];
  for (const entry of list) {
    if (entry === 'or') groups.push([]);
    else if (entry === 'and') continue;
    else (groups[groups.length - 1] as boolean[]).push(isItem(entry) ? evaluateItem(entry, lookup) : evaluateList(entry, lookup));
  }
  return groups.some((g) => g.every(Boolean));
}

// ---------------------------------------------------------------------------------------------------------
// Normal form (packaging's `_format_marker`).

function formatOperand(o: MarkerOperand): string {
  return o.kind === 'variable' ? o.value : `"${o.value}"`;
}

function format(node: MarkerAtom, first: boolean): string {
  if (isItem(node)) return `${formatOperand(node[0])} ${node[1]} ${formatOperand(node[2])}`;
  const only = node[0];
  if (node.length === 1 && only !== undefined && typeof only !== 'string') return format(only, true);
  const inner = node.map((m) => (typeof m === 'string' ? m : format(m, false))).join(' ');
  return first ? inner : `(${inner})`;
}

export class Marker {
  private constructor(private readonly tree: MarkerList) {}

  /** Parses a PEP 508 marker expression; throws InvalidMarkerError with the position of the problem. */
  static parse(text: string): Marker {
    const t = new Tokenizer(text);
    try {
      const tree = parseMarkerList(t);
      t.expect('END', 'end of marker expression');
      return new Marker(normalizeExtras(tree));
    } catch (error) {
      if (error instanceof SyntaxProblem) throw new InvalidMarkerError(text, error.reason, error.position);
      throw error;
    }
  }

  /** @internal For requirement.ts, which parses the marker as part of the requirement. */
  static fromTree(tree: MarkerList): Marker {
    return new Marker(normalizeExtras(tree));
  }

  /**
   * Evaluates against `env`; `extra` is the extra being installed (PEP 685-normalized before comparing).
   * Throws MarkerEvaluationError where packaging raises (undefined comparison, unknown variable).
   */
  evaluate(env: MarkerEnvironment, extra?: string): boolean {
    const values = new Map<string, string | ReadonlySet<string>>(
      Object.entries(env).map(([k, v]) => [k, typeof v === 'string' ? v : new Set(v as readonly string[])]),
    );
    values.set('extra', extra ? normalizeName(extra) : '');
    const full = env.python_full_version;
    // packaging's repair for Python builds that report e.g. "3.13.0+".
    if (full.endsWith('+')) values.set('python_full_version', full + 'local');
    const lookup: Lookup = (variable) => {
      const value = values.get(variable);
      if (value === undefined) throw new MarkerEvaluationError(`the environment has no value for ${JSON.stringify(variable)}`);
      return value;
    };
    return evaluateList(this.tree, lookup);
  }

  toString(): string {
    return format(this.tree, true);
  }
}
