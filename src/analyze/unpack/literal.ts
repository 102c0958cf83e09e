/**
 * Python string and bytes literals as values: prefixes (r, b, u, f and their
 * combinations) and escape sequences, as the language reference defines them
 * (https://docs.python.org/3/reference/lexical_analysis.html#literals).
 */

const simpleEscapes: Readonly<Record<string, string>> = {
  '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\n': '',
};

/** The value of the body of a non-raw literal. `bytes` literals keep \u as text, as Python does. */
export function unescape(body: string, bytes: boolean): string {
  if (!body.includes('\\')) return body;
  let out = '';
  let i = 0;
  while (i < body.length) {
    const slash = body.indexOf('\\', i);
    if (slash === -1 || slash === body.length - 1) {
      out += body.slice(i);
      break;
    }
    out += body.slice(i, slash);
    const c = body[slash + 1]!;
    i = slash + 2;
    if (c === '\r' && body[i] === '\n') {
      i++;
      continue;
    }
    const simple = simpleEscapes[c];
    if (simple !== undefined) {
      out += simple;
      continue;
    }
    if (c >= '0' && c <= '7') {
      let j = slash + 1;
      while (j < body.length && j < slash + 4 && body[j]! >= '0' && body[j]! <= '7') j++;
      out += String.fromCharCode(parseInt(body.slice(slash + 1, j), 8) & (bytes ? 0xff : 0x1ff));
      i = j;
      continue;
    }
    const width = c === 'x' ? 2 : !bytes && c === 'u' ? 4 : !bytes && c === 'U' ? 8 : 0;
    if (width > 0) {
      const hex = body.slice(i, i + width);
      if (hex.length === width && /^[0-9a-fA-F]+$/.test(hex)) {
        const code = parseInt(hex, 16);
        out += code <= 0x10ffff ? String.fromCodePoint(code) : '';
        i += width;
        continue;
      }
    }
    out += `\\${c}`; // an unknown escape stays as written, as in Python
  }
  return out;
}

export interface LiteralParts {
  bytes: boolean;
  raw: boolean;
  format: boolean;
}

/** The prefix of a literal's opening (`rb"`, `f'''`). */
export function literalPrefix(start: string): LiteralParts {
  const p = start.replace(/["']+$/, '').toLowerCase();
  return { bytes: p.includes('b'), raw: p.includes('r'), format: p.includes('f') };
}
