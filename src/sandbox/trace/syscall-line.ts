/**
 * One line of `strace -f -y -qq --decode-pids=pidns -o FILE` output, parsed into the syscall's name, its
 * arguments as a small tree, and its result. Only the syntax strace prints is understood here; what a syscall
 * means is `interpret.ts`'s business.
 *
 *   1234 openat(AT_FDCWD</work>, "x.py", O_RDONLY|O_CLOEXEC) = 3</work/x.py>
 *   1234 connect(3<socket:[99]>, {sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("127.0.0.1")}, 16) = 0
 *   1234 vfork( <unfinished ...>
 *   1234 <... vfork resumed>)              = 7 /* 1240 in strace's PID NS *\/
 */

/** An argument as strace prints it. */
export type Arg =
  /** A quoted string, unescaped to its bytes; `truncated` when strace cut it at `-s` (printed `"…"...`). */
  | { t: 'str'; bytes: Buffer; truncated: boolean }
  /** `[a, b]` */
  | { t: 'list'; items: Arg[] }
  /** `{name=value, value}`: named fields, and unnamed ones in order. */
  | { t: 'struct'; fields: Map<string, Arg>; items: Arg[] }
  /** `htons(53)`, `inet_addr("1.2.3.4")`, `inet_pton(AF_INET6, "::1", &sin6_addr)` */
  | { t: 'call'; name: string; args: Arg[] }
  /** Anything else: numbers, flags, constants. `path` is the `-y` annotation (`3</work/x.py>` has path `/work/x.py`). */
  | { t: 'atom'; text: string; path?: string };

export interface SyscallLine {
  pid: number;
  name: string;
  args: Arg[];
  /** The return value as printed (`0`, `-1`, `3`, `?`, `0x7f…`). */
  ret: string;
  /** The `-y` path of a returned file descriptor (`= 3</work/x.py>`). */
  retPath?: string;
  /** `ENOENT` for `= -1 ENOENT (No such file or directory)`. */
  errno?: string;
  /** For clone, fork and vfork: the child's pid as strace sees it (`/* 1240 in strace's PID NS *\/`). */
  childPid?: number;
}

/** The start of a syscall that another process's line interrupted; its end arrives later with `resumed`. */
export interface UnfinishedLine {
  pid: number;
  name: string;
  text: string;
}

export type ParsedLine =
  | { kind: 'syscall'; line: SyscallLine }
  | { kind: 'unfinished'; pending: UnfinishedLine }
  | { kind: 'resumed'; pid: number; name: string; rest: string }
  /** Exit and signal notices (`+++ exited with 0 +++`, `--- SIGCHLD … ---`), and blank lines. */
  | { kind: 'notice' };

export class TraceSyntaxError extends Error {}

const linePattern = /^(\d+) +(.*)$/s;

