/**
 * Edit distance between two names and a plain-words description of the edit.
 *
 * The distance is the optimal string alignment distance (Levenshtein plus
 * adjacent transposition), because swapped neighbours are the commonest typo
 * and Levenshtein would count one as two edits.
 */
import { isKeyboardNeighbour } from './keyboard.js';

/** The kind of a single edit, in the words the issue uses. */
export type EditKind =
  | 'omission'
  | 'repetition'
  | 'insertion'
  | 'keyboard-substitution'
  | 'substitution'
  | 'transposition';

/**
 * The optimal string alignment distance between `a` and `b`, or `max + 1` as
 * soon as it is known to exceed `max` (the callers only care about 1 or 2).
 */
export function boundedEditDistance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const n = b.length;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let rowMin = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= n; j++) {
      const bj = b.charCodeAt(j - 1);
      let d = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) {
        d = Math.min(d, (prev2[j - 2] ?? 0) + 1);
      }
      cur[j] = d;
      if (d < rowMin) rowMin = d;
    }
    if (rowMin > max) return max + 1;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return Math.min(prev[n] ?? max + 1, max + 1);
}

/**
 * What one edit turns `target` into `candidate`, or undefined when they are not
 * one edit apart. `detail` reads "<candidate> DETAIL <target>", e.g. "swaps 'ue' in".
 */
export interface SingleEdit {
  kind: EditKind;
  detail: string;
  /** Whether the edit touches the first or last character (`torchx`, `vbuild`): honest names extend a word at its ends. */
  atEnd: boolean;
}

export function classifySingleEdit(candidate: string, target: string): SingleEdit | undefined {
  let i = 0;
  while (i < candidate.length && i < target.length && candidate[i] === target[i]) i++;
  if (candidate.length === target.length + 1) {
    if (candidate.slice(i + 1) !== target.slice(i)) return undefined;
    const added = candidate[i] ?? '';
    const atEnd = i === 0 || i === candidate.length - 1;
    if (candidate[i - 1] === added || candidate[i + 1] === added) return { kind: 'repetition', detail: `repeats the '${added}' of`, atEnd };
    return { kind: 'insertion', detail: `inserts '${added}' into`, atEnd };
  }
  if (candidate.length + 1 === target.length) {
    if (candidate.slice(i) !== target.slice(i + 1)) return undefined;
    return { kind: 'omission', detail: `drops the '${target[i] ?? ''}' of`, atEnd: i === 0 || i === target.length - 1 };
  }
  if (candidate.length !== target.length || i === candidate.length) return undefined;
  const c = candidate[i] ?? '';
  const t = target[i] ?? '';
  const atEnd = i === 0 || i === target.length - 1;
  if (candidate.slice(i + 1) === target.slice(i + 1)) {
    return isKeyboardNeighbour(t, c)
      ? { kind: 'keyboard-substitution', detail: `replaces '${t}' with the neighbouring key '${c}' in`, atEnd }
      : { kind: 'substitution', detail: `replaces '${t}' with '${c}' in`, atEnd };
  }
  if (c === target[i + 1] && t === candidate[i + 1] && candidate.slice(i + 2) === target.slice(i + 2)) {
    return { kind: 'transposition', detail: `swaps the '${t}' and '${c}' of`, atEnd: atEnd || i + 1 === target.length - 1 };
  }
  return undefined;
}
