/**
 * The names a Python file gives to something else, read from its text before
 * anything parses it: `import subprocess as sp`, `from os import system as
 * run`, and assignment lines `run = os.system` / `e = exec`. A behaviour rule's
 * sink pattern is widened with them, so that a renamed call still anchors it.
 *
 * Every file a behaviour rule might parse goes through this, so it is a scan
 * with `indexOf` and character tests rather than a regex: the regex it replaced
 * (`\b([\w.]+)\s+as\s+…|^…=…$` with the `m` flag) ran at ~90 MB/s and was 6% of
 * the whole scan of the real wheels; this runs at ~300 MB/s and finds the same
 * renames of names (not `x = 3`), and a few more `x as y` in prose, which are
 * harmless: a rename only matters when its original is a sink.
 */
export interface Rename {
  original: string;
  alias: string;
}

/** At most this many renames are read from one file. */
const maxRenames = 4096;

export function renamesIn(text: string): Rename[] {
  const out: Rename[] = [];
  asRenames(text, out);
  assignmentRenames(text, out);
  return out;
}

/** `<dotted name> as <identifier>`, with whitespace (newlines included) around `as`. */
function asRenames(text: string, out: Rename[]): void {
  for (let at = text.indexOf('as'); at !== -1 && out.length < maxRenames; at = text.indexOf('as', at + 2)) {
    if (!isSpace(text.charCodeAt(at - 1)) || !isSpace(text.charCodeAt(at + 2))) continue;
    let end = at - 1;
    while (end > 0 && isSpace(text.charCodeAt(end - 1))) end--;
    let start = end;
    while (start > 0 && (isIdentifierChar(text.charCodeAt(start - 1)) || text.charCodeAt(start - 1) === dot)) start--;
    while (start < end && text.charCodeAt(start) === dot) start++;
    if (start === end) continue;
    let aliasStart = at + 2;
    while (isSpace(text.charCodeAt(aliasStart))) aliasStart++;
    let aliasEnd = aliasStart;
    while (aliasEnd < text.length && isIdentifierChar(text.charCodeAt(aliasEnd))) aliasEnd++;
    if (aliasEnd === aliasStart || isDigit(text.charCodeAt(aliasStart))) continue;
    out.push({ original: text.slice(start, end), alias: text.slice(aliasStart, aliasEnd) });
  }
}

/** A line that is only `<identifier> = <dotted name>` (blanks allowed around each part). */
function assignmentRenames(text: string, out: Rename[]): void {
  for (let at = text.indexOf('='); at !== -1 && out.length < maxRenames; at = text.indexOf('=', at + 1)) {
    if (text.charCodeAt(at + 1) === equals) {
      at++; // `==`
      continue;
    }
    // Before it: an identifier, and only blanks back to the start of the line (so not `a += b` or `f(x=y)`).
    let end = at;
    while (end > 0 && isBlank(text.charCodeAt(end - 1))) end--;
    let start = end;
    while (start > 0 && isIdentifierChar(text.charCodeAt(start - 1))) start--;
    if (start === end || isDigit(text.charCodeAt(start))) continue;
    let lineStart = start;
    while (lineStart > 0 && isBlank(text.charCodeAt(lineStart - 1))) lineStart--;
    if (lineStart > 0 && text.charCodeAt(lineStart - 1) !== newline) continue;
    // After it: a dotted name, and only blanks up to the end of the line.
    let valueStart = at + 1;
    while (isBlank(text.charCodeAt(valueStart))) valueStart++;
    let valueEnd = valueStart;
    while (valueEnd < text.length && (isIdentifierChar(text.charCodeAt(valueEnd)) || text.charCodeAt(valueEnd) === dot)) valueEnd++;
    const first = text.charCodeAt(valueStart);
    if (valueEnd === valueStart || first === dot || isDigit(first)) continue; // `x = 3`, `x = .5`
    let lineEnd = valueEnd;
    while (isBlank(text.charCodeAt(lineEnd))) lineEnd++;
    const c = text.charCodeAt(lineEnd);
    if (lineEnd < text.length && c !== newline && !(c === carriageReturn && text.charCodeAt(lineEnd + 1) === newline)) continue;
    out.push({ original: text.slice(valueStart, valueEnd), alias: text.slice(start, end) });
  }
}

const dot = 46;
const equals = 61;
const newline = 10;
const carriageReturn = 13;

function isBlank(c: number): boolean {
  return c === 32 || c === 9;
}

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isIdentifierChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
