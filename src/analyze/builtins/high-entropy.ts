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

export function highEntropyString(text: string, params: Record<string, unknown>): Hit[] {
  const minLength = typeof params['min-length'] === 'number' ? params['min-length'] : 512;
  const minEntropy = typeof params['min-entropy'] === 'number' ? params['min-entropy'] : 5.3;
  if (!hasLineOfLength(text, minLength)) return [];
  const literal = new RegExp(`["']([A-Za-z0-9+/=_-]{${minLength},})["']`, 'g');
  const hits: Hit[] = [];
  for (const m of text.matchAll(literal)) {
    const body = m[1]!;
    const entropy = shannonEntropy(body);
    if (entropy < minEntropy) continue;
    hits.push({
      line: lineAt(text, m.index),
      snippet: shortSnippet(body, 60),
      message: `a ${body.length}-character string literal with ${entropy.toFixed(2)} bits/char of entropy: likely an encoded or encrypted payload`,
    });
  }
  return hits;
}
