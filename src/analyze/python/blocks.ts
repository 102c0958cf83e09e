/**
 * The top-level blocks of a Python file, read from its text in one pass
 * before anything parses it: each `def` or `class` at column 0 (with its
 * decorators) is a block of its own, and all other module-level statements
 * together are the module block. Triple-quoted strings are skipped, so a
 * docstring line at column 0 does not end a function.
 *
 * Behaviour rules use this to decide whether a file is worth parsing: their
 * sink and their sources must meet in one block, or the sink's block must
 * name the block where the source is (`exec(decode(BLOB))` at module level,
 * with `decode` a function that calls b64decode), or a block that calls the
 * sink's block must (see `meet`).
 */

export interface Block {
  start: number;
  /** The name a `def` or `class` block defines; undefined for module-level statements. */
  name?: string;
  /** Set for a `class` block. */
  isClass?: boolean;
}

export class Blocks {
  private constructor(
    readonly text: string,
    /** Blocks in text order; module-level runs all have the name undefined. */
    readonly blocks: Block[],
  ) {}

  static of(text: string): Blocks {
    const blocks: Block[] = [{ start: 0 }];
    let state = freshLine;
    let decorated = -1;
    for (let i = 0; i < text.length; ) {
      const end = text.indexOf('\n', i);
      const lineEnd = end === -1 ? text.length : end;
      if (startsStatement(state)) {
        const c = text.charCodeAt(i);
        // A statement at column 0 (not a comment, not blank, not a continuation of brackets) starts a block.
        if (c !== 32 && c !== 9 && c !== 10 && c !== 13 && c !== 35) {
          const m = /^(?:async\s+)?(def|class)\s+([A-Za-z_]\w*)/.exec(text.slice(i, Math.min(lineEnd, i + 200)));
          if (text.charCodeAt(i) === 64) {
            if (decorated === -1) decorated = i; // decorators belong to the def below them
          } else if (m !== null) {
            blocks.push({ start: decorated === -1 ? i : decorated, name: m[2]!, ...(m[1] === 'class' ? { isClass: true } : {}) });
            decorated = -1;
          } else {
            decorated = -1;
            if (blocks[blocks.length - 1]!.name !== undefined) blocks.push({ start: i });
          }
        }
      }
      state = lineStateAfter(text, i, lineEnd, state);
      i = lineEnd + 1;
    }
    return new Blocks(text, blocks);
  }

  /** The index of the block holding `offset`. */
  indexAt(offset: number): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.blocks[mid]!.start <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The text of the block at `index`; module-level blocks are one scope, so all of them are given together. */
  private textOf(index: number): string {
    const b = this.blocks[index];
    if (b?.name !== undefined) return this.text.slice(b.start, this.blocks[index + 1]?.start ?? this.text.length);
    return this.blocks
      .map((x, i) => (x.name === undefined ? this.text.slice(x.start, this.blocks[i + 1]?.start ?? this.text.length) : ''))
      .join('\n');
  }

  /**
   * Where `anchor` and what `holds` needs meet: for some match of `anchor`,
   * the anchor's block together with the blocks it names (a function it
   * calls, a class it instantiates), when `holds` is true of their text;
   * failing that, those together with the blocks that call the anchor's block
   * (up to two calls up, the module level included) and the blocks those
   * name. A download in one helper and the run of its file in another, both
   * called from the module level, meet there. Gives the scopes (by key: -1
   * for the module level, else a block's index), or undefined when they do
   * not meet.
   */
  meeting(anchor: RegExp, holds: (scope: string) => boolean): ReadonlySet<number> | undefined {
    const flags = anchor.flags.includes('g') ? anchor.flags : `${anchor.flags}g`;
    const seen = new Set<number>();
    for (const m of this.text.matchAll(new RegExp(anchor.source, flags))) {
      const index = this.keyOf(this.indexAt(m.index));
      if (seen.has(index)) continue;
      seen.add(index);
      const near = this.near(index);
      if (holds(this.textOfAll(near))) return near;
      const wide = this.wide(index, near);
      if (wide.size > near.size && holds(this.textOfAll(wide))) return wide;
    }
    return undefined;
  }

  /**
   * The scopes (by key) that hold any of `words`, each widened as `meeting`
   * widens an anchor's: where code that uses one of the words gets its data
   * and sends it.
   */
  around(words: readonly string[]): Set<number> {
    const holding = new Set<number>();
    for (const w of words) {
      for (let at = this.text.indexOf(w); at !== -1 && holding.size < 256; at = this.text.indexOf(w, at + w.length)) holding.add(this.keyOf(this.indexAt(at)));
    }
    const out = new Set<number>();
    for (const key of holding) for (const k of this.wide(key, this.near(key))) out.add(k);
    return out;
  }

