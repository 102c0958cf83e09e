/**
 * The constant folder and taint tracker of one module. `evaluate(node)` says
 * what an expression is as far as the source alone can tell: it folds
 * literals and the tricks that hide them (concatenation, join, slicing and
 * reversal, chr/ord lists, bytes.fromhex, rot13, getattr on builtins,
 * __import__, globals()[...], index arithmetic on str(builtin)), runs the
 * decoders of unpack/decoders.ts on literal payloads, resolves names through
 * imports and assignments within the module, and carries taints (where the
 * data came from) through every operation it cannot compute.
 *
 * Bounded everywhere: a step budget per module, a depth limit on nesting, a
 * size limit on every string it builds. Past a bound the answer is
 * "unknown", never an exception and never a hang.
 */
import type { Node } from 'web-tree-sitter';
import { builtinNames, builtinText } from '../unpack/builtin-text.js';
import {
  base32Decode,
  base64Decode,
  base85Decode,
  bz2Decompress,
  fernetDecrypt,
  gzipDecompress,
  hexDecode,
  maxDecodedBytes,
  rot13,
  zlibDecompress,
} from '../unpack/decoders.js';
import { literalPrefix, unescape } from '../unpack/literal.js';
import { hole, taints, textOf, unknown, unknownWith, type Value, viaOf, withTaint } from '../unpack/value.js';
import { environmentTaint, fileReads, isReconCall, networkReads, secretCalls, secretPath, storePath } from './api.js';
import type { FunctionInfo, ModuleModel } from './module-model.js';

export interface EvaluationLimits {
  /** Evaluation steps for the whole module. */
  steps: number;
  /** Nesting depth of one evaluation. */
  depth: number;
  /** Characters of any one string built. */
  stringChars: number;
  /** Items of any one list built. */
  listItems: number;
}

/** Looks up a module-level string constant of another module of the same artifact: `(module as imported, name)`. */
export type ConstantResolver = (module: string, name: string) => string | undefined;

export const defaultLimits: EvaluationLimits = { steps: 200_000, depth: 120, stringChars: maxDecodedBytes, listItems: 100_000 };

type Env = ReadonlyMap<string, Value> | undefined;

/** The names a method's first parameter goes by. */
const selfNames = new Set(['self', 'cls']);

const decoded = taints.decoded;
const obfuscated = taints.obfuscated;

function str(s: string, t: number, via?: readonly string[], partial?: boolean): Value {
  const v: Value = { kind: 'str', s, t };
  if (via !== undefined && via.length > 0) v.via = via;
  if (partial) v.partial = true;
  return v;
}

function bytes(b: Buffer, t: number, via?: readonly string[]): Value {
  return via !== undefined && via.length > 0 ? { kind: 'bytes', b, t, via } : { kind: 'bytes', b, t };
}

function ref(name: string, t = 0, self?: Value): Value {
  return self === undefined ? { kind: 'ref', name, t } : { kind: 'ref', name, t, self };
}

/** A reference by name; the whole environment holds the host's details and, in CI and on servers, its tokens. */
function named(name: string, t: number, self?: Value): Value {
  return ref(name, name === 'os.environ' ? t | taints.secret | taints.recon : t, self);
}

/** The URL of a messenger's incoming webhook or bot API: whatever is sent there goes to whoever holds it. */
const messengerWebhook = /discord(?:app)?\.com\/api\/webhooks\/|hooks\.slack\.com\/|api\.telegram\.org\/bot/i;

/** A command whose output names the user, the host or its network: whoami, hostname, uname, ipconfig, systeminfo, a what-is-my-IP service. */
function printsRecon(command: Value): boolean {
  const text = command.kind === 'list' ? command.items.map((x) => textOf(x) ?? hole).join(' ') : textOf(command);
  return text !== undefined && /^\s*(whoami|hostname|uname\s+-a|id|ipconfig|ifconfig|ip\s+a(ddr)?|systeminfo|net\s+user|(curl|wget)\s+[^|;&]*(ifconfig\.me|ipinfo\.io|api\.ipify\.org|icanhazip\.com|checkip\.))\b/i.test(text);
}

/** A command (text or argument list) that prints what a URL serves: `curl -s https://…`, `wget -qO- …`. */
function fetchesUrl(command: Value): boolean {
  const text = command.kind === 'list' ? command.items.map((x) => textOf(x) ?? hole).join(' ') : textOf(command);
  return text !== undefined && /^\s*(curl|wget)(\.exe)?\s[^|;&]*\b(https?|ftp):\/\//i.test(text) && !/\s(-o|--output|-O)\s/.test(text);
}

/** Reading this path reads a secret (a credential file) or a store (browser, messenger, wallet). */
function pathTaint(path: Value | undefined): number {
  const text = path === undefined ? undefined : textOf(path);
  if (text === undefined) return 0;
  return (secretPath.test(text) ? taints.secret : 0) | (storePath.test(text) ? taints.store : 0);
}

function taintOfAll(values: Iterable<Value>): number {
  let t = 0;
  for (const v of values) t |= v.t;
  return t;
}

function asInt(v: Value): bigint | undefined {
  return v.kind === 'int' ? v.n : undefined;
}

/** A Python index (negative counts from the end) into a length, or undefined when out of range. */
function index(i: bigint, length: number): number | undefined {
  const n = Number(i < 0n ? i + BigInt(length) : i);
  return n >= 0 && n < length ? n : undefined;
}

function sliceIndices(length: number, start: bigint | undefined, stop: bigint | undefined, step: bigint | undefined): number[] | undefined {
  const s = Number(step ?? 1n);
  if (s === 0) return undefined;
  const clamp = (x: bigint | undefined, dflt: number, lo: number, hi: number): number => {
    if (x === undefined) return dflt;
    let n = Number(x);
    if (n < 0) n += length;
    return Math.min(Math.max(n, lo), hi);
  };
  const out: number[] = [];
  if (s > 0) {
    const a = clamp(start, 0, 0, length);
    const b = clamp(stop, length, 0, length);
    for (let i = a; i < b; i += s) out.push(i);
  } else {
    const a = clamp(start, length - 1, -1, length - 1);
    const b = clamp(stop, -1, -1, length - 1);
    for (let i = a; i > b; i += s) out.push(i);
  }
  return out;
}

