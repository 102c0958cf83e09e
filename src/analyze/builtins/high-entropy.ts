/**
 * A long string literal with near-random content in the base64 alphabet: the
 * usual carrier of an encrypted or packed payload. Honest code embeds such
 * blobs too (icons, fonts, test keys), so this is a weak signal on its own.
 */
import { type Hit, lineAt, shortSnippet } from '../subjects.js';

/** Shannon entropy in bits per character. */
export function shannonEntropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** A blob this long sits on one line; most files have no such line, and finding that out costs one indexOf per line. */
function hasLineOfLength(text: string, length: number): boolean {
  let start = 0;
  for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
    if (end - start >= length) return true;
    start = end + 1;
  }
  return text.length - start >= length;
}

/**
 * The runs of base64-alphabet characters between quotes, found by a plain
 * scan: a regex with a `{512,}` quantifier overflows V8's stack on a
 * multi-megabyte literal, which is exactly what a packed payload is.
 */
function* quotedRuns(text: string, minLength: number): Generator<{ index: number; body: string }> {
  const inAlphabet = (c: number): boolean =>
    (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47 || c === 61 || c === 95 || c === 45;
  for (let i = 0; i < text.length; i++) {
    const q = text.charCodeAt(i);
    if (q !== 34 && q !== 39) continue;
    let j = i + 1;
    while (j < text.length && inAlphabet(text.charCodeAt(j))) j++;
    if (j < text.length && text.charCodeAt(j) === q && j - i - 1 >= minLength) yield { index: i, body: text.slice(i + 1, j) };
    i = j - 1;
  }
}

export function highEntropyString(text: string, params: Record<string, unknown>): Hit[] {
  const minLength = typeof params['min-length'] === 'number' ? params['min-length'] : 512;
  const minEntropy = typeof params['min-entropy'] === 'number' ? params['min-entropy'] : 5.3;
  if (!hasLineOfLength(text, minLength)) return [];
  const hits: Hit[] = [];
  for (const { index, body } of quotedRuns(text, minLength)) {
    const entropy = shannonEntropy(body.length > 1 << 20 ? body.slice(0, 1 << 20) : body);
    if (entropy < minEntropy) continue;
    hits.push({
      line: lineAt(text, index),
      snippet: shortSnippet(body.slice(0, 200), 60),
      message: `a ${body.length}-character string literal with ${entropy.toFixed(2)} bits/char of entropy: likely an encoded or encrypted payload`,
    });
  }
  return hits;
}
