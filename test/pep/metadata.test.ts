/**
 * Core metadata: one fixture per metadata version (multiple-use fields, continuation lines, Description in the
 * body, License-Expression, License-File, Dynamic) and a table of what PyPI refuses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidMetadataError } from '../../src/pep/errors.js';
import { findMetadataProblems, parseCoreMetadata, validateCoreMetadata } from '../../src/pep/metadata.js';
import { METADATA_FIXTURES } from './metadata-fixtures.js';

function fixture(version: string): string {
  const text = METADATA_FIXTURES[version];
  assert.ok(text !== undefined, `no fixture for ${version}`);
  return text;
}

test('1.0: a Description header keeps its continuation lines; Platform repeats', () => {
  const md = parseCoreMetadata(fixture('1.0'));
  assert.equal(md.metadataVersion, '1.0');
  assert.equal(md.name, 'BeagleVote');
  assert.equal(md.version, '1.0a2');
  assert.equal(
    md.description,
    'This module collects votes from beagles\n        in order to determine their electoral wishes.\n' +
      '        Do *not* try to use this module with basset hounds;\n        it makes them grumpy.',
  );
  assert.deepEqual(md.platforms, ['POSIX', 'Windows']);
  // One comma-separated field; space-separated keywords of the 1.0 era stay one keyword.
  assert.deepEqual(md.keywords, ['dog puppy voting election']);
  assert.equal(md.homePage, 'http://www.example.com/~cschultz/bvote/');
  assert.deepEqual(validateCoreMetadata(md), []);
});

test('1.1: classifiers, supported platforms and the 1.1 relationship fields', () => {
  const md = parseCoreMetadata(fixture('1.1'));
  assert.deepEqual(md.classifiers, ['Development Status :: 4 - Beta', 'Environment :: Console (Text Based)']);
  assert.deepEqual(md.supportedPlatforms, ['RedHat 7.2', 'i386-win32-2791']);
  assert.equal(md.downloadUrl, 'https://example.org/foo/2.3.1.tar.gz');
  assert.deepEqual(md.raw.get('requires'), ['re']);
  assert.deepEqual(md.raw.get('obsoletes'), ['Gorgon']);
  assert.deepEqual(validateCoreMetadata(md), []);
});

test('1.2: CRLF line endings, Requires-Dist, Requires-Python, Project-URL', () => {
  const md = parseCoreMetadata(fixture('1.2'));
  assert.equal(md.name, 'foo-bar');
  assert.equal(md.version, '0.9.post1');
  assert.deepEqual(md.requiresDist, ['pkginfo', 'PasteDeploy', 'zope.interface (>3.5.0)', 'pywin32 >1.0; sys_platform == "win32"']);
  assert.equal(md.requiresPython, '>=2.7, !=3.0.*');
  assert.deepEqual(md.requiresExternal, ['C', 'libpng (>=1.5)']);
  assert.deepEqual(md.projectUrls, [{ label: 'Bug Tracker', url: 'http://bitbucket.org/tarek/distribute/issues/' }]);
  assert.deepEqual(md.providesDist, ['OtherProject']);
  assert.deepEqual(md.obsoletesDist, ['Gorgon']);
  assert.equal(md.maintainerEmail, 'james@example.com');
  assert.deepEqual(validateCoreMetadata(md), []);
});

test('2.1: Description in the body, keywords, extras, a License with blank continuation lines', () => {
  const md = parseCoreMetadata(fixture('2.1'));
  assert.equal(md.descriptionContentType, 'text/markdown; charset=UTF-8; variant=GFM');
  assert.deepEqual(md.keywords, ['sample', 'setuptools', 'development']);
  assert.deepEqual(md.providesExtra, ['dev', 'test']);
  assert.equal(md.requiresDist.length, 3);
  assert.ok(md.license?.startsWith('Copyright (c) 2016 The Python Packaging Authority (PyPA)\n        \n        Permission'));
  assert.equal(
    md.description,
    '# A sample Python project\n\nA sample project that exists as an aid to the [Python Packaging User Guide][packaging guide].\n\n    indented code stays indented\n',
  );
  assert.deepEqual(md.raw.get('description'), [md.description]);
  assert.deepEqual(validateCoreMetadata(md), []);
});

test('2.2: Dynamic', () => {
  const md = parseCoreMetadata(fixture('2.2'));
  assert.deepEqual(md.dynamic, ['Requires-Dist', 'license']);
  assert.equal(md.description, 'Body description.');
  assert.deepEqual(validateCoreMetadata(md), []);
});

test('2.3: unknown fields are kept as found, folded values keep their fold', () => {
  const md = parseCoreMetadata(fixture('2.3'));
  assert.deepEqual(md.raw.get('x-custom-header'), ['kept\n   as found']);
  assert.deepEqual(md.keywords, ['a', 'b', 'c']);
  assert.deepEqual(md.providesExtra, ['cli-tools']);
  assert.equal(md.projectUrls.length, 2);
  assert.deepEqual(validateCoreMetadata(md), []);
});

test('2.4: License-Expression, License-File and a UTF-8 body from bytes', () => {
  const md = parseCoreMetadata(new TextEncoder().encode(fixture('2.4')));
  assert.equal(md.licenseExpression, 'MIT OR Apache-2.0');
  assert.deepEqual(md.licenseFiles, ['LICENSE-MIT', 'licenses/LICENSE-APACHE']);
  assert.deepEqual(md.dynamic, ['license-file']);
  assert.equal(md.description, '# licensed\n\nÜberall UTF-8 — ✓\n');
  assert.deepEqual(validateCoreMetadata(md), []);
});

test('the header block ends at the first line that is not a header', () => {
  const md = parseCoreMetadata('Metadata-Version: 2.1\nName: a\nVersion: 1\nthis is not a header\nName: b\n');
  assert.equal(md.name, 'a');
  assert.equal(md.description, 'this is not a header\nName: b\n');
  // Header names are case-insensitive; the value starts after the colon and its leading blanks.
  const lower = parseCoreMetadata('metadata-version:2.1\nNAME:\t x\nversion: 1 ');
  assert.equal(lower.name, 'x');
  assert.equal(lower.version, '1 ');
  assert.equal(parseCoreMetadata('').name, '');
});

test('unreadable metadata throws InvalidMetadataError naming the field', () => {
  const cases: Array<[string | Uint8Array, string]> = [
    ['Metadata-Version: 2.1\nName: a\nName: b\nVersion: 1\n', 'Name'],
    ['Metadata-Version: 2.1\nName: a\nVersion: 1\nVersion: 2\n', 'Version'],
    ['Metadata-Version: 2.1\nName: a\nVersion: 1\nDescription: x\n\nbody\n', 'Description'],
    [new Uint8Array([...new TextEncoder().encode('Metadata-Version: 2.1\nAuthor: Jos'), 0xe9, 0x0a]), 'Author'],
    [new Uint8Array([...new TextEncoder().encode('Name: a\n\nbody '), 0xff]), 'Description'],
  ];
  for (const [input, field] of cases) {
    assert.throws(
      () => parseCoreMetadata(input),
      (e: unknown) => e instanceof InvalidMetadataError && e.field === field && e.code === 'pep.invalid-metadata',
      field,
    );
  }
});

test('validation reports what PyPI refuses, one reason per problem', () => {
  const base = 'Metadata-Version: 2.4\nName: ok\nVersion: 1.0\n';
  const cases: Array<[string, string, RegExp]> = [
    ['Name: x\nVersion: 1\n', 'metadata-version', /Metadata-Version is a required field/],
    ['Metadata-Version: 2.0\nName: x\nVersion: 1\n', 'metadata-version', /"2\.0" is not a valid Metadata-Version/],
    ['Metadata-Version: 3.0\nName: x\nVersion: 1\n', 'metadata-version', /"3\.0" is not a valid/],
    ['Metadata-Version: 2.1\nVersion: 1\n', 'name', /Name is a required field/],
    ['Metadata-Version: 2.1\nName: -bad-\nVersion: 1\n', 'name', /"-bad-" is not a valid project name/],
    ['Metadata-Version: 2.1\nName: x\n', 'version', /Version is a required field/],
    ['Metadata-Version: 2.1\nName: x\nVersion: one\n', 'version', /"one" is not a valid PEP 440 version/],
    ['Metadata-Version: 2.1\nName: x\nVersion: 1.0+local\n', 'version', /local versions cannot be uploaded/],
    ['Metadata-Version: 2.2\nName: x\nVersion: 1\nDynamic: Name\n', 'dynamic', /Name is not allowed as a Dynamic field/],
    ['Metadata-Version: 2.2\nName: x\nVersion: 1\nDynamic: version\n', 'dynamic', /version is not allowed/],
    ['Metadata-Version: 2.2\nName: x\nVersion: 1\nDynamic: Colour\n', 'dynamic', /Colour is not a valid Dynamic field/],
    ['Metadata-Version: 2.1\nName: x\nVersion: 1\nDynamic: Summary\n', 'dynamic', /Dynamic was introduced in metadata version 2\.2, not 2\.1/],
    ['Metadata-Version: 2.3\nName: x\nVersion: 1\nLicense-Expression: MIT\n', 'license-expression', /License-Expression was introduced in metadata version 2\.4, not 2\.3/],
    ['Metadata-Version: 1.2\nName: x\nVersion: 1\nProvides-Extra: a\n', 'provides-extra', /introduced in metadata version 2\.1/],
    [base + 'Provides-Extra: not valid\n', 'provides-extra', /"not valid" is not a valid extra name/],
    [base + 'Summary: one\n two\n', 'summary', /single line/],
    [base + `Summary: ${'x'.repeat(513)}\n`, 'summary', /at most 512/],
    [base + 'Description-Content-Type: text/html\n', 'description-content-type', /must be one of/],
    [base + 'Description-Content-Type: text/plain; charset=latin-1\n', 'description-content-type', /UTF-8 charset/],
    [base + 'Description-Content-Type: text/markdown; variant=Pandoc\n', 'description-content-type', /not "Pandoc"/],
    [base + 'Project-URL: Home, https://a\nProject-URL: Home, https://b\n', 'project-url', /used more than once/],
    [base + 'Project-URL: https://a\n', 'project-url', /no valid http\(s\) URL/],
    [base + `Project-URL: ${'L'.repeat(33)}, https://a\n`, 'project-url', /longer than 32/],
    [base + 'Home-page: javascript:alert(1)\n', 'home-page', /not a valid http\(s\) URL/],
    [base + 'License-File: ../LICENSE\n', 'license-file', /parent directory/],
    [base + 'License-File: /etc/LICENSE\n', 'license-file', /relative path/],
    [base + 'License-File: C:\\LICENSE\n', 'license-file', /relative path/],
    [base + 'License-File: docs\\LICENSE\n', 'license-file', /"\/" as the delimiter/],
    [base + 'License-File: LICENSE*\n', 'license-file', /glob/],
    [base + 'Requires-Python: >=3.8,,<4 ~\n', 'requires-python', /not a valid version specifier/],
    [base + 'Requires-Dist: foo (>=1.0; extra == "x"\n', 'requires-dist', /not a valid PEP 508 requirement/],
    [base + 'Requires-Dist: -foo\n', 'requires-dist', /not a valid PEP 508 requirement/],
  ];
  for (const [text, field, message] of cases) {
    const problems = findMetadataProblems(parseCoreMetadata(text));
    assert.ok(
      problems.some((p) => p.field === field && message.test(p.message)),
      `${JSON.stringify(text)}: expected a ${field} problem matching ${message}, got ${JSON.stringify(problems)}`,
    );
    assert.deepEqual(validateCoreMetadata(parseCoreMetadata(text)), problems.map((p) => p.message));
  }
  // setuptools wrote License-File under 2.1 for years; PyPI's uploaders drop it rather than refuse the file.
  assert.deepEqual(validateCoreMetadata(parseCoreMetadata('Metadata-Version: 2.1\nName: x\nVersion: 1\nLicense-File: LICENSE\n')), []);
});
