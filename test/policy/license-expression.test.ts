/**
 * SPDX expressions: normalization against packaging 26.2's canonicalize_license_expression (PyPI's validator), on
 * every License-Expression found in the /opt/pypi wheels and on generated expressions; `-or-later` as a choice of
 * versions; what a policy entry covers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runPythonJsonLines } from '../helpers/python.js';
import { Random, seedFromEnv } from '../pep/oracle/generate.js';
import {
  entryCovers,
  InvalidLicenseExpressionError,
  type LicenseTerm,
  normalizeExpression,
  renderTerm,
  versionsOf,
} from '../../src/policy/license-expression.js';

/** The distinct License-Expression values of the 887 wheels in /opt/pypi/files (2026-12-01). */
const REAL_EXPRESSIONS = [
  '0BSD', '0BSD OR CC0-1.0', 'Apache-2.0', 'Apache-2.0 AND BSD-2-Clause', 'Apache-2.0 AND BSD-2-Clause AND BSD-3-Clause AND ISC AND MIT',
  'Apache-2.0 AND CNRI-Python', 'Apache-2.0 AND Python-2.0', 'Apache-2.0 OR BSD-2-Clause', 'Apache-2.0 OR BSD-3-Clause', 'Apache-2.0 OR MIT',
  'BSD-2-Clause', 'BSD-2-Clause AND Apache-2.0 WITH LLVM-exception', 'BSD-3-Clause', 'BSD-3-Clause AND 0BSD AND MIT AND Zlib AND CC0-1.0',
  'BSD-3-Clause AND TCL', 'BSL-1.0', 'GPL-2.0-or-later', 'GPL-3.0-only', 'ISC', 'LGPL-2.1', 'LGPL-2.1-or-later', 'LGPL-3.0-only',
  'LGPL-3.0-or-later', 'LicenseRef-Biopython-License-Agreement', 'LicenseRef-NVIDIA-Proprietary', 'MIT', 'MIT AND Apache-2.0',
  'MIT AND BSD-3-Clause', 'MIT AND LGPL-3.0-or-later', 'MIT AND PSF-2.0', 'MIT OR Apache-2.0', 'MIT-0', 'MIT-CMU',
  'MPL-1.1 OR GPL-2.0-only OR LGPL-2.1-or-later', 'MPL-2.0', 'MPL-2.0 AND (Apache-2.0 OR MIT)', 'NCSA', 'PSF-2.0', 'Unlicense', 'ZPL-2.1', 'Zlib',
];

// Ids both SPDX lists know (packaging's and spdx-license-ids'), spelled in any case by the generator.
const IDS = [
  'MIT', 'Apache-2.0', 'BSD-2-Clause', 'BSD-3-Clause', '0BSD', 'ISC', 'GPL-2.0-only', 'GPL-2.0-or-later', 'GPL-3.0-only', 'GPL-3.0-or-later',
  'GPL-2.0', 'LGPL-2.1', 'LGPL-2.1-or-later', 'AGPL-3.0-only', 'MPL-2.0', 'CC0-1.0', 'Unlicense', 'PSF-2.0', 'Zlib', 'BSL-1.0', 'MIT-0',
];
const REFS = ['LicenseRef-Public-Domain', 'LicenseRef-Proprietary', 'LicenseRef-Acme.Internal-2'];
const EXCEPTIONS = ['Classpath-exception-2.0', 'GCC-exception-3.1', 'LLVM-exception', 'Autoconf-exception-3.0'];
// Words that are not SPDX, or are in the wrong place.
const JUNK = ['Apache 2.0', 'BSD', 'GPLv3', 'foo', 'MIT/X11', 'DocumentRef-spdx:LicenseRef-x', '+', 'AND', 'WITH MIT', 'Classpath-exception-2.0', 'MIT MIT'];

function mangleCase(random: Random, text: string): string {
  if (random.chance(0.6)) return text;
  return [...text].map((c) => (random.chance(0.5) ? c.toLowerCase() : c.toUpperCase())).join('');
}