/** Splits a raw line into its kind; a complete syscall is parsed, the halves of an interrupted one are kept as text. */
export function parseTraceLine(raw: string): ParsedLine {
  const m = linePattern.exec(raw);
  if (!m) {
    if (raw.trim() === '') return { kind: 'notice' };
    throw new TraceSyntaxError('no pid at the start of the line');
  }
  const pid = Number(m[1]);
  const body = m[2]!;
  if (body.startsWith('+++') || body.startsWith('---')) return { kind: 'notice' };
  const resumed = /^<\.\.\. ([\w]+) resumed>(.*)$/s.exec(body);
  if (resumed) return { kind: 'resumed', pid, name: resumed[1]!, rest: resumed[2]! };
  const call = /^([\w]+)\(/.exec(body);
  if (!call) throw new TraceSyntaxError('no syscall name');
  if (body.endsWith(' <unfinished ...>')) {
    return { kind: 'unfinished', pending: { pid, name: call[1]!, text: body.slice(0, -' <unfinished ...>'.length) } };
  }
  return { kind: 'syscall', line: parseSyscall(pid, body) };
}

/** Joins an interrupted syscall's two halves into one line and parses it. */
export function joinResumed(pending: UnfinishedLine, rest: string): SyscallLine {
  return parseSyscall(pending.pid, pending.text + rest);
}

/** Parses `name(args) = ret …` for one process. */
export function parseSyscall(pid: number, body: string): SyscallLine {
  const reader = new Reader(body);
  const name = reader.word();
  reader.expect('(');
  const args = reader.items(')');
  reader.expect(')');
  const tail = body.slice(reader.pos);
  const result = /^\s*=\s*(\S+?)(?:<((?:[^>\\]|\\.)*)>)?(?:\s+([A-Z][A-Z0-9_]+)\s*(?:\([^)]*\))?)?\s*(?:\/\*\s*(\d+) in strace's PID NS\s*\*\/)?\s*(?:\(.*\))?\s*$/s.exec(tail);
  if (!result) throw new TraceSyntaxError(`cannot read the result '${tail.slice(0, 60)}'`);
  const line: SyscallLine = { pid, name, args, ret: result[1]! };
  if (result[2] !== undefined) line.retPath = unescapeAnnotation(result[2]);
  if (result[3] !== undefined) line.errno = result[3];
  if (result[4] !== undefined) line.childPid = Number(result[4]);
  return line;
}

/** `-y` paths escape `<`, `>`, `\` and non-printable bytes the way strings do. */
function unescapeAnnotation(text: string): string {
  return unescape(text).bytes.toString('utf8');
}

const simpleEscapes: Readonly<Record<string, number>> = { n: 10, t: 9, r: 13, v: 11, f: 12, a: 7, b: 8, e: 27, '"': 34, '\\': 92, "'": 39, '<': 60, '>': 62 };

function unescape(text: string): { bytes: Buffer } {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x5c || i + 1 >= text.length) {
      if (c < 0x80) out.push(c);
      else out.push(...Buffer.from(text[i]!, 'utf8'));
      continue;
    }
    const n = text[++i]!;
    const simple = simpleEscapes[n];
    if (simple !== undefined) out.push(simple);
    else if (n === 'x') {
      out.push(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (n >= '0' && n <= '7') {
      let j = i;
      while (j < i + 3 && j < text.length && text[j]! >= '0' && text[j]! <= '7') j++;
      out.push(parseInt(text.slice(i, j), 8) & 0xff);
      i = j - 1;
    } else out.push(n.charCodeAt(0));
  }
  return { bytes: Buffer.from(out) };
}

class Reader {
  pos = 0;

  constructor(private readonly text: string) {}

  private peek(): string {
    return this.text[this.pos] ?? '';
  }

  private skipSpace(): void {
    for (;;) {
      while (this.peek() === ' ') this.pos++;
      if (this.text.startsWith('/*', this.pos)) {
        const end = this.text.indexOf('*/', this.pos + 2);
        if (end < 0) throw new TraceSyntaxError('unclosed comment');
        this.pos = end + 2;
        continue;
      }
      return;
    }
  }

  expect(ch: string): void {
    this.skipSpace();
    if (this.peek() !== ch) throw new TraceSyntaxError(`expected '${ch}' at ${this.pos}, found '${this.text.slice(this.pos, this.pos + 20)}'`);
    this.pos++;
  }

  word(): string {
    const m = /^[\w]+/.exec(this.text.slice(this.pos, this.pos + 64));
    if (!m) throw new TraceSyntaxError(`expected a name at ${this.pos}`);
    this.pos += m[0].length;
    return m[0];
  }

  /** Comma-separated values up to (not including) `close`. */
  items(close: string): Arg[] {
    const out: Arg[] = [];
    this.skipSpace();
    if (this.peek() === close) return out;
    for (;;) {
      out.push(this.value());
      this.skipSpace();
      if (this.peek() === ',') {
        this.pos++;
        this.skipSpace();
        continue;
      }
      if (this.peek() === close) return out;
      // `{...} => {...}` (clone3) and `[a] => [b]` (value-result arguments): keep the value after the arrow.
      if (this.text.startsWith('=>', this.pos)) {
        this.pos += 2;
        out.pop();
        continue;
      }
      throw new TraceSyntaxError(`expected ',' or '${close}' at ${this.pos}, found '${this.text.slice(this.pos, this.pos + 20)}'`);
    }
  }

  value(): Arg {
    this.skipSpace();
    const c = this.peek();
    if (c === '"') return this.string();
    if (c === '@' && this.text[this.pos + 1] === '"') {
      // An abstract Unix socket name: `sun_path=@"name"`.
      this.pos++;
      const name = this.string();
      return name.t === 'str' ? { ...name, bytes: Buffer.concat([Buffer.from('@'), name.bytes]) } : name;
    }
    if (c === '[') {
      this.pos++;
      const items = this.items(']');
      this.expect(']');
      return { t: 'list', items };
    }
    if (c === '{') {
      this.pos++;
      const struct = this.struct();
      this.expect('}');
      return struct;
    }
    return this.atom();
  }

  private string(): Arg {
    const start = ++this.pos;
    while (this.pos < this.text.length && this.text[this.pos] !== '"') this.pos += this.text[this.pos] === '\\' ? 2 : 1;
    if (this.pos >= this.text.length) throw new TraceSyntaxError('unclosed string');
    const { bytes } = unescape(this.text.slice(start, this.pos));
    this.pos++;
    const truncated = this.text.startsWith('...', this.pos);
    if (truncated) this.pos += 3;
    return { t: 'str', bytes, truncated };
  }

  private struct(): Arg {
    const fields = new Map<string, Arg>();
    const items: Arg[] = [];
    this.skipSpace();
    if (this.peek() === '}') return { t: 'struct', fields, items };
    for (;;) {
      this.skipSpace();
      const named = /^([A-Za-z_][\w.]*)=(?!>)/.exec(this.text.slice(this.pos, this.pos + 80));
      if (named) {
        this.pos += named[0].length;
        fields.set(named[1]!, this.value());
      } else items.push(this.value());
      this.skipSpace();
      if (this.peek() === ',') {
        this.pos++;
        continue;
      }
      if (this.peek() === '}') return { t: 'struct', fields, items };
      if (this.text.startsWith('...', this.pos)) {
        this.pos += 3;
        continue;
      }
      throw new TraceSyntaxError(`expected ',' or '}' at ${this.pos}`);
    }
  }

  /** A constant, number or flag set, a call like `htons(53)`, or `...`; with a `-y` `<path>` annotation if any. */
  private atom(): Arg {
    const start = this.pos;
    const name = /^[A-Za-z_]\w*(?=\()/.exec(this.text.slice(this.pos, this.pos + 64));
    if (name) {
      this.pos += name[0].length + 1;
      const args = this.items(')');
      this.expect(')');
      return { t: 'call', name: name[0], args };
    }
    while (this.pos < this.text.length) {
      const ch = this.text[this.pos]!;
      if (ch === ',' || ch === ')' || ch === ']' || ch === '}' || ch === '<' || ch === '"' || ch === '{' || ch === '[') break;
      if (ch === ' ' && !/^ ?[|&*+-] ?/.test(this.text.slice(this.pos, this.pos + 3))) {
        // `0x7ffc /* 35 vars */` and `AT_FDCWD</x>`: an atom ends at a space unless an operator joins it to the next part.
        break;
      }
      this.pos++;
    }
    const text = this.text.slice(start, this.pos).trim();
    if (this.peek() === '<') {
      const end = this.closingAngle(this.pos);
      const path = unescapeAnnotation(this.text.slice(this.pos + 1, end));
      this.pos = end + 1;
      return { t: 'atom', text, path };
    }
    if (text === '' && this.peek() !== '"') throw new TraceSyntaxError(`unexpected '${this.peek()}' at ${this.pos}`);
    return { t: 'atom', text };
  }

  private closingAngle(from: number): number {
    let i = from + 1;
    while (i < this.text.length && this.text[i] !== '>') i += this.text[i] === '\\' ? 2 : 1;
    if (i >= this.text.length) throw new TraceSyntaxError('unclosed <path> annotation');
    return i;
  }
}

/** The text of a string argument (UTF-8, invalid bytes replaced), or undefined when `arg` is not a string. */
export function argText(arg: Arg | undefined): string | undefined {
  return arg?.t === 'str' ? arg.bytes.toString('utf8') : undefined;
}