class OutOfBudget extends Error {}

export class Evaluator {
  private steps = 0;
  private readonly memo = new Map<number, Value>();
  private readonly active = new Set<number>();
  /** The local functions whose call is being evaluated, by start offset. */
  private readonly calling = new Set<number>();
  private droppedNames: ReadonlySet<string> = new Set();
  private droppedPaths: readonly string[] = [];
  private droppedFileNames: readonly string[] = [];

  constructor(
    readonly model: ModuleModel,
    readonly limits: EvaluationLimits = defaultLimits,
    /** A string constant another module of the artifact defines (`from .config import URL`), when it can tell. */
    readonly constantOf: ConstantResolver = () => undefined,
  ) {}

  /** What `node` evaluates to; unknown (with what taints it carries) when it cannot be folded. */
  evaluate(node: Node, env?: Env, depth = 0): Value {
    try {
      return this.eval(node, env, depth);
    } catch (err) {
      if (err instanceof OutOfBudget || err instanceof RangeError) return unknown;
      throw err;
    }
  }

  /** Names and paths of files written with downloaded or decoded data: what reads them is `dropped`. */
  markDropped(names: ReadonlySet<string>, paths: ReadonlySet<string>): void {
    this.droppedNames = names;
    this.droppedPaths = [...paths];
    // File names with an extension, known in full and long enough not to be a word of any command (`a.py` is not).
    this.droppedFileNames = this.droppedPaths.map((p) => p.replace(/^.*[\\/]/, '')).filter((n) => n.length >= 6 && !n.includes(hole) && /^[^.\s]+.*\.\w{1,5}$/.test(n));
    this.memo.clear();
  }

  /** `dropped` when the text names a file written with downloaded or decoded data. */
  private droppedTaintOf(text: string): number {
    if (this.droppedPaths.length === 0) return 0;
    // By its whole path, or by its file name (`chdir(folder)` then `Popen("stage.vbs")`): whether that name is the
    // program a command runs is for the process sink to decide.
    return this.droppedPaths.some((p) => text.includes(p)) || this.droppedFileNames.some((n) => text.includes(n)) ? taints.dropped : 0;
  }

  get exhausted(): boolean {
    return this.steps >= this.limits.steps;
  }

  private eval(node: Node, env: Env, depth: number): Value {
    if (++this.steps > this.limits.steps) throw new OutOfBudget();
    if (depth > this.limits.depth) return unknown;
    const memoable = env === undefined;
    if (memoable) {
      const hit = this.memo.get(node.id);
      if (hit !== undefined) return hit;
      if (this.active.has(node.id)) return unknown; // a cycle through assignments
      this.active.add(node.id);
    }
    try {
      const v = this.compute(node, env, depth + 1);
      if (memoable) this.memo.set(node.id, v);
      return v;
    } finally {
      if (memoable) this.active.delete(node.id);
    }
  }

  private compute(node: Node, env: Env, depth: number): Value {
    const sub = (n: Node | null | undefined): Value => (n ? this.eval(n, env, depth) : unknown);
    switch (node.type) {
      case 'string':
        return this.stringLiteral(node, env, depth);
      case 'concatenated_string': {
        const parts = node.namedChildren.map((c) => sub(c));
        return this.add(parts);
      }
      case 'integer': {
        const text = node.text.replace(/_/g, '').replace(/[lL]$/, '');
        try {
          return { kind: 'int', n: BigInt(/^0[0-7]+$/.test(text) ? `0o${text.slice(1)}` : text), t: 0 };
        } catch {
          return unknown;
        }
      }
      case 'float':
        return { kind: 'float', n: Number(node.text.replace(/_/g, '')), t: 0 };
      case 'true':
        return { kind: 'int', n: 1n, t: 0 };
      case 'false':
        return { kind: 'int', n: 0n, t: 0 };
      case 'parenthesized_expression':
      case 'expression_statement':
      case 'await':
        return sub(node.namedChildren[0]);
      case 'list':
      case 'tuple':
      case 'set':
      case 'expression_list': {
        const items = node.namedChildren.slice(0, this.limits.listItems).map((c) => sub(c));
        return { kind: 'list', items, t: taintOfAll(items) };
      }
      case 'dictionary': {
        // Only what it carries matters: the taints of its values (a dict of stolen data sent as JSON).
        let t = 0;
        for (const pair of node.namedChildren) if (pair?.type === 'pair') t |= sub(pair.childForFieldName('value')).t;
        return unknownWith(t);
      }
      case 'identifier':
        return this.name(node, env, depth);
      case 'attribute': {
        const obj = sub(node.childForFieldName('object'));
        const attr = node.childForFieldName('attribute')?.text ?? '';
        if (obj.kind === 'ref' && obj.name.startsWith('self@')) return withTaint(this.member(obj.name.slice('self@'.length), attr, depth), obj.t);
        return this.attribute(obj, attr);
      }
      case 'subscript':
        return this.subscript(node, env, depth);
      case 'binary_operator':
        return this.binary(node.childForFieldName('operator')?.text ?? '', sub(node.childForFieldName('left')), sub(node.childForFieldName('right')));
      case 'unary_operator': {
        const v = sub(node.childForFieldName('argument'));
        const op = node.childForFieldName('operator')?.text;
        if (v.kind === 'int') return { kind: 'int', n: op === '-' ? -v.n : op === '~' ? ~v.n : v.n, t: v.t };
        return unknownWith(v.t);
      }
      case 'call':
        return this.call(node, env, depth);
      case 'list_comprehension':
      case 'generator_expression':
        return this.comprehension(node, env, depth);
      case 'conditional_expression': {
        const [a, , b] = node.namedChildren;
        const va = sub(a);
        const vb = sub(b);
        return va.kind !== 'unknown' ? withTaint(va, vb.t) : withTaint(vb, va.t);
      }
      case 'boolean_operator': {
        const va = sub(node.childForFieldName('left'));
        const vb = sub(node.childForFieldName('right'));
        return va.kind !== 'unknown' ? withTaint(va, vb.t) : withTaint(vb, va.t);
      }
      case 'lambda':
        return { kind: 'ref', name: `<lambda>@${node.startIndex}`, t: 0 };
      case 'keyword_argument':
        return sub(node.childForFieldName('value'));
      case 'list_splat':
      case 'dictionary_splat':
        return sub(node.namedChildren[0]);
      default: {
        // Anything else (comparisons, f-string pieces, …): not computed, but what flows through it still counts.
        let t = 0;
        for (const c of node.namedChildren.slice(0, 32)) if (c) t |= sub(c).t;
        return unknownWith(t);
      }
    }
  }