function generateExpressions(seed: number, count: number): string[] {
  const random = new Random(seed);
  const space = (): string => random.pick([' ', ' ', ' ', '  ', '\t', '\n ']);
  const leaf = (): string => {
    if (random.chance(0.05)) return random.pick(JUNK);
    if (random.chance(0.1)) return mangleCase(random, random.pick(REFS).replace(/^LicenseRef/, random.pick(['LicenseRef', 'licenseref'])));
    let term = mangleCase(random, random.pick(IDS));
    if (random.chance(0.1)) term += '+';
    if (random.chance(0.15)) term += `${space()}${mangleCase(random, 'WITH')}${space()}${mangleCase(random, random.pick(EXCEPTIONS))}`;
    return term;
  };
  const expression = (depth: number): string => {
    if (depth === 0 || random.chance(0.35)) return leaf();
    const op = mangleCase(random, random.pick(['AND', 'OR']));
    const inner = `${expression(depth - 1)}${space()}${op}${space()}${expression(depth - 1)}`;
    return random.chance(0.5) ? `(${space().trim()}${inner})` : inner;
  };
  const cases: string[] = [];
  while (cases.length < count) {
    let text = expression(3);
    if (random.chance(0.03)) text = text.replace(/[()]/, ''); // an unbalanced parenthesis
    if (random.chance(0.03)) text += ` ${random.pick(['OR', 'AND', '(', ')'])}`;
    cases.push(random.chance(0.1) ? `${space()}${text}${space()}` : text);
  }
  return cases;
}

function ours(text: string): string | null {
  try {
    return normalizeExpression(text).text;
  } catch (error) {
    if (error instanceof InvalidLicenseExpressionError) return null;
    throw error;
  }
}

const seed = seedFromEnv();
const cases = [...REAL_EXPRESSIONS, ...generateExpressions(seed, 4000)];
const oracle = runPythonJsonLines(
  fileURLToPath(new URL('./oracle/license_expressions.py', import.meta.url)),
  cases.map((text) => ({ text })),
) as Array<{ normalized: string | null }>;

test(`normalization and validity agree with packaging on ${cases.length} expressions (seed ${seed})`, () => {
  const valid = oracle.filter((o) => o.normalized !== null).length;
  assert.ok(valid > 1000 && cases.length - valid > 300, `expected both valid and invalid cases, got ${valid} valid`);
  const disagreements = cases.flatMap((text, i) => {
    const theirs = oracle[i]?.normalized ?? null;
    const mine = ours(text);
    return mine === theirs ? [] : [`${JSON.stringify(text)}: ours ${JSON.stringify(mine)}, packaging ${JSON.stringify(theirs)}`];
  });
  assert.deepEqual(disagreements.slice(0, 20), []);
});

test('every License-Expression of the /opt/pypi wheels is valid and already in normal form', () => {
  for (const text of REAL_EXPRESSIONS) assert.equal(ours(text), text);
});

test('known differences from packaging, each stricter than PyPI and each following the SPDX grammar or our lists', () => {
  // SPDX 2.3 annex D allows `+` only after a listed license id, and a LicenseRef needs text after its prefix;
  // packaging accepts both.
  assert.equal(ours('LicenseRef-Foo+'), null);
  assert.equal(ours('MIT OR LicenseRef-'), null);
  // spdx-expression-parse 3.x (the one spdx-satisfies uses) does not take WITH after a LicenseRef.
  assert.equal(ours('LicenseRef-Foo WITH Classpath-exception-2.0'), null);
  // Exceptions added to SPDX after spdx-exceptions 2.5.0.
  assert.equal(ours('Apache-2.0 WITH pcre2-exception'), null);
});

test('invalid expressions name the reason', () => {
  const reasons: Array<[string, RegExp]> = [
    ['', /empty/],
    ['Apache 2.0', /unknown license "Apache"/],
    ['GPL-2.0-only WITH Foo-exception', /unknown license exception "Foo-exception"/],
    ['MIT OR', /operators or parentheses/],
    ['(MIT', /operators or parentheses/],
    ['DocumentRef-spdx:LicenseRef-x', /unknown license/],
    // spdx-expression-parse is quadratic in the length: metadata must not be able to stall a worker.
    [Array(200).fill('MIT').join(' AND '), /longer than 1000 characters/],
  ];
  for (const [text, reason] of reasons) {
    assert.throws(() => normalizeExpression(text), (error: unknown) => error instanceof InvalidLicenseExpressionError && reason.test(error.message), text);
  }
});

