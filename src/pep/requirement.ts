/**
 * Dependency specifiers, PEP 508 (`name[extras] (>=1.0) ; marker`, `name @ url ; marker`), with the grammar,
 * error positions and normal form of `packaging.requirements` 26.2.
 */
import { InvalidRequirementError } from './errors.js';
import { Marker, SyntaxProblem, Tokenizer, parseMarkerList } from './marker.js';
import { SpecifierSet } from './specifier.js';

export interface Requirement {
  /** The name as written (see normalizeName for the PEP 503 form). */
  name: string;
  /** Distinct extras as written, sorted. */
  extras: string[];
  specifier: SpecifierSet;
  url: string | null;
  marker: Marker | null;
}

/**
 * `name==version` (or `===`) and nothing else: the bulk of a pinned requirements file. For these the grammar
 * below reads the whole name, then one specifier, so the shortcut builds the same Requirement without the
 * tokenizer; anything it is not sure of (including an invalid version, for the grammar's error) takes the long way.
 */
const PLAIN_PIN = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(===?)([A-Za-z0-9.!+_-]+)$/;

/** Parses a PEP 508 dependency specifier; throws InvalidRequirementError naming what was expected, and where. */
export function parseRequirement(text: string): Requirement {
  const plain = PLAIN_PIN.exec(text);
  if (plain !== null) {
    // Null when the version is not one: the grammar then says why.
    const specifier = SpecifierSet.exactPin(plain[2] as '==' | '===', plain[3] as string);
    if (specifier !== null) return { name: plain[1] as string, extras: [], specifier, url: null, marker: null };
  }
  return parseRequirementByGrammar(text);
}

/** @internal parseRequirement without its shortcut, so tests can hold the two to the same answers. */
export function parseRequirementByGrammar(text: string): Requirement {
  const t = new Tokenizer(text);
  try {
    return parse(t);
  } catch (error) {
    if (error instanceof SyntaxProblem) throw new InvalidRequirementError(text, error.reason, error.position);
    throw error;
  }
}

/** requirement = WS? IDENTIFIER WS? extras WS? requirement_details END */
function parse(t: Tokenizer): Requirement {
  t.consumeWhitespace();
  const name = t.expect('IDENTIFIER', 'package name at the start of dependency specifier');
  t.consumeWhitespace();
  const extras = parseExtras(t);
  t.consumeWhitespace();
  const { url, specifier, marker } = parseDetails(t);
  t.expect('END', 'end of dependency specifier');
  return {
    name,
    extras: [...new Set(extras)].sort(compareCodePoints),
    specifier: SpecifierSet.parse(specifier),
    url: url === '' ? null : url,
    marker,
  };
}

/** requirement_details = AT URL (WS requirement_marker?)? | specifier WS? requirement_marker? */
function parseDetails(t: Tokenizer): { url: string; specifier: string; marker: Marker | null } {
  if (t.read('AT') !== null) {
    t.consumeWhitespace();
    const urlStart = t.position;
    const url = t.expect('URL', 'URL after @');
    if (t.check('END')) return { url, specifier: '', marker: null };
    t.expect('WS', 'whitespace after URL');
    if (t.check('END')) return { url, specifier: '', marker: null };
    return { url, specifier: '', marker: parseRequirementMarker(t, urlStart, 'semicolon (after URL and whitespace)') };
  }
  const specifierStart = t.position;
  const specifier = parseSpecifier(t);
  t.consumeWhitespace();
  if (t.check('END')) return { url: '', specifier, marker: null };
  const expected =
    specifier !== ''
      ? 'comma (within version specifier), semicolon (after version specifier)'
      : 'semicolon (after name with no version specifier)';
  return { url: '', specifier, marker: parseRequirementMarker(t, specifierStart, expected) };
}

/** requirement_marker = SEMICOLON marker WS? */
function parseRequirementMarker(t: Tokenizer, spanStart: number, expected: string): Marker {
  if (t.read('SEMICOLON') === null) throw new SyntaxProblem(`expected ${expected} or end`, spanStart);
  const tree = parseMarkerList(t);
  t.consumeWhitespace();
  return Marker.fromTree(tree);
}

/** extras = ('[' WS? extras_list? WS? ']')? */
function parseExtras(t: Tokenizer): string[] {
  if (!t.check('LEFT_BRACKET')) return [];
  return t.enclosed('LEFT_BRACKET', 'RIGHT_BRACKET', 'extras', () => {
    t.consumeWhitespace();
    const extras = parseExtrasList(t);
    t.consumeWhitespace();
    return extras;
  });
}

/** extras_list = IDENTIFIER (WS? ',' WS? IDENTIFIER)* */
function parseExtrasList(t: Tokenizer): string[] {
  const first = t.read('IDENTIFIER');
  if (first === null) return [];
  const extras = [first];
  for (;;) {
    t.consumeWhitespace();
    if (t.check('IDENTIFIER')) throw new SyntaxProblem('expected comma between extra names', t.position);
    if (t.read('COMMA') === null) break;
    t.consumeWhitespace();
    extras.push(t.expect('IDENTIFIER', 'extra name after comma'));
  }
  return extras;
}

/** specifier = '(' WS? version_many WS? ')' | WS? version_many WS? */
function parseSpecifier(t: Tokenizer): string {
  return t.enclosed('LEFT_PARENTHESIS', 'RIGHT_PARENTHESIS', 'version specifier', () => {
    t.consumeWhitespace();
    const clauses = parseVersionMany(t);
    t.consumeWhitespace();
    return clauses;
  });
}

/** version_many = (SPECIFIER (WS? ',' WS? SPECIFIER)*)? */
function parseVersionMany(t: Tokenizer): string {
  let clauses = '';
  for (let clause = t.read('SPECIFIER'); clause !== null; clause = t.read('SPECIFIER')) {
    const start = t.position - clause.length;
    clauses += clause;
    if (t.check('VERSION_PREFIX_TRAIL')) {
      throw new SyntaxProblem('.* suffix can only be used with `==` or `!=` operators', start);
    }
    if (t.check('VERSION_LOCAL_LABEL_TRAIL')) {
      throw new SyntaxProblem('local version label can only be used with `==` or `!=` operators', start);
    }
    t.consumeWhitespace();
    if (t.read('COMMA') === null) break;
    clauses += ',';
    t.consumeWhitespace();
  }
  return clauses;
}

/** packaging's `str(Requirement)`: name, sorted extras, specifiers, ` @ url`, `; marker`. */
export function formatRequirement(r: Requirement): string {
  let text = r.name;
  if (r.extras.length > 0) text += `[${r.extras.join(',')}]`;
  if (r.specifier.specifiers.length > 0) text += r.specifier.toString();
  if (r.url !== null) text += ` @ ${r.url}` + (r.marker !== null ? ' ' : '');
  if (r.marker !== null) text += `; ${r.marker.toString()}`;
  return text;
}

/** Python's sort order for strings (by code point). */
function compareCodePoints(a: string, b: string): number {
  const x = [...a].map((c) => c.codePointAt(0) as number);
  const y = [...b].map((c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
  return x.length - y.length;
}
