/**
 * License classifiers: the table against the `License ::` classifiers of the real trove-classifiers wheel in
 * /opt/pypi (read by Python from the wheel itself), PEP 639's list of ambiguous classifiers, and how several
 * classifiers read together.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { classifierNamed, LICENSE_CLASSIFIERS, readLicenseClassifiers } from '../../src/policy/license-classifiers.js';
import { normalizeExpression } from '../../src/policy/license-expression.js';

const PYPI_FILES = '/opt/pypi/files';

function troveLicenseClassifiers(): string[] {
  const wheel = readdirSync(PYPI_FILES).filter((f) => /^trove_classifiers-.*\.whl$/.test(f)).sort().pop();
  assert.ok(wheel !== undefined, `no trove_classifiers wheel in ${PYPI_FILES}: this test needs /opt/pypi`);
  const script = [
    'import json, sys',
    `sys.path.insert(0, ${JSON.stringify(join(PYPI_FILES, wheel))})`,
    'import trove_classifiers',
    "print(json.dumps(sorted(c for c in trove_classifiers.all_classifiers if c.startswith('License ::'))))",
  ].join('\n');
  const run = spawnSync('python3', ['-c', script], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  return JSON.parse(run.stdout) as string[];
}

test('the table holds exactly the License classifiers of the trove-classifiers wheel in /opt/pypi', () => {
  const trove = troveLicenseClassifiers();
  assert.ok(trove.length > 80, `expected the full list, got ${trove.length}`);
  assert.deepEqual([...LICENSE_CLASSIFIERS.keys()].sort(), trove);
});

test('every license the table names is an SPDX id in its canonical spelling', () => {
  for (const [classifier, meaning] of LICENSE_CLASSIFIERS) {
    if (meaning.kind === 'license') assert.equal(normalizeExpression(meaning.id).text, meaning.id, classifier);
  }
});

test("PEP 639's ambiguous classifiers are never read as one license without a note saying which reading was taken", () => {
  // PEP 639, appendix "Mapping License Classifiers to SPDX Identifiers": tools MUST NOT infer a license from these.
  const pep639Ambiguous = [
    'Academic Free License (AFL)',
    'Apache Software License',
    'Apple Public Source License',
    'Artistic License',
    'BSD License',
    'GNU Affero General Public License v3',
    'GNU Free Documentation License (FDL)',
    'GNU General Public License (GPL)',
    'GNU General Public License v2 (GPLv2)',
    'GNU General Public License v3 (GPLv3)',
    'GNU Lesser General Public License v2 (LGPLv2)',
    'GNU Lesser General Public License v2 or later (LGPLv2+)',
    'GNU Lesser General Public License v3 (LGPLv3)',
    'GNU Library or Lesser General Public License (LGPL)',
  ].map((name) => `License :: OSI Approved :: ${name}`);
  for (const classifier of pep639Ambiguous) {
    const meaning = LICENSE_CLASSIFIERS.get(classifier);
    assert.ok(meaning !== undefined, classifier);
    assert.ok(meaning.kind === 'ambiguous' || (meaning.kind === 'license' && meaning.note !== undefined), classifier);
  }
  // Only the GNU "vN" classifiers get a reading: the narrower one.
  const read = pep639Ambiguous.flatMap((c) => {
    const meaning = LICENSE_CLASSIFIERS.get(c);
    return meaning?.kind === 'license' ? [meaning.id] : [];
  });
  assert.deepEqual(read, ['AGPL-3.0-only', 'GPL-2.0-only', 'GPL-3.0-only', 'LGPL-2.1-or-later', 'LGPL-3.0-only']);
});

const OSI = 'License :: OSI Approved';
const MIT = `${OSI} :: MIT License`;
const APACHE = `${OSI} :: Apache Software License`;
const BSD = `${OSI} :: BSD License`;

test('several classifiers read together', () => {
  const cases: Array<[name: string, classifiers: string[], kind: string, expression?: string, note?: RegExp]> = [
    ['none', ['Programming Language :: Python :: 3'], 'none'],
    ['one license', [MIT, 'Programming Language :: Python :: 3'], 'expression', 'MIT'],
    ['a repeated classifier counts once', [MIT, ` ${MIT} `], 'expression', 'MIT'],
    ['two licenses: read as all applying (PEP 639 leaves the relation open)', [MIT, `${OSI} :: The Unlicense (Unlicense)`], 'expression', 'MIT AND Unlicense', /read as all applying/],
    ['a generic parent is passed over', [OSI, MIT], 'expression', 'MIT', /"License :: OSI Approved" names no license/],
    ['only a generic classifier', [OSI, 'License :: DFSG approved'], 'none'],
    ['an ambiguous classifier decides nothing', [BSD], 'undetermined', undefined, /does not say which license/],
    ['one ambiguous classifier makes the set undetermined', [MIT, APACHE], 'undetermined', undefined, /Apache-1.0, Apache-1.1, Apache-2.0/],
    ['a license without an SPDX id', ['License :: Repoze Public License'], 'undetermined', undefined, /no SPDX identifier/],
    ['a classifier not in the list', ['License :: OSI Approved :: Made Up License'], 'undetermined', undefined, /not a known license classifier/],
    ['GPLv3 is read as -only', [`${OSI} :: GNU General Public License v3 (GPLv3)`], 'expression', 'GPL-3.0-only', /narrower reading/],
    ['GPLv2+ is -or-later', [`${OSI} :: GNU General Public License v2 or later (GPLv2+)`], 'expression', 'GPL-2.0-or-later'],
    ['proprietary, as PEP 639 allows', ['License :: Other/Proprietary License'], 'expression', 'LicenseRef-Proprietary', /PEP 639 allows/],
    ['public domain, as PEP 639 allows', ['License :: Public Domain'], 'expression', 'LicenseRef-Public-Domain', /PEP 639 allows/],
  ];
  for (const [name, classifiers, kind, expression, note] of cases) {
    const reading = readLicenseClassifiers(classifiers);
    assert.equal(reading.kind, kind, name);
    if (expression !== undefined) assert.equal(reading.kind === 'expression' ? reading.expression : undefined, expression, name);
    if (note !== undefined) assert.ok(reading.notes.some((n) => note.test(n)), `${name}: ${JSON.stringify(reading.notes)}`);
  }
});

test('a classifier is found by its license name, with or without the abbreviation in parentheses', () => {
  assert.deepEqual(classifierNamed('MIT License'), { kind: 'license', id: 'MIT' });
  assert.deepEqual(classifierNamed('mit license'), { kind: 'license', id: 'MIT' });
  assert.equal((classifierNamed('GNU Lesser General Public License v3 or later (LGPLv3+)') as { id?: string }).id, 'LGPL-3.0-or-later');
  assert.equal((classifierNamed('GNU Lesser General Public License v3 or later') as { id?: string }).id, 'LGPL-3.0-or-later');
  assert.equal(classifierNamed('BSD License')?.kind, 'ambiguous');
  assert.equal(classifierNamed('OSI Approved'), undefined);
  assert.equal(classifierNamed('MIT'), undefined);
});