const term = (text: string): LicenseTerm => {
  const { tree } = normalizeExpression(text);
  assert.ok('license' in tree, text);
  return tree.exception === undefined ? { license: tree.license, plus: tree.plus === true } : { license: tree.license, plus: tree.plus === true, exception: tree.exception };
};

test('a term with -or-later or + is a choice of each version that exists from it on', () => {
  const cases: Array<[string, string[]]> = [
    ['MIT', ['MIT']],
    ['GPL-2.0-only', ['GPL-2.0-only']],
    ['GPL-2.0-or-later', ['GPL-2.0-only', 'GPL-3.0-only']],
    ['GPL-2.0+', ['GPL-2.0-only', 'GPL-3.0-only']],
    ['GPL-1.0-or-later', ['GPL-1.0-only', 'GPL-2.0-only', 'GPL-3.0-only']],
    ['GPL-3.0-or-later', ['GPL-3.0-only']],
    ['AGPL-3.0-or-later', ['AGPL-3.0-only']],
    ['LGPL-2.0-or-later', ['LGPL-2.0-only', 'LGPL-2.1-only', 'LGPL-3.0-only']],
    ['LGPL-2.1+', ['LGPL-2.1-only', 'LGPL-3.0-only']],
    ['Apache-1.1+', ['Apache-1.1', 'Apache-2.0']],
    ['MPL-1.1+', ['MPL-1.1', 'MPL-2.0', 'MPL-2.0-no-copyleft-exception']],
    ['MIT+', ['MIT']],
    ['GPL-2.0-or-later WITH Classpath-exception-2.0', ['GPL-2.0-only WITH Classpath-exception-2.0', 'GPL-3.0-only WITH Classpath-exception-2.0']],
  ];
  for (const [text, versions] of cases) assert.deepEqual(versionsOf(term(text)).map(renderTerm), versions, text);
});

test('what a policy entry covers: versions, -only and -or-later, deprecated ids, exceptions, LicenseRefs', () => {
  const cases: Array<[entry: string, version: string, covered: boolean]> = [
    ['MIT', 'MIT', true],
    ['MIT', 'MIT-0', false],
    ['GPL-2.0-only', 'GPL-2.0', true],
    ['GPL-2.0', 'GPL-2.0-only', true],
    ['GPL-2.0-only', 'GPL-3.0-only', false],
    ['GPL-2.0-or-later', 'GPL-3.0-only', true],
    ['GPL-2.0-or-later', 'GPL-2.0-only', true],
    ['GPL-2.0-or-later', 'GPL-1.0-only', false],
    ['GPL-2.0+', 'GPL-3.0-only', true],
    ['GPL-3.0-or-later', 'LGPL-3.0-only', false],
    ['LGPL-2.0-or-later', 'LGPL-2.1-only', true],
    ['Apache-2.0', 'Apache-1.1', false],
    // An exception adds permissions: an entry without one covers the license with any.
    ['GPL-2.0-only', 'GPL-2.0-only WITH Classpath-exception-2.0', true],
    ['GPL-2.0-or-later', 'GPL-3.0-only WITH GCC-exception-3.1', true],
    // An entry with an exception covers only that exception.
    ['GPL-2.0-only WITH Classpath-exception-2.0', 'GPL-2.0-only WITH Classpath-exception-2.0', true],
    ['GPL-2.0-only WITH Classpath-exception-2.0', 'GPL-2.0-only', false],
    ['GPL-2.0-only WITH Classpath-exception-2.0', 'GPL-2.0-only WITH GCC-exception-2.0', false],
    ['LicenseRef-Proprietary', 'LicenseRef-Proprietary', true],
    ['LicenseRef-Proprietary', 'LicenseRef-Public-Domain', false],
  ];
  for (const [entry, version, covered] of cases) assert.equal(entryCovers(term(entry), term(version)), covered, `${entry} covers ${version}`);
});