  /** The scope `key` with the named blocks it mentions. */
  private near(key: number): Set<number> {
    return new Set([key, ...this.named(key)]);
  }

  /** `near` with the scopes that call `key` (two calls up) and the named blocks those mention. */
  private wide(key: number, near: ReadonlySet<number>): Set<number> {
    const wide = new Set(near);
    for (const c of this.callers(key, 2)) {
      wide.add(c);
      for (const n of this.named(c)) wide.add(n);
    }
    return wide;
  }

  /**
   * The text ranges [start, end) of the module-level statements and of the
   * scopes `keys`, in text order, adjacent ones merged. Each starts and ends at
   * the start of a line, so that the text they cover together reads as a
   * module of its own. With `wanted`, a class keeps its header and class-level
   * statements but only the methods `wanted` picks, with those they name, those
   * that name them, and its constructors; a class of which it picks none is
   * kept whole.
   */
  rangesOf(keys: ReadonlySet<number>, wanted?: (text: string) => boolean): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    const add = (start: number, end: number): void => {
      const last = out[out.length - 1];
      if (last !== undefined && last[1] === start) last[1] = end;
      else out.push([start, end]);
    };
    this.blocks.forEach((b, i) => {
      const end = this.blocks[i + 1]?.start ?? this.text.length;
      if (b.name !== undefined && !keys.has(i)) return;
      if (b.isClass !== true || wanted === undefined) return add(b.start, end);
      for (const part of this.classParts(b.start, end, wanted)) add(part.start, part.end);
    });
    return out;
  }

  private classParts(start: number, end: number, wanted: (text: string) => boolean): Member[] {
    const members = classMembers(this.text, start, end);
    const methods = members.filter((m) => m.name !== undefined);
    const textOf = (m: Member): string => this.text.slice(m.start, m.end);
    const picked = methods.filter((m) => wanted(textOf(m)));
    if (picked.length === 0) return [{ start, end }];
    const keep = new Set(picked);
    const wordsOf = new Map(methods.map((m) => [m, new Set(textOf(m).match(/[A-Za-z_]\w*/g) ?? [])]));
    for (const m of methods) {
      if (keep.has(m)) continue;
      // Constructors set the attributes the others read; a method a picked one calls, or one that calls it, is
      // where its data comes from or goes.
      if (m.name === '__init__' || m.name === '__new__' || picked.some((p) => wordsOf.get(p)!.has(m.name!) || wordsOf.get(m)!.has(p.name!))) keep.add(m);
    }
    return members.filter((m) => m.name === undefined || keep.has(m));
  }

  /** All module-level runs are one scope: they go by the key -1. */
  private keyOf(index: number): number {
    return this.blocks[index]!.name === undefined ? -1 : index;
  }

  /** The words of each scope (by key), read once: which names a block mentions. */
  private words = new Map<number, Set<string>>();

  private wordsOf(key: number): Set<string> {
    let words = this.words.get(key);
    if (words === undefined) {
      words = new Set(this.textOf(key).match(/[A-Za-z_]\w*/g) ?? []);
      this.words.set(key, words);
    }
    return words;
  }

  /** The named blocks (by key) that the scope `key` mentions by name. */
  private named(key: number): number[] {
    const words = this.wordsOf(key);
    const out: number[] = [];
    for (let i = 0; i < this.blocks.length; i++) {
      const name = this.blocks[i]!.name;
      if (name !== undefined && i !== key && words.has(name)) out.push(i);
    }
    return out;
  }

  /** The scopes (by key, the module level included) that mention the named block `key`, up to `levels` calls up. */
  private callers(key: number, levels: number): Set<number> {
    const out = new Set<number>();
    let frontier = [key];
    for (let level = 0; level < levels && frontier.length > 0; level++) {
      const next: number[] = [];
      for (const callee of frontier) {
        const name = callee === -1 ? undefined : this.blocks[callee]!.name;
        if (name === undefined) continue;
        // Where the name occurs as a word, and in which scope: a scan of the text for it, not a tokenizing of every block.
        for (let at = this.text.indexOf(name); at !== -1; at = this.text.indexOf(name, at + name.length)) {
          if (/\w/.test(this.text[at - 1] ?? '') || /\w/.test(this.text[at + name.length] ?? '')) continue;
          const k = this.keyOf(this.indexAt(at));
          if (k === callee || k === key || out.has(k)) continue;
          out.add(k);
          next.push(k);
          if (out.size >= 64) return out;
        }
      }
      frontier = next;
    }
    return out;
  }

  private textOfAll(keys: Set<number>): string {
    return [...keys].map((k) => this.textOf(k)).join('\n');
  }
}