  private stringLiteral(node: Node, env: Env, depth: number): Value {
    const start = node.child(0)?.text ?? '"';
    const parts = literalPrefix(start);
    let out = '';
    let t = 0;
    let partial = false;
    for (const c of node.namedChildren) {
      if (c === null) continue;
      if (c.type === 'string_content') out += parts.raw ? c.text : unescape(c.text, parts.bytes);
      else if (c.type === 'interpolation') {
        const v = this.eval(c.namedChildren[0]!, env, depth);
        t |= v.t;
        const text = v.kind === 'int' ? v.n.toString() : textOf(v);
        if (text === undefined) partial = true;
        out += text ?? hole;
      }
      if (out.length > this.limits.stringChars) return unknownWith(t);
    }
    t |= this.droppedTaintOf(out);
    if (parts.bytes) return bytes(Buffer.from(out, 'latin1'), t);
    return str(out, t, undefined, partial);
  }

  private name(node: Node, env: Env, depth: number): Value {
    const v = this.lookup(node, env, depth);
    if (this.droppedNames.size === 0) return v;
    return this.droppedNames.has(`${this.model.bindingScope(node.text, node)}:${node.text}`) ? withTaint(v, taints.dropped) : v;
  }

  private lookup(node: Node, env: Env, depth: number): Value {
    const name = node.text;
    const local = env?.get(name);
    if (local !== undefined) return local;
    const values = this.model.valuesOf(name, node);
    if (values.length > 0) {
      // The nearest assignment before the use (else the first one), plus the taints of every other.
      const before = values.filter((v) => v.startIndex < node.startIndex);
      const chosen = before.length > 0 ? before[before.length - 1]! : values[0]!;
      let v = this.eval(chosen, undefined, depth);
      for (const other of values) if (other !== chosen && other.startIndex < node.startIndex) v = withTaint(v, this.eval(other, undefined, depth).t);
      return v;
    }
    const owner = this.model.parameterOf(name, node);
    if (owner !== undefined) return selfNames.has(name) ? ref(`self@${owner.className ?? ''}`) : this.parameter(owner, name, depth);
    const imported = this.model.importedFrom.get(name);
    const constant = imported === undefined ? undefined : this.constantOf(imported.module, imported.name);
    if (constant !== undefined) return str(constant, 0);
    const alias = this.model.aliases.get(name);
    if (alias !== undefined) return named(alias, 0);
    const fn = this.model.functions.get(name);
    if (fn !== undefined) return ref(`<def>@${fn.startIndex}`);
    if (this.model.classes.has(name)) return ref(`self@${name}`);
    if (name === '__builtins__' || name === 'builtins') return ref('builtins');
    if (builtinNames.has(name)) return ref(`builtins.${name}`);
    return unknown;
  }

  /**
   * A member of an instance of a class of this module (`self.x`, `Cls.x`):
   * its method, or what the module assigns to attributes of that name.
   */
  private member(className: string, attr: string, depth: number): Value {
    const methods = this.model.functionsByName.get(attr)?.filter((f) => className === '' || f.className === className || f.className === undefined);
    const method = methods?.find((f) => f.className === className) ?? methods?.[0];
    if (method !== undefined) return ref(`<def>@${method.start}`);
    let result: Value | undefined;
    let t = 0;
    for (const n of this.model.attributes.get(attr) ?? []) {
      const v = this.eval(n, undefined, depth);
      t |= v.t;
      if (result === undefined && v.kind !== 'unknown') result = v;
    }
    return result === undefined ? unknownWith(t) : withTaint(result, t);
  }

