/**
 * String constants one module of an artifact takes from another
 * (`from ._utils.signing import SIGN_URL`): the data flow is per module, and a
 * payload's address or key kept in a sibling module would otherwise be
 * unknown where it is used. Only plain module-level string literals are read.
 */
import type { ConstantResolver } from './flow/evaluate.js';

/** A resolver for the module at `file` (a path in `texts`), over the artifact's other Python files. */
export function constantsFor(file: string, texts: ReadonlyMap<string, string>, root: string): ConstantResolver {
  return (module, name) => {
    for (const path of modulePaths(file, module, root)) {
      const text = texts.get(path);
      if (text !== undefined) return stringConstant(text, name);
    }
    return undefined;
  };
}

/** Where `module`, as imported from `file`, may live: `pkg/mod.py` or `pkg/mod/__init__.py`, under the root or `src/`. */
export function modulePaths(file: string, module: string, root: string): string[] {
  const dots = /^\.*/.exec(module)![0].length;
  const parts = module.slice(dots).split('.').filter((p) => p !== '');
  let bases: string[];
  if (dots > 0) {
    const dir = file.split('/').slice(0, -1);
    if (dots - 1 > dir.length) return [];
    bases = [dir.slice(0, dir.length - (dots - 1)).join('/')];
  } else {
    bases = [root.replace(/\/$/, ''), `${root}src`];
  }
  const out: string[] = [];
  for (const base of bases) {
    const prefix = [base, ...parts].filter((p) => p !== '').join('/');
    if (parts.length > 0) out.push(`${prefix}.py`);
    out.push(`${prefix}/__init__.py`);
  }
  return out;
}

/** The value of `NAME = "literal"` at the module level of `text` (a plain literal, no escapes), if it has one. */
export function stringConstant(text: string, name: string): string | undefined {
  if (!/^[A-Za-z_]\w*$/.test(name)) return undefined;
  const m = new RegExp(`^${name}[ \\t]*(?::[^=\\n]*)?=[ \\t]*[rRuU]?(["'])([^"'\\\\\\n]{1,2000})\\1[ \\t]*(?:#.*)?$`, 'm').exec(text);
  return m?.[2];
}