/** A part of a class body: a method (with its decorators), or a run of other statements (the header first). */
interface Member {
  start: number;
  end: number;
  /** The method's name; undefined for other statements. */
  name?: string;
}

/**
 * The parts of the class whose text is [start, end): the methods at the
 * indentation of its body, each from its decorators to the next part, and
 * the runs of other statements between them (the `class` line first).
 */
function classMembers(text: string, start: number, end: number): Member[] {
  const members: Member[] = [{ start, end }];
  // The `class` line, after the decorators.
  let header = start;
  while (text.charCodeAt(header) === 64 && header < end) header = text.indexOf('\n', header) + 1 || end;
  const headerEnd = text.indexOf('\n', header);
  if (headerEnd === -1 || headerEnd >= end) return members;
  let state = lineStateAfter(text, header, headerEnd, freshLine);
  let bodyIndent = -1;
  let decorated = -1;
  const open = (at: number, name?: string): void => {
    members[members.length - 1]!.end = at;
    members.push({ start: at, end, ...(name !== undefined ? { name } : {}) });
  };
  for (let i = headerEnd + 1; i < end; ) {
    const newline = text.indexOf('\n', i);
    const lineEnd = newline === -1 || newline > end ? end : newline;
    if (startsStatement(state)) {
      let at = i;
      while (at < lineEnd && (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9)) at++;
      const c = text.charCodeAt(at);
      if (at < lineEnd && c !== 35 && c !== 13) {
        if (bodyIndent === -1) bodyIndent = at - i;
        if (at - i === bodyIndent) {
          const m = /^(?:async\s+)?def\s+([A-Za-z_]\w*)/.exec(text.slice(at, Math.min(lineEnd, at + 200)));
          if (c === 64) {
            if (decorated === -1) decorated = i; // decorators belong to the def below them
          } else if (m !== null) {
            open(decorated === -1 ? i : decorated, m[1]!);
            decorated = -1;
          } else {
            decorated = -1;
            if (members[members.length - 1]!.name !== undefined) open(i);
          }
        }
      }
    }
    state = lineStateAfter(text, i, lineEnd, state);
    i = lineEnd + 1;
  }
  return members;
}

/**
 * What a line leaves open for the next one: a triple-quoted string (its quotes, '' when none), brackets (how many),
 * or a backslash continuation. Only a line with none of them open starts a statement.
 */
interface LineState {
  triple: string;
  brackets: number;
  continued: boolean;
}

const freshLine: LineState = { triple: '', brackets: 0, continued: false };

function startsStatement(state: LineState): boolean {
  return state.triple === '' && state.brackets === 0 && !state.continued;
}

/** The state after the line [from, to), read roughly: strings, comments, brackets and a trailing backslash. */
function lineStateAfter(text: string, from: number, to: number, before: LineState): LineState {
  let triple = before.triple;
  let brackets = before.brackets;
  let continued = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (triple !== '') {
      if (c === 92) i++;
      else if ((c === 34 || c === 39) && text.startsWith(triple, i)) {
        triple = '';
        i += 2;
      }
      continue;
    }
    if (c === 35) break; // a comment: nothing after it on this line counts
    if (c === 40 || c === 91 || c === 123) brackets++;
    else if ((c === 41 || c === 93 || c === 125) && brackets > 0) brackets--;
    else if (c === 92 && i === lastNonBlank(text, from, to)) continued = true;
    else if (c === 34 || c === 39) {
      const q = text[i]!;
      if (text.startsWith(q + q + q, i)) {
        triple = q + q + q;
        i += 2;
        continue;
      }
      // A one-line string: skip to its end on this line.
      for (i++; i < to && text[i] !== q; i++) if (text.charCodeAt(i) === 92) i++;
    }
  }
  // Inside a triple-quoted string brackets do not count; an unclosed bracket in a broken file is given up at 64.
  return { triple, brackets: brackets > 64 ? 0 : brackets, continued };
}

function lastNonBlank(text: string, from: number, to: number): number {
  let at = to - 1;
  while (at >= from && (text.charCodeAt(at) === 32 || text.charCodeAt(at) === 9 || text.charCodeAt(at) === 13)) at--;
  return at;
}
