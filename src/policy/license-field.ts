/**
 * The free-text `License` field of core metadata (deprecated by PEP 639 in favour of License-Expression) read as an
 * SPDX expression when that can be done without guessing.
 *
 * Many projects wrote an SPDX expression there before License-Expression existed (`MIT`, `MIT OR Apache-2.0`);
 * those are used as they are. Others wrote a name (`Apache 2.0`, `BSD 3-Clause License`) or pasted the whole license
 * text, whose first line is its title. spdx-correct turns names into SPDX ids, but it also guesses: `BSD` becomes
 * BSD-2-Clause, `GPL` GPL-3.0-or-later, `Copyright 2010 WTForms` WTFPL, and `MIT and Apache-2.0` loses MIT. Its
 * answer is therefore taken only when the text itself bears it out: the text names a single license (no list, no
 * exception), and every id of the answer has its name (`BSD`, `Apache`, `GPL`) and its version number in the text.
 */
import spdxCorrect from 'spdx-correct';
import { classifierNamed } from './license-classifiers.js';
import { InvalidLicenseExpressionError, isLicenseId, licensesOf, type NormalizedExpression, normalizeExpression } from './license-expression.js';

export type LicenseFieldReading =
  /** No License field, an empty one, or setuptools' placeholder `UNKNOWN`. */
  | { kind: 'absent' }
  /**
   * `shown` is the value for explanations: its first line, shortened. `via` says how it was read: an SPDX expression
   * as written, the SPDX title line of a license text, the name of a license classifier, or spdx-correct.
   */
  | { kind: 'expression'; shown: string; expression: string; via: 'as-written' | 'title-line' | 'classifier-name' | 'spdx-correct'; note?: string }
  | { kind: 'unusable'; shown: string; reason: string };

const SHOWN_LENGTH = 120;
/** Longer than any license's name: a sentence or a license text, which spdx-correct would only guess at. */
const NAME_LENGTH = 100;
/** Words and marks that join licenses or add an exception: a single guess would lose one of them. */
const COMBINATION = /[,;&/]|\b(?:and|or|with|plus|except|exception|exceptions)\b/i;

export function readLicenseField(value: string | undefined): LicenseFieldReading {
  const text = value?.trim() ?? '';
  if (text === '' || text.toUpperCase() === 'UNKNOWN') return { kind: 'absent' };
  const title = (text.split(/\r\n|\r|\n/)[0] ?? '').trim();
  const multiline = title !== text;
  const short = title.length > SHOWN_LENGTH ? `${title.slice(0, SHOWN_LENGTH)}…` : title;
  const shown = multiline ? `${short} …` : short;
  const whole = tryNormalize(text);
  if (whole !== null) return { kind: 'expression', shown, expression: whole.text, via: 'as-written' };
  const titled = multiline ? tryNormalize(title) : null;
  if (titled !== null) {
    return { kind: 'expression', shown, expression: titled.text, via: 'title-line', note: `the License field holds a license text titled "${short}"` };
  }
  const unusable = (reason: string): LicenseFieldReading => ({ kind: 'unusable', shown, reason });
  // Authors often copy a classifier's name, sometimes without its last word: "MIT No Attribution".
  const named = classifierNamed(title) ?? classifierNamed(`${title} License`);
  if (named !== undefined) {
    if (named.kind === 'license') {
      const note = `the License field "${shown}" names the license classifier of ${named.id}`;
      return { kind: 'expression', shown, expression: named.id, via: 'classifier-name', note };
    }
    return unusable(
      named.kind === 'ambiguous' ? `it does not say which license it means (${named.candidates})` : 'it names a license without an SPDX identifier',
    );
  }
  if (title.length > NAME_LENGTH) return unusable('it is not an SPDX expression, and too long to be the name of a license');
  // "Apache License, Version 2.0" and "v3 or later" join no licenses.
  if (COMBINATION.test(title.replace(/,?\s+version\s+(?=\d)/gi, ' ').replace(/\bor\s+(?:any\s+)?later\b/gi, ''))) {
    return unusable('it names several licenses or an exception, and does not say how they combine in SPDX terms');
  }
  const corrected = spdxCorrect(title, { upgrade: false });
  if (corrected === null) return unusable('it is not an SPDX expression and names no SPDX license');
  const expression = tryNormalize(currentGnuId(corrected));
  if (expression === null) return unusable('it is not an SPDX expression and names no SPDX license');
  if (!licensesOf(expression.tree).every((id) => textNames(title, id))) {
    return unusable(`it is not an SPDX expression, and reading it as ${expression.text} would be a guess`);
  }
  const note = `the License field "${shown}" was read as ${expression.text} (spdx-correct)`;
  return { kind: 'expression', shown, expression: expression.text, via: 'spdx-correct', note };
}

function tryNormalize(text: string): NormalizedExpression | null {
  try {
    return normalizeExpression(text);
  } catch (error) {
    if (error instanceof InvalidLicenseExpressionError) return null;
    throw error;
  }
}

/**
 * spdx-correct answers `GPL v3` with the deprecated GPL-3.0 (or, with its `upgrade`, GPL-3.0-or-later). SPDX defines
 * the deprecated GNU ids as `GPL-3.0` = GPL-3.0-only and `GPL-3.0+` = GPL-3.0-or-later; the same reading as the
 * classifier `GPLv3`.
 */
function currentGnuId(id: string): string {
  const plus = id.endsWith('+');
  const base = plus ? id.slice(0, -1) : id;
  if (!isLicenseId(`${base}-only`)) return id;
  return plus ? `${base}-or-later` : `${base}-only`;
}

/** Trailing `.0` parts do not change a version: `2.0` is `2`. */
const versionKey = (version: string): string => version.replace(/(?:\.0)+$/, '');

/** Whether `text` names the license `id`: its leading name, at the start of a word, and its version number if any. */
function textNames(text: string, id: string): boolean {
  const name = /[A-Za-z]+/.exec(id)?.[0] ?? id;
  if (!new RegExp(`(?:^|[^A-Za-z])${name}`, 'i').test(text)) return false;
  const version = /-(\d+(?:\.\d+)*)/.exec(id)?.[1];
  if (version === undefined) return true;
  const numbers = (text.match(/\d+(?:\.\d+)*/g) ?? []).map(versionKey);
  return numbers.includes(versionKey(version));
}
