/**
 * The one tree-sitter Python parser of a process. Loading the wasm runtime and
 * the grammar costs tens of milliseconds, so it happens once; queries are
 * compiled once per rule and reused for every file.
 */
import { createRequire } from 'node:module';
import { Language, Parser, Query, type Range, type Tree } from 'web-tree-sitter';

const require = createRequire(import.meta.url);

/** The longest a parse may take; honest files of a few MB parse in about a second. */
const parseSeconds = 10;

/** The longest all queries over one file may take together. */
export const querySeconds = 3;

export class PythonParser {
  private constructor(
    readonly language: Language,
    private readonly parser: Parser,
  ) {}

  /**
   * Parses Python source, giving up after `seconds` (a machine-made file can
   * take tree-sitter minutes). The caller must `delete()` the tree when done:
   * it lives in wasm memory.
   */
  parse(source: string, seconds = parseSeconds, ranges?: ReadonlyArray<readonly [number, number]>): Tree {
    const deadline = performance.now() + seconds * 1000;
    const progressCallback = (): boolean => performance.now() > deadline;
    // Only these parts of the text are read; nodes keep their offsets and lines in the whole text.
    const includedRanges = ranges === undefined ? undefined : rangesIn(source, ranges);
    const tree = this.parser.parse(source, null, includedRanges ? { progressCallback, includedRanges } : { progressCallback });
    this.parser.reset();
    if (tree === null) throw new Error(`tree-sitter did not finish parsing within ${seconds} s`);
    return tree;
  }

  /** Compiles a tree-sitter query; throws with the query's own error when it does not compile. */
  compile(source: string): Query {
    return new Query(this.language, source);
  }

  private static loading: Promise<PythonParser> | undefined;

  static load(): Promise<PythonParser> {
    PythonParser.loading ??= (async () => {
      await Parser.init();
      const language = await Language.load(require.resolve('tree-sitter-python/tree-sitter-python.wasm'));
      const parser = new Parser();
      parser.setLanguage(language);
      return new PythonParser(language, parser);
    })();
    return PythonParser.loading;
  }
}

/** tree-sitter ranges for [start, end) offsets of `source` (in text order), with their rows and columns. */
function rangesIn(source: string, ranges: ReadonlyArray<readonly [number, number]>): Range[] {
  let row = 0;
  let lineStart = 0;
  let at = 0;
  const pointAt = (offset: number): { row: number; column: number } => {
    for (; at < offset; at++) {
      if (source.charCodeAt(at) === 10) {
        row++;
        lineStart = at + 1;
      }
    }
    return { row, column: offset - lineStart };
  };
  return ranges.map(([start, end]) => ({ startIndex: start, startPosition: pointAt(start), endIndex: end, endPosition: pointAt(end) }));
}
