/**
 * A string literal written as a long run of \x / \u / octal escapes that
 * decodes to readable ASCII text. Binary data is naturally written that way;
 * readable text is not, unless someone wants it unreadable to a reviewer.
 */
import { type Hit, lineAt, shortSnippet } from '../subjects.js';

const escapeRun = /(?:\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}|\\[0-7]{3})+/g;

function decode(run: string): string {
  return run.replace(/\\x([0-9a-fA-F]{2})|\\u([0-9a-fA-F]{4})|\\([0-7]{3})/g, (_, x: string, u: string, o: string) =>
    String.fromCharCode(x ? parseInt(x, 16) : u ? parseInt(u, 16) : parseInt(o, 8)),
  );
}

export function escapedTextLiteral(text: string, params: Record<string, unknown>): Hit[] {
  const minEscapes = typeof params['min-escapes'] === 'number' ? params['min-escapes'] : 24;
  const hits: Hit[] = [];
  for (const m of text.matchAll(escapeRun)) {
    const decoded = decode(m[0]);
    if (decoded.length < minEscapes) continue;
    const readable = decoded.replace(/[^A-Za-z0-9 .,:;_()'"=/-]/g, '').length;
    if (readable / decoded.length < 0.9 || !/[a-z]{3}/i.test(decoded)) continue;
    hits.push({ line: lineAt(text, m.index), snippet: shortSnippet(`decodes to: ${decoded}`) });
  }
  return hits;
}
