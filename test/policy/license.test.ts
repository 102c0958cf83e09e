/**
 * The license rule: which license a project's metadata gives (License-Expression, classifiers, License field), how
 * allow and deny lists judge it (OR offers a choice, AND binds, `-or-later` offers each later version, WITH keeps the
 * license), problems in the rule itself, properties of the judgement, and real wheels from /opt/pypi.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readWheelMetadata } from '../../src/archive/wheel-metadata.js';
import { parseWheelFilename } from '../../src/pep/filename.js';
import { parseCoreMetadata } from '../../src/pep/metadata.js';
import {
  checkLicenseRule,
  InvalidLicenseRuleError,
  judgeLicense,
  type LicenseRule,
  type LicenseVerdict,
  type ProjectLicense,
  projectLicense,
} from '../../src/policy/license.js';

interface Metadata {
  licenseExpression?: string;
  license?: string;
  classifiers?: string[];
}
const derive = (md: Metadata): ProjectLicense =>
  projectLicense({ licenseExpression: md.licenseExpression, license: md.license, classifiers: md.classifiers ?? [] });

const OSI = 'License :: OSI Approved';
const MIT = `${OSI} :: MIT License`;
const APACHE = `${OSI} :: Apache Software License`;
const BSD = `${OSI} :: BSD License`;
const GPL3 = `${OSI} :: GNU General Public License v3 (GPLv3)`;

test('where the license comes from', () => {
  const cases: Array<[name: string, md: Metadata, expression: string | null, source: ProjectLicense['source'], invalid?: string]> = [
    // License-Expression wins, normalized as PyPI normalizes it.
    ['License-Expression', { licenseExpression: 'MIT' }, 'MIT', 'license-expression'],
    ['License-Expression in any case', { licenseExpression: 'mit or apache-2.0' }, 'MIT OR Apache-2.0', 'license-expression'],
    ['License-Expression over classifiers and License', { licenseExpression: 'Apache-2.0', classifiers: [MIT], license: 'MIT' }, 'Apache-2.0', 'license-expression'],
    ['a deprecated id is still valid', { licenseExpression: 'LGPL-2.1' }, 'LGPL-2.1', 'license-expression'],
    ['WITH and -or-later', { licenseExpression: 'gpl-2.0-or-later with classpath-exception-2.0' }, 'GPL-2.0-or-later WITH Classpath-exception-2.0', 'license-expression'],
    ['a LicenseRef', { licenseExpression: 'LicenseRef-Acme-EULA' }, 'LicenseRef-Acme-EULA', 'license-expression'],
    // An invalid License-Expression does not fall back to fields that may say something else.
    ['an invalid License-Expression leaves it unknown', { licenseExpression: 'Apache 2.0', classifiers: [MIT] }, null, 'none', 'Apache 2.0'],
    ['an unbalanced one too', { licenseExpression: '(MIT OR Apache-2.0', license: 'MIT' }, null, 'none', '(MIT OR Apache-2.0'],
    // Classifiers.
    ['one classifier', { classifiers: [MIT] }, 'MIT', 'classifiers'],
    ['classifiers before a License field that is only a name', { classifiers: [MIT], license: 'Apache 2.0' }, 'MIT', 'classifiers'],
    ['an SPDX License field before the classifiers', { classifiers: [`${OSI} :: GNU Lesser General Public License v3 (LGPLv3)`], license: 'LGPL-3.0-or-later' }, 'LGPL-3.0-or-later', 'license-field'],
    ['several classifiers: all apply', { classifiers: [MIT, `${OSI} :: ISC License (ISCL)`] }, 'MIT AND ISC', 'classifiers'],
    ['GPLv3 classifier', { classifiers: [GPL3] }, 'GPL-3.0-only', 'classifiers'],
    // An ambiguous classifier hands over to the License field.
    ['ambiguous classifier, SPDX License field', { classifiers: [BSD], license: 'BSD-3-Clause' }, 'BSD-3-Clause', 'license-field'],
    ['ambiguous + precise classifiers, License field with the relation', { classifiers: [MIT, APACHE], license: 'MIT OR Apache-2.0' }, 'MIT OR Apache-2.0', 'license-field'],
    ['ambiguous classifier, no License field', { classifiers: [BSD] }, null, 'none'],
    ['ambiguous classifier, License field as vague', { classifiers: [BSD], license: 'BSD' }, null, 'none', 'BSD'],
    // The License field alone.
    ['an SPDX id', { license: 'MIT' }, 'MIT', 'license-field'],
    ['an SPDX expression', { license: 'Apache-2.0 AND MIT' }, 'Apache-2.0 AND MIT', 'license-field'],
    ["setuptools' placeholder", { license: 'UNKNOWN' }, null, 'none'],
    ['nothing at all', {}, null, 'none'],
    ['a license text titled with an SPDX id', { license: 'MIT\n\nCopyright (c) 2020 Someone\n\nPermission is hereby granted…' }, 'MIT', 'license-field'],
    ['a license text titled with a name', { license: 'BSD 3-Clause License\n\nCopyright (c) 2020, Someone\nAll rights reserved.' }, 'BSD-3-Clause', 'license-field'],
    ['a classifier name', { license: 'GNU Lesser General Public License v3 or later (LGPLv3+)' }, 'LGPL-3.0-or-later', 'license-field'],
    ['an ambiguous classifier name', { license: 'Apache Software License' }, null, 'none', 'Apache Software License'],
    // spdx-correct, where the text bears its answer out.
    ['a name with its version', { license: 'Apache 2.0' }, 'Apache-2.0', 'license-field'],
    ['Apache License, Version 2.0', { license: 'Apache License, Version 2.0' }, 'Apache-2.0', 'license-field'],
    ['MIT License', { license: 'The MIT License (MIT)' }, 'MIT', 'license-field'],
    ['GPLv2+', { license: 'GPLv2+' }, 'GPL-2.0-or-later', 'license-field'],
    ['GPL v3, read like the classifier', { license: 'GPL v3' }, 'GPL-3.0-only', 'license-field'],
    // … and not where it would guess.
    ['BSD without a clause count', { license: 'BSD' }, null, 'none', 'BSD'],
    ['GPL without a version', { license: 'GPL' }, null, 'none', 'GPL'],
    ['Modified BSD: no number to bear out 3-Clause', { license: 'Modified BSD License' }, null, 'none', 'Modified BSD License'],
    ['a copyright line that spdx-correct reads as WTFPL', { license: 'Copyright 2010 WTForms\n\nRedistribution and use…' }, null, 'none', 'Copyright 2010 WTForms …'],
    ['SPDX operators in any case', { license: 'MIT and Apache-2.0' }, 'MIT AND Apache-2.0', 'license-field'],
    ['two licenses without their relation', { license: 'MIT, Apache 2.0' }, null, 'none', 'MIT, Apache 2.0'],
    ['a list', { license: 'BSD, Public Domain' }, null, 'none', 'BSD, Public Domain'],
    ['an exception spdx-correct would drop', { license: 'GNU GPLv2 (with FOSS License Exception)' }, null, 'none', 'GNU GPLv2 (with FOSS License Exception)'],
    ['a sentence', { license: 'Dual License' }, null, 'none', 'Dual License'],
  ];
  for (const [name, md, expression, source, invalid] of cases) {
    const license = derive(md);
    assert.equal(license.expression, expression, name);
    assert.equal(license.source, source, name);
    assert.equal(license.invalid, invalid, name);
  }
});

test('evidence names the inputs looked at, and notes say how they were read', () => {
  assert.deepEqual(derive({ licenseExpression: 'MIT', classifiers: [APACHE], license: 'x' }), {
    expression: 'MIT',
    source: 'license-expression',
    evidence: ['License-Expression: MIT'],
  });
  const fromField = derive({ classifiers: [APACHE, 'Programming Language :: Python'], license: 'Apache 2.0' });
  assert.deepEqual(fromField.evidence, [`Classifier: ${APACHE}`, 'License: Apache 2.0']);
  assert.deepEqual(fromField.notes, [
    `"${APACHE}" does not say which license it means (Apache-1.0, Apache-1.1, Apache-2.0)`,
    'the License field "Apache 2.0" was read as Apache-2.0 (spdx-correct)',
  ]);
  const text = `BSD 3-Clause License\n\n${'Redistribution and use in source and binary forms. '.repeat(200)}`;
  const long = derive({ license: text });
  assert.deepEqual(long.evidence, ['License: BSD 3-Clause License …'], 'a pasted license text is shown by its title');
  const huge = derive({ licenseExpression: Array(20_000).fill('MIT').join(' OR '), classifiers: [MIT] });
  assert.equal(huge.expression, null);
  assert.equal(huge.invalid?.length, 201, 'an invalid value is kept shortened');
  assert.match(huge.notes?.[0] ?? '', /longer than 1000 characters/);
  const invalid = derive({ licenseExpression: 'MIT OR Foo' });
  assert.deepEqual(invalid.notes, ['the License-Expression is not valid SPDX: unknown license "Foo"']);
});

interface JudgeCase {
  expression: string;
  rule: LicenseRule;
  verdict: LicenseVerdict['verdict'];
  matched?: string;
}

const DENY_GPL3 = { deny: ['GPL-3.0-only'] };
const PERMISSIVE = { allow: ['MIT', 'Apache-2.0', 'BSD-3-Clause'] };

test('allow and deny lists judge the choices an expression offers', () => {
  const cases: JudgeCase[] = [
    // No lists: anything with a license is allowed.
    { expression: 'GPL-3.0-only', rule: {}, verdict: 'allowed' },
    // OR: the user may choose; AND: both apply.
    { expression: 'MIT OR GPL-3.0-only', rule: DENY_GPL3, verdict: 'allowed' },
    { expression: 'MIT AND GPL-3.0-only', rule: DENY_GPL3, verdict: 'denied', matched: 'GPL-3.0-only' },
    { expression: 'GPL-3.0-only OR GPL-3.0-only', rule: DENY_GPL3, verdict: 'denied', matched: 'GPL-3.0-only' },
    { expression: 'MIT OR GPL-3.0-only', rule: PERMISSIVE, verdict: 'allowed', matched: 'MIT' },
    { expression: 'GPL-3.0-only OR MIT', rule: PERMISSIVE, verdict: 'allowed', matched: 'MIT' },
    { expression: 'MIT AND GPL-3.0-only', rule: PERMISSIVE, verdict: 'not-allowed' },
    { expression: 'MIT AND Apache-2.0', rule: PERMISSIVE, verdict: 'allowed', matched: 'MIT, Apache-2.0' },
    { expression: 'MPL-2.0 AND (Apache-2.0 OR MIT)', rule: PERMISSIVE, verdict: 'not-allowed' },
    { expression: 'BSD-3-Clause AND (GPL-3.0-only OR Apache-2.0)', rule: { ...PERMISSIVE, ...DENY_GPL3 }, verdict: 'allowed', matched: 'BSD-3-Clause, Apache-2.0' },
    { expression: '(MIT OR GPL-3.0-only) AND (GPL-3.0-only OR ISC)', rule: DENY_GPL3, verdict: 'allowed' },
    { expression: '(MIT OR GPL-3.0-only) AND GPL-3.0-only', rule: DENY_GPL3, verdict: 'denied', matched: 'GPL-3.0-only' },
    // Deny wins over allow; a choice that is only not allowed makes it not-allowed, not denied.
    { expression: 'GPL-3.0-only', rule: { allow: ['GPL-3.0-only'], deny: ['GPL-3.0-or-later'] }, verdict: 'denied', matched: 'GPL-3.0-or-later' },
    { expression: 'GPL-3.0-only OR ISC', rule: { ...PERMISSIVE, ...DENY_GPL3 }, verdict: 'not-allowed' },
    // -or-later offers each version from it on; -only is one version.
    { expression: 'GPL-2.0-or-later', rule: DENY_GPL3, verdict: 'allowed' },
    { expression: 'GPL-2.0+', rule: DENY_GPL3, verdict: 'allowed' },
    { expression: 'GPL-3.0-or-later', rule: DENY_GPL3, verdict: 'denied', matched: 'GPL-3.0-only' },
    { expression: 'GPL-2.0-or-later', rule: { deny: ['GPL-2.0-only', 'GPL-3.0-only'] }, verdict: 'denied', matched: 'GPL-2.0-only, GPL-3.0-only' },
    { expression: 'GPL-2.0-only', rule: { deny: ['GPL-2.0-or-later'] }, verdict: 'denied', matched: 'GPL-2.0-or-later' },
    { expression: 'GPL-3.0-only', rule: { deny: ['GPL-2.0-or-later'] }, verdict: 'denied', matched: 'GPL-2.0-or-later' },
    { expression: 'GPL-2.0', rule: { deny: ['GPL-2.0-only'] }, verdict: 'denied', matched: 'GPL-2.0-only' },
    { expression: 'LGPL-2.1-only', rule: { deny: ['GPL-2.0-or-later'] }, verdict: 'allowed' },
    { expression: 'GPL-2.0-only', rule: { allow: ['GPL-3.0-only'] }, verdict: 'not-allowed' },
    { expression: 'GPL-2.0-or-later', rule: { allow: ['GPL-3.0-only'] }, verdict: 'allowed', matched: 'GPL-3.0-only' },
    { expression: 'GPL-3.0-only', rule: { allow: ['GPL-2.0-or-later'] }, verdict: 'allowed', matched: 'GPL-2.0-or-later' },
    { expression: 'Apache-1.1', rule: { allow: ['Apache-2.0'] }, verdict: 'not-allowed' },
    // WITH: an entry without an exception covers the license with any; one with an exception, only that one.
    { expression: 'GPL-3.0-only WITH GCC-exception-3.1', rule: DENY_GPL3, verdict: 'denied', matched: 'GPL-3.0-only' },
    { expression: 'GPL-2.0-only WITH Classpath-exception-2.0', rule: { allow: ['GPL-2.0-only'] }, verdict: 'allowed', matched: 'GPL-2.0-only' },
    {
      expression: 'GPL-2.0-only WITH Classpath-exception-2.0',
      rule: { allow: ['GPL-2.0-only WITH Classpath-exception-2.0'] },
      verdict: 'allowed',
      matched: 'GPL-2.0-only WITH Classpath-exception-2.0',
    },
    { expression: 'GPL-2.0-only', rule: { allow: ['GPL-2.0-only WITH Classpath-exception-2.0'] }, verdict: 'not-allowed' },
    { expression: 'GPL-2.0-only WITH Classpath-exception-2.0', rule: { deny: ['GPL-2.0-only WITH GCC-exception-2.0'] }, verdict: 'allowed' },
    { expression: 'Apache-2.0 WITH LLVM-exception OR GPL-3.0-only', rule: { allow: ['Apache-2.0'] }, verdict: 'allowed', matched: 'Apache-2.0' },
    // LicenseRefs are licenses like any other.
    { expression: 'LicenseRef-Proprietary', rule: { deny: ['LicenseRef-Proprietary'] }, verdict: 'denied', matched: 'LicenseRef-Proprietary' },
    { expression: 'LicenseRef-Acme-EULA', rule: PERMISSIVE, verdict: 'not-allowed' },
    // Entries in any case.
    { expression: 'MIT', rule: { allow: ['mit'] }, verdict: 'allowed', matched: 'MIT' },
  ];
  for (const c of cases) {
    const result = judgeLicense(derive({ licenseExpression: c.expression }), c.rule);
    const label = `${c.expression} under ${JSON.stringify(c.rule)}`;
    assert.equal(result.verdict, c.verdict, label);
    assert.equal('matched' in result ? result.matched : undefined, c.matched, label);
  }
});

test('verdict messages name the license, where it came from, and the entries that decided', () => {
  const denied = judgeLicense(derive({ licenseExpression: 'MIT AND GPL-3.0-only' }), DENY_GPL3);
  assert.equal(denied.verdict, 'denied');
  assert.match(
    (denied as { message: string }).message,
    /^license MIT AND GPL-3\.0-only \(from the License-Expression\) is denied by the license policy: every choice it offers includes a denied license: GPL-3\.0-only \(denied by GPL-3\.0-only\)$/,
  );
  const single = judgeLicense(derive({ classifiers: [GPL3] }), DENY_GPL3);
  assert.equal((single as { message: string }).message, 'license GPL-3.0-only (from the license classifiers) is denied by the license policy: GPL-3.0-only (denied by GPL-3.0-only)');
  const notAllowed = judgeLicense(derive({ license: 'ISC' }), PERMISSIVE);
  assert.equal((notAllowed as { message: string }).message, 'license ISC (from the License field) is not on the license allow list (MIT, Apache-2.0, BSD-3-Clause)');
  const unknown = judgeLicense(derive({ classifiers: [BSD] }), PERMISSIVE);
  assert.equal(unknown.verdict, 'unknown');
  assert.match((unknown as { message: string }).message, /^no SPDX license could be derived: .*BSD License" does not say which license it means.*; there is no License field$/);
  const undeclared = judgeLicense(derive({}), {});
  assert.deepEqual(undeclared, {
    verdict: 'unknown',
    license: { expression: null, source: 'none', evidence: [], notes: ['the metadata declares no license'] },
    message: 'no SPDX license could be derived: the metadata declares no license',
  });
});

test('problems in the rule itself name the list, the entry and the fix', () => {
  assert.deepEqual(checkLicenseRule({ allow: ['MIT', 'apache-2.0', 'GPL-2.0-or-later', 'GPL-2.0-only WITH Classpath-exception-2.0', 'LicenseRef-Acme'], deny: ['AGPL-3.0-only'] }), []);
  assert.deepEqual(checkLicenseRule({}), []);
  assert.deepEqual(checkLicenseRule({ allow: ['GPL3', 'MIT OR ISC', 'Apache 2.0'], deny: ['MIT', 'Classpath-exception-2.0', 'GPL-2.0-only WITH Nope'] }), [
    'allow[0] "GPL3": unknown license "GPL3" (did you mean "GPL-3.0-or-later"?)',
    'allow[1] "MIT OR ISC": an entry names one license; list each license of "MIT OR ISC" as its own entry',
    'allow[2] "Apache 2.0": unknown license "Apache" (did you mean "Apache-2.0"?)',
    'deny[1] "Classpath-exception-2.0": unknown license "Classpath-exception-2.0"',
    'deny[2] "GPL-2.0-only WITH Nope": unknown license exception "Nope"',
  ]);
  assert.deepEqual(checkLicenseRule({ allow: ['MIT', 'ISC'], deny: ['mit'] }), ['"MIT" is on both the allow and the deny list']);
  assert.deepEqual(checkLicenseRule({ allow: [] }), ['allow is empty, so every project would be refused; leave it out to accept any license that is not denied']);
  assert.throws(() => judgeLicense(derive({ licenseExpression: 'MIT' }), { deny: ['GPL3'] }), (error: unknown) => error instanceof InvalidLicenseRuleError && error.code === 'policy.license-rule-invalid');
});

// Properties over random expressions and rules from a small pool, so that lists and expressions meet.
const POOL = ['MIT', 'ISC', 'Apache-2.0', 'GPL-2.0-only', 'GPL-2.0-or-later', 'GPL-3.0-only', 'GPL-3.0-or-later', 'LGPL-2.1-only', 'GPL-2.0-only WITH Classpath-exception-2.0'];
const expressionArb: fc.Arbitrary<string> = fc.letrec<{ expr: string }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(...POOL),
    fc.tuple(tie('expr'), fc.constantFrom('AND', 'OR'), tie('expr')).map(([l, op, r]) => `(${l} ${op} ${r})`),
  ),
})).expr;
const listArb = fc.uniqueArray(fc.constantFrom(...POOL), { maxLength: 4 });
const ruleArb: fc.Arbitrary<LicenseRule> = fc.record({ allow: fc.option(listArb.filter((l) => l.length > 0), { nil: undefined }), deny: listArb }).map((r) => {
  const deny = r.deny.filter((d) => !r.allow?.includes(d));
  return r.allow === undefined ? { deny } : { allow: r.allow, deny };
});
const judge = (expression: string, rule: LicenseRule): LicenseVerdict['verdict'] => judgeLicense(derive({ licenseExpression: expression }), rule).verdict;

test('OR is allowed when either side is, and denied only when both are; AND is denied when either side is', () => {
  fc.assert(
    fc.property(expressionArb, expressionArb, ruleArb, (a, b, rule) => {
      const [va, vb] = [judge(a, rule), judge(b, rule)];
      const or = judge(`(${a}) OR (${b})`, rule);
      const and = judge(`(${a}) AND (${b})`, rule);
      assert.equal(or === 'allowed', va === 'allowed' || vb === 'allowed');
      assert.equal(or === 'denied', va === 'denied' && vb === 'denied');
      assert.equal(and === 'allowed', va === 'allowed' && vb === 'allowed');
      if (va === 'denied' || vb === 'denied') assert.equal(and, 'denied');
    }),
    { numRuns: 300 },
  );
});

test('adding a deny entry never allows more; adding an allow entry never allows less', () => {
  fc.assert(
    fc.property(expressionArb, ruleArb, fc.constantFrom(...POOL), (expression, rule, extra) => {
      const before = judge(expression, rule);
      const allow = rule.allow?.filter((a) => a !== extra);
      fc.pre(allow === undefined || allow.length > 0);
      const stricter = judge(expression, allow === undefined ? { deny: [...new Set([...(rule.deny ?? []), extra])] } : { allow, deny: [...new Set([...(rule.deny ?? []), extra])] });
      if (stricter === 'allowed') assert.equal(before, 'allowed');
      if (before === 'denied') assert.equal(stricter, 'denied');
      if (rule.allow !== undefined) {
        const wider = judge(expression, { allow: [...new Set([...rule.allow, extra])], deny: (rule.deny ?? []).filter((d) => d !== extra) });
        if (before === 'allowed') assert.equal(wider, 'allowed');
      }
    }),
    { numRuns: 300 },
  );
});

// A handful of real wheels, one per way a license is found (or is not).
const PYPI_FILES = '/opt/pypi/files';
const REAL: Array<[wheel: string, expression: string | null, source: ProjectLicense['source']]> = [
  ['numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl', 'BSD-3-Clause AND 0BSD AND MIT AND Zlib AND CC0-1.0', 'license-expression'],
  ['paramiko-5.0.0-py3-none-any.whl', 'LGPL-2.1', 'license-expression'],
  ['cryptography-50.0.2-cp311-abi3-manylinux_2_34_x86_64.whl', 'Apache-2.0 OR BSD-3-Clause', 'license-expression'],
  ['setuptools_rust-1.13.0-py3-none-any.whl', 'MIT', 'classifiers'],
  ['reedsolo-1.7.0-py3-none-any.whl', 'Unlicense AND MIT-0', 'classifiers'], // over a License field of "Public Domain"
  ['scramp-1.4.17-py3-none-any.whl', 'MIT-0', 'classifiers'], // over a License field of "MIT No Attribution"
  ['certifi-2026.7.22-py3-none-any.whl', 'MPL-2.0', 'license-field'],
  ['future-1.0.0-py3-none-any.whl', 'MIT', 'license-field'],
  ['fpdf2-2.8.3-py2.py3-none-any.whl', 'LGPL-3.0-or-later', 'license-field'], // over the classifier LGPLv3
  ['sniffio-1.3.1-py3-none-any.whl', 'MIT OR Apache-2.0', 'license-field'],
  ['requests-2.34.2-py3-none-any.whl', 'Apache-2.0', 'license-field'],
  ['cmake-4.4.3-py3-none-manylinux2014_x86_64.manylinux_2_17_x86_64.whl', 'Apache-2.0', 'license-field'],
  ['jupyter_client-8.10.0-py3-none-any.whl', 'BSD-3-Clause', 'license-field'],
  ['PyQt5-5.15.11-cp38-abi3-manylinux_2_17_x86_64.whl', 'GPL-3.0-only', 'license-field'],
  ['python_dateutil-2.9.0.post0-py2.py3-none-any.whl', null, 'none'],
  ['docutils-0.23-py3-none-any.whl', null, 'none'],
  ['mysql_connector_python-26.7.0-cp311-cp311-manylinux_2_28_x86_64.whl', null, 'none'],
];

test('real wheels from /opt/pypi: the license each one gets, and a typical rule on them', async () => {
  assert.ok(existsSync(PYPI_FILES), `${PYPI_FILES} is missing: this test needs the real PyPI wheels`);
  const rule: LicenseRule = { allow: ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'MPL-2.0', 'LGPL-2.1-or-later'], deny: ['GPL-3.0-only', 'AGPL-3.0-only'] };
  const verdicts: Record<string, string> = {};
  for (const [wheel, expression, source] of REAL) {
    const path = join(PYPI_FILES, wheel);
    assert.ok(existsSync(path), `${path} is missing`);
    const name = parseWheelFilename(wheel);
    const bytes = await readWheelMetadata(path, { normalizedName: name.normalizedName, version: name.version });
    assert.ok(bytes !== null, `${wheel}: no METADATA`);
    const license = projectLicense(parseCoreMetadata(bytes));
    assert.equal(license.expression, expression, wheel);
    assert.equal(license.source, source, wheel);
    verdicts[name.normalizedName] = judgeLicense(license, rule).verdict;
  }
  assert.deepEqual(verdicts, {
    numpy: 'not-allowed', // 0BSD, Zlib and CC0-1.0 are not on this allow list
    paramiko: 'allowed', // LGPL-2.1 (deprecated id for -only) is a version LGPL-2.1-or-later covers
    cryptography: 'allowed',
    'setuptools-rust': 'allowed',
    reedsolo: 'not-allowed',
    scramp: 'not-allowed',
    certifi: 'allowed',
    future: 'allowed',
    fpdf2: 'allowed',
    sniffio: 'allowed',
    requests: 'allowed',
    cmake: 'allowed',
    'jupyter-client': 'allowed',
    pyqt5: 'denied',
    'python-dateutil': 'unknown',
    docutils: 'unknown',
    'mysql-connector-python': 'unknown',
  });
});