  /** What a source text that is only a dotted name or an `__import__` of a literal refers to. */
  private nameInText(text: string): Value | undefined {
    const imported = /^__import__\(\s*(['"])([\w.]+)\1\s*\)$/.exec(text);
    if (imported !== null) return ref(imported[2]!);
    if (!/^[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*$/.test(text)) return undefined;
    const [head, ...rest] = text.split('.');
    const alias = this.model.aliases.get(head!);
    let v: Value | undefined = alias !== undefined ? named(alias, 0) : builtinNames.has(head!) ? ref(`builtins.${head}`) : undefined;
    for (const attr of rest) if (v !== undefined) v = this.attribute(v, attr);
    return v;
  }

  private attribute(obj: Value, attr: string): Value {
    if (obj.kind === 'ref') {
      // Module attributes and methods of instances: os.system, socket.socket().send.
      if (obj.name === 'builtins' && builtinNames.has(attr)) return ref(`builtins.${attr}`, obj.t);
      if (obj.name === 'builtins' && attr === '__dict__') return ref('builtins', obj.t);
      return named(`${obj.name}.${attr}`, obj.t, obj.self);
    }
    if (obj.kind === 'str' || obj.kind === 'bytes' || obj.kind === 'list' || obj.kind === 'int') return ref(`${obj.kind}.${attr}`, obj.t, obj);
    return unknownWith(obj.t);
  }

  private subscript(node: Node, env: Env, depth: number): Value {
    const base = this.eval(node.childForFieldName('value')!, env, depth);
    const key = node.childForFieldName('subscript');
    if (!key) return unknownWith(base.t);
    if (base.kind === 'ref' && (base.name === 'os.environ' || base.name === 'os.environb')) {
      const k = this.eval(key, env, depth);
      return this.environment(k.kind === 'str' ? k.s : '', k.t);
    }
    if (base.kind === 'ref' && (base.name === 'builtins' || base.name === 'globals()' || base.name === 'builtins.globals()' || base.name === 'builtins.vars()' || base.name === 'builtins.locals()')) {
      const k = this.eval(key, env, depth);
      if (k.kind === 'str') {
        const computed = key.type === 'string' ? 0 : obfuscated;
        if (builtinNames.has(k.s)) return ref(`builtins.${k.s}`, k.t | computed);
        const alias = this.model.aliases.get(k.s);
        if (alias !== undefined) return ref(alias, k.t | computed);
      }
      return unknownWith(k.t);
    }
    if (key.type === 'slice') {
      const [start, stop, step] = this.sliceParts(key, env, depth);
      const text = base.kind === 'str' ? base.s : undefined;
      const seq = base.kind === 'bytes' ? base.b : base.kind === 'list' ? base.items : text;
      if (seq === undefined) return unknownWith(base.t);
      const picked = sliceIndices(seq.length, start, stop, step);
      if (picked === undefined) return unknownWith(base.t);
      if (base.kind === 'str') {
        const chars = [...picked].map((i) => base.s[i]).join('');
        return str(chars, base.t, step !== undefined && step < 0n ? [...viaOf(base), 'reversed'] : base.via);
      }
      if (base.kind === 'bytes') return bytes(Buffer.from(picked.map((i) => base.b[i]!)), base.t, base.via);
      if (base.kind === 'list') return { kind: 'list', items: picked.map((i) => base.items[i]!), t: base.t };
    }
    const k = this.eval(key, env, depth);
    const i = asInt(k);
    if (i !== undefined) {
      if (base.kind === 'str') {
        const at = index(i, base.s.length);
        return at === undefined ? unknownWith(base.t) : str(base.s[at]!, base.t | k.t);
      }
      if (base.kind === 'bytes') {
        const at = index(i, base.b.length);
        return at === undefined ? unknownWith(base.t) : { kind: 'int', n: BigInt(base.b[at]!), t: base.t };
      }
      if (base.kind === 'list') {
        const at = index(i, base.items.length);
        return at === undefined ? unknownWith(base.t) : withTaint(base.items[at]!, base.t);
      }
    }
    return unknownWith(base.t | k.t);
  }

  private sliceParts(slice: Node, env: Env, depth: number): [bigint | undefined, bigint | undefined, bigint | undefined] {
    // tree-sitter gives the slice's pieces and colons in order: [start] : [stop] [: [step]].
    const parts: (bigint | undefined)[] = [undefined, undefined, undefined];
    let at = 0;
    for (let i = 0; i < slice.childCount; i++) {
      const c = slice.child(i);
      if (c === null) continue;
      if (c.type === ':') at++;
      else if (at < 3) parts[at] = asInt(this.eval(c, env, depth));
    }
    return parts as [bigint | undefined, bigint | undefined, bigint | undefined];
  }

  private add(parts: Value[]): Value {
    let acc = parts[0] ?? unknown;
    for (const p of parts.slice(1)) acc = this.binary('+', acc, p);
    return acc;
  }

  private binary(op: string, a: Value, b: Value): Value {
    const t = a.t | b.t;
    if (a.kind === 'int' && b.kind === 'int') {
      const x = a.n;
      const y = b.n;
      let n: bigint | undefined;
      switch (op) {
        case '+': n = x + y; break;
        case '-': n = x - y; break;
        case '*': n = x * y; break;
        case '//': n = y === 0n ? undefined : x / y - ((x % y !== 0n) && ((x < 0n) !== (y < 0n)) ? 1n : 0n); break;
        case '%': n = y === 0n ? undefined : ((x % y) + y) % y; break;
        case '<<': n = y >= 0n && y <= 4096n ? x << y : undefined; break;
        case '>>': n = y >= 0n ? x >> (y > 4096n ? 4096n : y) : undefined; break;
        case '&': n = x & y; break;
        case '|': n = x | y; break;
        case '^': n = x ^ y; break;
        case '**': n = y >= 0n && y <= 256n ? x ** y : undefined; break;
      }
      // Keep integers to a size a program could mean as a character or an index.
      if (n === undefined || n > 1n << 8192n || n < -(1n << 8192n)) return unknownWith(t);
      return { kind: 'int', n, t };
    }
    if (op === '+') {
      if (a.kind === 'str' && b.kind === 'str') {
        if (a.s.length + b.s.length > this.limits.stringChars) return unknownWith(t);
        const joined = a.s + b.s;
        // A path built in pieces (`expandvars('%TEMP%') + '\\x.py'`) names a dropped file once whole.
        return str(joined, t | this.droppedTaintOf(joined), a.via ?? b.via, a.partial === true || b.partial === true);
      }
      if (a.kind === 'bytes' && b.kind === 'bytes') return a.b.length + b.b.length > this.limits.stringChars ? unknownWith(t) : bytes(Buffer.concat([a.b, b.b]), t, a.via ?? b.via);
      if (a.kind === 'list' && b.kind === 'list') return a.items.length + b.items.length > this.limits.listItems ? unknownWith(t) : { kind: 'list', items: [...a.items, ...b.items], t };
      // Text joined to something unknown keeps the text, so a command or a path stays readable.
      const opaque = (v: Value): boolean => v.kind === 'unknown' || v.kind === 'ref';
      if (a.kind === 'str' && opaque(b)) return str(a.s + hole, t, a.via, true);
      if (opaque(a) && b.kind === 'str') return str(hole + b.s, t, b.via, true);
      // Bytes joined to something unknown (a decoded address and a key): the known part stays readable as text.
      if (a.kind === 'bytes' && opaque(b)) return str(a.b.toString('latin1') + hole, t, a.via, true);
    }
    if (op === '/' && b.kind === 'str') {
      // `path / "name"` only means something for pathlib paths: the joined path, still a Path.
      const base = a.kind === 'ref' && a.name === 'pathlib.Path()' ? ((a.self !== undefined ? textOf(a.self) : undefined) ?? hole) : a.kind === 'unknown' ? hole : undefined;
      if (base !== undefined) return ref('pathlib.Path()', t, str(`${base}/${b.s}`, t, undefined, base.includes(hole)));
    }
    if (op === '*') {
      const [s, n] = a.kind === 'int' ? [b, a.n] : [a, asInt(b)];
      if (n !== undefined && n >= 0n && s.kind === 'str' && s.s.length * Number(n) <= this.limits.stringChars) return str(s.s.repeat(Number(n)), t);
      if (n !== undefined && n >= 0n && s.kind === 'list' && s.items.length * Number(n) <= this.limits.listItems) {
        return { kind: 'list', items: Array.from({ length: Number(n) }, () => s.items).flat(), t };
      }
    }
    if (op === '%' && a.kind === 'str') {
      const args = b.kind === 'list' ? b.items : [b];
      let i = 0;
      const out = a.s.replace(/%[sdr]/g, () => {
        const v = args[i++];
        return v === undefined ? hole : v.kind === 'int' ? v.n.toString() : (textOf(v) ?? hole);
      });
      return str(out, t, a.via, out.includes(hole));
    }
    // XOR of values not known here is a cipher's step (`chr(ord(c) ^ ord(k))`): what it builds is hidden.
    return unknownWith(op === '^' ? t | obfuscated : t);
  }

  private comprehension(node: Node, env: Env, depth: number): Value {
    const body = node.namedChildren[0];
    const clauses = node.namedChildren.filter((c): c is Node => c?.type === 'for_in_clause');
    const clause = clauses[0];
    if (!body || !clause) return unknown;
    // Filtered or nested comprehensions are not unrolled, but what they are built from is what they hold.
    if (clauses.length > 1 || node.namedChildren.some((c) => c?.type === 'if_clause')) {
      return unknownWith(clauses.reduce((t, c) => t | this.eval(c.childForFieldName('right')!, env, depth).t, 0));
    }
    const left = clause.childForFieldName('left');
    const iterable = this.eval(clause.childForFieldName('right')!, env, depth);
    if (left?.type !== 'identifier' || iterable.kind === 'unknown' || iterable.kind === 'ref' || iterable.kind === 'int' || iterable.kind === 'float') {
      return unknownWith(iterable.t | this.eval(body, env, depth).t);
    }
    const items: Value[] =
      iterable.kind === 'list'
        ? iterable.items
        : iterable.kind === 'str'
          ? [...iterable.s].map((c) => str(c, iterable.t))
          : [...iterable.b].map((n) => ({ kind: 'int', n: BigInt(n), t: iterable.t }) as Value);
    if (items.length > this.limits.listItems) return unknownWith(iterable.t);
    const out: Value[] = [];
    for (const item of items) {
      const scope = new Map(env ?? []);
      scope.set(left.text, item);
      out.push(this.eval(body, scope, depth));
    }
    // A literal rewritten character by character (a substitution table, a shift) is a cipher: what it builds is hidden.
    const cipher = iterable.kind === 'str' && iterable.s.length >= 16 && body.type !== 'identifier';
    return { kind: 'list', items: out, t: iterable.t | taintOfAll(out) | (cipher ? obfuscated : 0) };
  }

  private environment(name: string | undefined, t: number): Value {
    if (name === undefined) return unknownWith(t | taints.secret | taints.recon);
    const kind = environmentTaint(name);
    return unknownWith(t | (kind === undefined ? 0 : taints[kind]));
  }

  private call(node: Node, env: Env, depth: number): Value {
    const fnNode = node.childForFieldName('function');
    const argsNode = node.childForFieldName('arguments');
    const fn = fnNode ? this.eval(fnNode, env, depth) : unknown;
    const args: Value[] = [];
    const kwargs = new Map<string, Value>();
    if (argsNode?.type === 'generator_expression') args.push(this.eval(argsNode, env, depth));
    else {
      for (const a of argsNode?.namedChildren ?? []) {
        if (a === null || a.type === 'comment') continue;
        if (a.type === 'keyword_argument') kwargs.set(a.childForFieldName('name')?.text ?? '', this.eval(a.childForFieldName('value')!, env, depth));
        else args.push(this.eval(a, env, depth));
      }
    }
    const argTaint = taintOfAll(args) | taintOfAll(kwargs.values());
    // Calling a class of this module makes an instance of it.
    if (fn.kind === 'ref' && fn.name.startsWith('self@')) return ref(fn.name, fn.t | taintOfAll(args) | taintOfAll(kwargs.values()));
    const result = this.apply(fn, args, kwargs, depth);
    if (result !== undefined) return result;
    // Not computed: the result still carries what went in, and what the callee itself carries.
    if (fn.kind === 'ref') {
      const instance = ref(`${fn.name}()`, fn.t | argTaint, args[0]);
      return networkReads.test(instance.kind === 'ref' ? instance.name : '') ? withTaint(instance, taints.network) : instance;
    }
    // An object made from a messenger webhook's URL, by whatever library, sends to that webhook.
    const target = args[0] ?? kwargs.get('url');
    if (target !== undefined && messengerWebhook.test(textOf(target) ?? '')) return ref('webhook()', fn.t | argTaint, target);
    return unknownWith(fn.t | argTaint);
  }

  /** The result of calling `fn`, when the call is one the folder knows; undefined otherwise. */
  private apply(fn: Value, args: Value[], kwargs: Map<string, Value>, depth: number): Value | undefined {
    if (fn.kind !== 'ref') return undefined;
    const name = fn.name;
    const [a, b] = args;
    const argTaint = taintOfAll(args) | taintOfAll(kwargs.values());
    const self = fn.self;
    if (name.startsWith('<def>@') || name.startsWith('<lambda>@')) return this.callLocal(Number(name.slice(name.indexOf('@') + 1)), args, depth);
    switch (name) {
      case 'builtins.chr':
        return a?.kind === 'int' && a.n >= 0n && a.n <= 0x10ffffn ? str(String.fromCodePoint(Number(a.n)), a.t | obfuscated) : unknownWith(argTaint);
      case 'builtins.ord': {
        const text = a === undefined ? undefined : textOf(a);
        return text !== undefined && text.length >= 1 ? { kind: 'int', n: BigInt(text.codePointAt(0)!), t: a!.t } : unknownWith(argTaint);
      }
      case 'builtins.str':
      case 'builtins.repr':
        if (a?.kind === 'ref' && a.name.startsWith('builtins.')) {
          const text = builtinText(a.name.slice('builtins.'.length));
          if (text !== undefined) return str(text, a.t | obfuscated);
        }
        if (a?.kind === 'int') return str(a.n.toString(), a.t);
        if (a?.kind === 'str') return a;
        if (a?.kind === 'ref' && a.name === 'pathlib.Path()' && a.self !== undefined) return withTaint(a.self, a.t);
        if (a?.kind === 'bytes' && b !== undefined) return str(a.b.toString('utf8'), a.t, a.via);
        return unknownWith(argTaint);
      case 'builtins.int': {
        const text = a === undefined ? undefined : textOf(a);
        const base = b?.kind === 'int' ? Number(b.n) : 10;
        if (a?.kind === 'int') return a;
        if (text === undefined || !/^\s*[-+]?[0-9a-zA-Z_]+\s*$/.test(text) || base < 2 || base > 36) return unknownWith(argTaint);
        const n = parseInt(text.replace(/_/g, ''), base);
        return Number.isSafeInteger(n) ? { kind: 'int', n: BigInt(n), t: a!.t } : unknownWith(argTaint);
      }
      case 'builtins.bytes':
      case 'builtins.bytearray':
        if (a?.kind === 'list' && a.items.every((x) => x.kind === 'int' && x.n >= 0n && x.n < 256n)) {
          return bytes(Buffer.from(a.items.map((x) => Number((x as { n: bigint }).n))), a.t | obfuscated);
        }
        if (a?.kind === 'str') return bytes(Buffer.from(a.s, 'utf8'), a.t, a.via);
        if (a?.kind === 'bytes') return a;
        return unknownWith(argTaint);
      case 'bytes.fromhex':
      case 'builtins.bytes.fromhex':
      case 'builtins.bytearray.fromhex':
      case 'binascii.unhexlify':
      case 'binascii.a2b_hex':
      case 'base64.b16decode':
        return this.decode(a, 'hex', (t) => hexDecode(t));
      case 'builtins.list':
      case 'builtins.tuple':
      case 'builtins.reversed':
      case 'builtins.sorted': {
        if (a === undefined) return { kind: 'list', items: [], t: 0 };
        const items = a.kind === 'list' ? a.items : a.kind === 'str' ? [...a.s].map((c) => str(c, a.t)) : undefined;
        if (items === undefined) return unknownWith(argTaint);
        const out = name === 'builtins.reversed' ? [...items].reverse() : name === 'builtins.sorted' ? undefined : items;
        return out === undefined ? unknownWith(argTaint) : { kind: 'list', items: out, t: a.t };
      }
      case 'builtins.map': {
        if (a === undefined || b === undefined || b.kind !== 'list') return unknownWith(argTaint);
        if (b.items.length > this.limits.listItems) return unknownWith(argTaint);
        const items = b.items.map((x) => this.apply(a, [x], new Map(), depth + 1) ?? unknownWith(x.t | a.t));
        return { kind: 'list', items, t: b.t | a.t | taintOfAll(items) };
      }
      case 'builtins.getattr': {
        const attr = b === undefined ? undefined : textOf(b);
        if (a === undefined || attr === undefined) return unknownWith(argTaint);
        // A name computed at run time is a way to hide which function is called.
        const computed = b!.kind === 'str' && b!.t === 0 ? 0 : obfuscated;
        return withTaint(this.attribute(a, attr), b!.t | computed);
      }
      case 'builtins.__import__':
      case 'importlib.import_module': {
        const module = a === undefined ? undefined : textOf(a);
        return module === undefined ? unknownWith(argTaint) : ref(module, a!.t);
      }
      case 'builtins.globals':
      case 'builtins.vars':
      case 'builtins.locals':
        return a?.kind === 'ref' && a.name === 'builtins' ? ref('builtins') : ref('globals()');
      case 'builtins.open':
      case 'io.open':
      case 'codecs.open': {
        return ref('builtins.open()', (a?.t ?? 0) | pathTaint(a), a);
      }
      case 'os.getenv':
      case 'os.environ.get':
      case 'os.getenvb':
      case 'os.environ.setdefault':
        return this.environment(a?.kind === 'str' ? a.s : '', argTaint);
      case 'builtins.dict':
        return withTaint(unknown, argTaint);
      case 'os.environ.copy':
      case 'os.environ.items':
      case 'os.environ.keys':
      case 'os.environ.values':
        return this.environment(undefined, argTaint);
      case 'base64.b64decode':
      case 'base64.decodebytes':
      case 'base64.decodestring':
      case 'base64.standard_b64decode':
      case 'binascii.a2b_base64':
        return this.decode(a, 'base64', (t) => base64Decode(t, kwargs.has('altchars') || (b !== undefined && textOf(b) === '-_')));
      case 'base64.urlsafe_b64decode':
        return this.decode(a, 'base64', (t) => base64Decode(t, true));
      case 'base64.b32decode':
        return this.decode(a, 'base32', (t) => base32Decode(t));
      case 'base64.b85decode':
        return this.decode(a, 'base85', (t) => base85Decode(t));
      case 'base64.a85decode':
        return this.decode(a, 'ascii85', (t) => base85Decode(t, true));
      case 'zlib.decompress':
        return this.decode(a, 'zlib', (_t, buf) => zlibDecompress(buf));
      case 'gzip.decompress':
        return this.decode(a, 'gzip', (_t, buf) => gzipDecompress(buf));
      case 'bz2.decompress':
        return this.decode(a, 'bz2', (_t, buf) => bz2Decompress(buf));
      case 'codecs.decode':
      case 'codecs.encode': {
        const encoding = (b === undefined ? textOf(kwargs.get('encoding') ?? unknown) : textOf(b))?.toLowerCase().replace(/[-_]/g, '');
        if (encoding === 'rot13') return this.decode(a, 'rot13', (t) => Buffer.from(rot13(t), 'latin1'), true);
        // Encoding to hex, base64 or zlib hides nothing that was there (a token made printable): not a decoded payload.
        if (name === 'codecs.encode') return unknownWith(argTaint);
        if (encoding === 'hex' || encoding === 'hexcodec') return this.decode(a, 'hex', (t) => hexDecode(t));
        if (encoding === 'base64' || encoding === 'base64codec') return this.decode(a, 'base64', (t) => base64Decode(t));
        if (encoding === 'zlib' || encoding === 'zlibcodec') return this.decode(a, 'zlib', (_t, buf) => zlibDecompress(buf));
        if (encoding === 'bz2' || encoding === 'bz2codec') return this.decode(a, 'bz2', (_t, buf) => bz2Decompress(buf));
        return a?.kind === 'bytes' ? str(a.b.toString('utf8'), a.t, a.via) : unknownWith(argTaint);
      }
      case 'marshal.loads':
      case 'pickle.loads':
      case 'lzma.decompress':
      case 'dill.loads':
      case 'cloudpickle.loads':
        // Not unpacked (a code object, or no lzma decoder): the result is still decoded data.
        return unknownWith(argTaint | decoded);
      case 'builtins.eval': {
        // eval of a literal that only names something (`eval("exec")`, `eval("__import__('base64')")`) hides
        // which function the module calls: resolve it, and mark it.
        const text = a === undefined ? undefined : textOf(a)?.trim();
        const resolved = text === undefined || text.length > 200 ? undefined : this.nameInText(text);
        return resolved === undefined ? undefined : withTaint(resolved, argTaint | obfuscated);
      }
      case 'builtins.compile':
        // What gets compiled is what runs: keep the text for the exec around it.
        return a === undefined ? unknownWith(argTaint) : withTaint(a, argTaint);
      default:
        break;
    }
    if (/(^|\.)Fernet$/.test(name)) return ref('Fernet()', argTaint, a);
    if (name === 'Fernet().decrypt' && self !== undefined && a !== undefined) {
      const key = textOf(self);
      const token = textOf(a);
      const plain = key !== undefined && token !== undefined ? fernetDecrypt(key, token) : undefined;
      return plain === undefined ? unknownWith(argTaint | decoded | self.t) : bytes(plain, a.t | self.t | decoded, [...viaOf(a), 'fernet']);
    }
    // A block or stream cipher's decryption (PyCryptodome, cryptography's Cipher): not unpacked here, but what comes
    // out is decoded data, like a Fernet token whose key is not a literal.
    if (/^(?:Crypto|Cryptodome)\.Cipher\.\w+\.new\(\)\.(?:decrypt|decrypt_and_verify)$|\.decryptor\(\)\.(?:update|finalize)$/.test(name)) return unknownWith(argTaint | decoded | (self?.t ?? 0));
    if (isReconCall(name)) return unknownWith(argTaint | taints.recon);
    if (secretCalls.has(name) || secretCalls.has(name.split('.').slice(-2).join('.'))) return unknownWith(argTaint | taints.store);
    if (fileReads.has(name) && pathTaint(a) !== 0) return ref(`${name}()`, argTaint | pathTaint(a), a);
    if (/^(os\.path|posixpath|ntpath)\.(expanduser|expandvars|abspath|normpath|realpath)$|^pathlib\.(Path|PurePath|WindowsPath|PosixPath)$/.test(name) && a !== undefined && textOf(a) !== undefined) {
      const path = str(textOf(a)!, argTaint, undefined, a.kind === 'str' && a.partial === true);
      return name.startsWith('pathlib.') ? ref('pathlib.Path()', path.t | pathTaint(a), path) : path;
    }
    if (name === 'os.path.join' || name === 'posixpath.join' || name === 'ntpath.join') {
      const parts = args.map((x) => textOf(x) ?? hole);
      const sep = parts.some((p) => p.includes('\\')) ? '\\' : '/';
      return str(parts.join(sep), argTaint, undefined, parts.includes(hole));
    }
    if (/^(subprocess\.(getoutput|check_output|getstatusoutput)|os\.popen|commands\.getoutput)$/.test(name) && a !== undefined) {
      // What `curl URL` prints is what the server sent; what `whoami` prints says who and where the host is.
      if (fetchesUrl(a)) return ref(`${name}()`, argTaint | taints.network, a);
      if (printsRecon(a)) return ref(`${name}()`, argTaint | taints.recon, a);
    }
    return this.method(name, self, args, kwargs, argTaint | fn.t);
  }

  /** Methods of folded strings, bytes and lists: join, decode, replace, … */
  private method(name: string, self: Value | undefined, args: Value[], kwargs: Map<string, Value>, argTaint: number): Value | undefined {
    if (self === undefined) {
      // `x.__str__()` on a built-in is str(x).
      if (name.startsWith('builtins.') && name.endsWith('.__str__')) {
        const text = builtinText(name.slice('builtins.'.length, -'.__str__'.length));
        return text === undefined ? undefined : str(text, obfuscated);
      }
      if (/\.(read|readlines|read_text|read_bytes|text|content|json)$/.test(name)) return undefined;
      return undefined;
    }
    const method = name.slice(name.lastIndexOf('.') + 1);
    const [a, b] = args;
    const t = self.t | argTaint;
    // Only a method looked up on a folded value works on it; an instance's `self` is what constructed it.
    if ((self.kind === 'str' || self.kind === 'bytes') && name === `${self.kind}.${method}`) {
      const text = textOf(self)!;
      switch (method) {
        case 'join': {
          if (a?.kind !== 'list') return unknownWith(t);
          const parts = a.items.map((x) => (x.kind === 'int' && self.kind === 'bytes' ? String.fromCharCode(Number(x.n) & 0xff) : textOf(x)));
          if (parts.some((p) => p === undefined)) {
            return str(parts.map((p) => p ?? hole).join(text), t | taintOfAll(a.items), undefined, true);
          }
          const joined = parts.join(text);
          if (joined.length > this.limits.stringChars) return unknownWith(t);
          return self.kind === 'bytes' ? bytes(Buffer.from(joined, 'latin1'), t) : str(joined, t | taintOfAll(a.items), viaOf(a.items[0] ?? unknown));
        }
        case 'decode':
          return self.kind === 'bytes' ? str(self.b.toString(/utf-?16/i.test(textOf(a ?? unknown) ?? '') ? 'utf16le' : 'utf8'), t, self.via) : undefined;
        case 'encode':
          return self.kind === 'str' ? bytes(Buffer.from(self.s, /utf-?16/i.test(textOf(a ?? unknown) ?? '') ? 'utf16le' : 'utf8'), t, self.via) : undefined;
        case 'replace': {
          const from = a === undefined ? undefined : textOf(a);
          const to = b === undefined ? undefined : textOf(b);
          if (from === undefined || to === undefined || from === '') return unknownWith(t);
          const out = text.split(from).join(to);
          if (out.length > this.limits.stringChars) return unknownWith(t);
          return self.kind === 'str' ? str(out, t, self.via, self.partial) : bytes(Buffer.from(out, 'latin1'), t, self.via);
        }
        case 'lower':
        case 'upper':
        case 'strip':
        case 'lstrip':
        case 'rstrip':
        case 'swapcase': {
          const out =
            method === 'lower' ? text.toLowerCase()
            : method === 'upper' ? text.toUpperCase()
            : method === 'swapcase' ? [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('')
            : method === 'strip' ? text.trim() : method === 'lstrip' ? text.trimStart() : text.trimEnd();
          return self.kind === 'str' ? str(out, t, self.via) : bytes(Buffer.from(out, 'latin1'), t, self.via);
        }
        case 'format': {
          let i = 0;
          const out = text.replace(/\{(\w*)\}/g, (_m, key: string) => {
            const v = key === '' ? args[i++] : /^\d+$/.test(key) ? args[Number(key)] : kwargs.get(key);
            return v === undefined ? hole : v.kind === 'int' ? v.n.toString() : (textOf(v) ?? hole);
          });
          return str(out, t, self.via, out.includes(hole));
        }
        case 'split':
          if (self.kind === 'str' && (a === undefined || a.kind === 'str')) {
            const parts = a === undefined ? self.s.split(/\s+/).filter((p) => p !== '') : self.s.split(a.s);
            return parts.length > this.limits.listItems ? unknownWith(t) : { kind: 'list', items: parts.map((p) => str(p, t)), t };
          }
          return unknownWith(t);
        case 'translate':
        case 'maketrans':
          return unknownWith(t | obfuscated);
        default:
          return unknownWith(t);
      }
    }
    return undefined;
  }

  /** Runs a decoder on a folded string or bytes value; unknown input gives unknown output that is still `decoded`. */
  private decode(input: Value | undefined, step: string, decoder: (text: string, data: Buffer) => Buffer | undefined, textOut = false): Value {
    if (input === undefined) return unknownWith(decoded);
    const text = textOf(input);
    if (text === undefined) return unknownWith(input.t | decoded);
    const data = input.kind === 'bytes' ? input.b : Buffer.from(text, 'latin1');
    const out = decoder(text, data);
    if (out === undefined) return unknownWith(input.t | decoded);
    const via = [...viaOf(input), step];
    return textOut && input.kind === 'str' ? str(out.toString('latin1'), input.t | decoded, via) : bytes(out, input.t | decoded, via);
  }

  /** A call of a function or lambda of this module: what its returns give with these arguments. */
  private callLocal(start: number, args: Value[], depth: number): Value {
    const fn = this.model.functionStartingAt(start);
    // A call of a function already being evaluated (recursion, `self.centralizer(...)` inside `centralizer`) is not
    // followed: its returns are evaluated with arguments, so nothing is memoized, and every level would multiply
    // the work by the number of its returns.
    if (fn === undefined || this.calling.has(start)) return unknownWith(taintOfAll(args));
    this.calling.add(start);
    try {
      const env = new Map<string, Value>();
      const params = fn.params.filter((p) => p !== 'self' && p !== 'cls');
      params.forEach((p, i) => env.set(p, args[i] ?? unknown));
      if (fn.lambda) return this.eval(fn.node.childForFieldName('body')!, env, depth);
      let result: Value | undefined;
      let t = 0;
      for (const r of fn.returns) {
        const expr = r.namedChildren[0];
        if (!expr) continue;
        const v = this.eval(expr, env, depth);
        t |= v.t;
        if (result === undefined && v.kind !== 'unknown') result = v;
      }
      return result === undefined ? unknownWith(t) : withTaint(result, t);
    } finally {
      this.calling.delete(start);
    }
  }

  /**
   * What a parameter holds when nothing binds it here: the arguments the
   * module passes it at its call sites (and its default), so that a secret
   * handed to a helper, or a path handed from one function to another, is
   * followed. The first value that folds is kept, with the taints of all.
   */
  private parameter(fn: FunctionInfo, name: string, depth: number): Value {
    const candidates = this.model.argumentsFor(fn, name);
    const declared = fn.node.childForFieldName('parameters')?.namedChildren.find((p) => p !== null && (p.type === 'default_parameter' || p.type === 'typed_default_parameter') && p.childForFieldName('name')?.text === name);
    const fallback = declared?.childForFieldName('value');
    if (fallback) candidates.push(fallback);
    let result: Value | undefined;
    let t = 0;
    for (const c of candidates) {
      const v = this.eval(c, undefined, depth);
      t |= v.t;
      if (result === undefined && v.kind !== 'unknown') result = v;
    }
    return result === undefined ? unknownWith(t) : withTaint(result, t);
  }
}
