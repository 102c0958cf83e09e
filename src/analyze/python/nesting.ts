/**
 * How deep a file's expressions nest, measured on the text in one linear
 * pass before anything parses it: the deepest bracket nesting and the longest
 * chain of binary operators in one statement, outside string literals (read
 * roughly: quotes, triple quotes and backslash escapes). Honest code stays in
 * the tens; a machine-made expression thousands deep would make every walk
 * over its tree quadratic (tree-sitter finds a node's parent from the root),
 * so such a file is reported instead of parsed.
 */
export interface Nesting {
  brackets: number;
  operators: number;
}

export function nestingOf(text: string): Nesting {
  let depth = 0;
  let brackets = 0;
  let chain = 0;
  let operators = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (quote !== '') {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (text.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = '';
      } else if (c === 10 && quote.length === 1) quote = ''; // an unterminated one-line string ends with the line
      continue;
    }
    switch (c) {
      case 34: // "
      case 39: // '
        quote = text.startsWith(text[i]!.repeat(3), i) ? text[i]!.repeat(3) : text[i]!;
        i += quote.length - 1;
        break;
      case 35: // # comment: skip to the end of the line
        while (i < text.length && text.charCodeAt(i) !== 10) i++;
        i--;
        break;
      case 40: // ( [ {
      case 91:
      case 123:
        depth++;
        if (depth > brackets) brackets = depth;
        break;
      case 41: // ) ] }
      case 93:
      case 125:
        if (depth > 0) depth--;
        break;
      case 10: // a newline outside brackets ends the statement
      case 59: // ;
        if (depth === 0) chain = 0;
        break;
      case 44: // a comma separates expressions
        chain = 0;
        break;
      case 43: // + - * / % & | ^
      case 45:
      case 42:
      case 47:
      case 37:
      case 38:
      case 124:
      case 94:
        chain++;
        if (chain > operators) operators = chain;
        break;
    }
  }
  return { brackets, operators };
}

/** Past these, a file is not parsed: no honest code nests brackets 200 deep or chains 3,000 operators in one expression. */
export const nestingLimits: Nesting = { brackets: 200, operators: 3000 };

export function tooDeep(n: Nesting): boolean {
  return n.brackets > nestingLimits.brackets || n.operators > nestingLimits.operators;
}
