/**
 * An expression nested hundreds of brackets deep, or chaining thousands of
 * operators, is machine-made: obfuscators build them to hide a string or to
 * exhaust a scanner. The file is reported and not parsed (see
 * python/nesting.ts).
 */
import { nestingOf, tooDeep } from '../python/nesting.js';
import type { Hit } from '../subjects.js';

export function deepNesting(text: string): Hit[] {
  const n = nestingOf(text);
  if (!tooDeep(n)) return [];
  return [{ message: `an expression nested ${n.brackets} brackets deep or chaining ${n.operators} operators: machine-made, and not parsed` }];
}
