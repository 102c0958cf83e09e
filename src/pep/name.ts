/**
 * Project names: validity (PEP 508 / core metadata `Name`) and normalization (PEP 503), with the semantics of
 * `packaging.utils.canonicalize_name` and `is_normalized_name` 26.2.
 */
import { InvalidNameError } from './errors.js';

/** Core metadata: ASCII letters and digits, with `-_.` allowed inside (not at either end). */
const VALID_NAME = /^(?:[a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9])$/i;
/**
 * packaging's `is_normalized_name` pattern, kept as is: its lookahead lets one doubled dash through (`a--b`),
 * and agreeing with packaging matters more here than the stricter reading.
 */
const NORMALIZED_NAME = /^(?:[a-z0-9]|[a-z0-9](?:[a-z0-9-](?!--))*[a-z0-9])$/;
const SEPARATOR_RUNS = /[-_.]+/g;

/** PEP 503: lowercase, and every run of `-`, `_` and `.` becomes one `-`. Does not validate. */
export function normalizeName(name: string): string {
  // Most names arrive normalized (from lock files, the database, earlier calls): say so without building a string.
  let i = 0;
  for (; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39)) continue; // a-z 0-9
    if (c === 0x2d && name.charCodeAt(i + 1) !== 0x2d) continue; // a single '-'
    break;
  }
  return i === name.length ? name : name.toLowerCase().replace(SEPARATOR_RUNS, '-');
}

export function isValidName(name: string): boolean {
  return VALID_NAME.test(name);
}

/** True when `name` is valid and already in PEP 503 normal form (packaging's `is_normalized_name`). */
export function isNormalizedName(name: string): boolean {
  return NORMALIZED_NAME.test(name);
}

/** Validates, then normalizes; throws InvalidNameError saying which rule the name breaks. */
export function parseName(name: string): string {
  if (!isValidName(name)) throw new InvalidNameError(name, explainInvalid(name));
  return normalizeName(name);
}

function explainInvalid(name: string): string {
  if (name === '') return 'empty name';
  const bad = /[^a-z0-9._-]/i.exec(name);
  if (bad !== null) {
    return `character ${JSON.stringify(bad[0])} at position ${bad.index} is not allowed (only ASCII letters, digits, "-", "_" and ".")`;
  }
  return 'must start and end with an ASCII letter or digit';
}
