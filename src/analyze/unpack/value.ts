/**
 * What the constant folder knows about an expression: a Python value it could
 * compute (a string, bytes, an integer, a list, a reference to a module or a
 * function), or nothing but where the data came from. Provenance travels with
 * every value as a set of taints, so one evaluation answers both "what does
 * this say once unpacked" and "does a secret reach this network call".
 */

/** Where data came from. Bits of one number, so that merging is an OR. */
export const taints = {
  /** Decoded, decompressed or decrypted from something else. */
  decoded: 1,
  /** Read from the network. */
  network: 2,
  /** A secret: credential files, secret environment variables, the whole environment. */
  secret: 4,
  /** Host and user reconnaissance: host name, user name, working directory, the whole environment. */
  recon: 8,
  /** A file that was written with data from the network (a dropped program). */
  dropped: 16,
  /** A name or text computed by an obfuscating expression (getattr on builtins with a computed name, chr lists). */
  obfuscated: 32,
  /** What only a stealer reads: browser passwords and cookies, messenger tokens, wallets, the clipboard, the screen. */
  store: 64,
} as const;

export type TaintName = keyof typeof taints;

export const taintNames = Object.keys(taints) as TaintName[];

export function taintsOf(mask: number): TaintName[] {
  return taintNames.filter((n) => (mask & taints[n]) !== 0);
}

export type Value =
  | { kind: 'str'; s: string; t: number; via?: readonly string[]; partial?: boolean }
  | { kind: 'bytes'; b: Buffer; t: number; via?: readonly string[] }
  | { kind: 'int'; n: bigint; t: number }
  | { kind: 'float'; n: number; t: number }
  | { kind: 'list'; items: Value[]; t: number }
  /** A module, function, class or method by its qualified name (`os.system`, `builtins.chr`). */
  | { kind: 'ref'; name: string; t: number; self?: Value }
  | { kind: 'unknown'; t: number };

export const unknown: Value = { kind: 'unknown', t: 0 };

export function unknownWith(t: number): Value {
  return t === 0 ? unknown : { kind: 'unknown', t };
}

export function withTaint(v: Value, t: number): Value {
  return t === 0 || (v.t & t) === t ? v : { ...v, t: v.t | t };
}

/** Text of a value when it has some: strings as they are, bytes as latin-1 (one char per byte), paths as their text. */
export function textOf(v: Value): string | undefined {
  if (v.kind === 'str') return v.s;
  if (v.kind === 'bytes') return v.b.toString('latin1');
  // A pathlib path is the text of the path it names.
  if (v.kind === 'ref' && v.name === 'pathlib.Path()' && v.self !== undefined) return textOf(v.self);
  return undefined;
}

/** The decode chain that produced a value (`base64 > zlib`), when it was unpacked. */
export function viaOf(v: Value): readonly string[] {
  return v.kind === 'str' || v.kind === 'bytes' ? (v.via ?? []) : [];
}

/** Marks a place the folder could not compute inside a partly known string (an f-string hole). */
export const hole = '\u2026';
