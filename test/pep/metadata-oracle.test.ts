/**
 * Differential test of parseCoreMetadata / findMetadataProblems against `packaging.metadata.parse_email` and
 * `Metadata.from_raw(validate=True)` (test/pep/oracle/metadata_oracle.py): over the fixtures of every metadata
 * version and over the METADATA of every real wheel in /opt/pypi/files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { InvalidMetadataError } from '../../src/pep/errors.js';
import { findMetadataProblems, parseCoreMetadata, type CoreMetadata } from '../../src/pep/metadata.js';
import { runPythonJsonLines } from '../helpers/python.js';
import { METADATA_FIXTURES } from './metadata-fixtures.js';

const ORACLE = fileURLToPath(new URL('./oracle/metadata_oracle.py', import.meta.url));
const PYPI_FILES = '/opt/pypi/files';

interface OracleAnswer {
  b64: string;
  raw: Record<string, unknown>;
  unparsed: Record<string, string[]>;
  invalid: string[];
}

/** packaging's RawMetadata keys, and where the same value is in ours. */
const SINGLE: Array<[string, keyof CoreMetadata]> = [
  ['metadata_version', 'metadataVersion'],
  ['name', 'name'],
  ['version', 'version'],
  ['summary', 'summary'],
  ['description', 'description'],
  ['description_content_type', 'descriptionContentType'],
  ['home_page', 'homePage'],
  ['download_url', 'downloadUrl'],
  ['author', 'author'],
  ['author_email', 'authorEmail'],
  ['maintainer', 'maintainer'],
  ['maintainer_email', 'maintainerEmail'],
  ['license', 'license'],
  ['license_expression', 'licenseExpression'],
  ['requires_python', 'requiresPython'],
];
const LISTS: Array<[string, keyof CoreMetadata]> = [
  ['license_files', 'licenseFiles'],
  ['classifiers', 'classifiers'],
  ['requires_dist', 'requiresDist'],
  ['requires_external', 'requiresExternal'],
  ['provides_extra', 'providesExtra'],
  ['provides_dist', 'providesDist'],
  ['obsoletes_dist', 'obsoletesDist'],
  ['platforms', 'platforms'],
  ['supported_platforms', 'supportedPlatforms'],
  ['dynamic', 'dynamic'],
];
/** Fields packaging parses but CoreMetadata only keeps in `raw`. */
const RAW_ONLY: Array<[string, string]> = [
  ['requires', 'requires'],
  ['provides', 'provides'],
  ['obsoletes', 'obsoletes'],
  ['import_names', 'import-name'],
  ['import_namespaces', 'import-namespace'],
];
/** The fields of the core metadata spec, as packaging's `_EMAIL_TO_RAW_MAPPING` lists them. */
const KNOWN_EMAIL_FIELDS = new Set([
  'author', 'author-email', 'classifier', 'description', 'description-content-type', 'download-url', 'dynamic',
  'home-page', 'import-name', 'import-namespace', 'keywords', 'license', 'license-expression', 'license-file',
  'maintainer', 'maintainer-email', 'metadata-version', 'name', 'obsoletes', 'obsoletes-dist', 'platform',
  'project-url', 'provides', 'provides-dist', 'provides-extra', 'requires', 'requires-dist', 'requires-external',
  'requires-python', 'summary', 'supported-platform', 'version',
]);
/**
 * Checked by packaging and not the same way here: the SPDX content of License-Expression (no license list here),
 * and License-File below metadata 2.4 (accepted on purpose, see findMetadataProblems).
 */
const NOT_OURS = new Set(['license-expression', 'license-file']);
/** Checked by PyPI's upload handler but not by packaging. */
const PYPI_ONLY = new Set(['project-url', 'home-page', 'download-url', 'version', 'summary']);

function compareOne(label: string, answer: OracleAnswer): 'parsed' | 'refused' {
  const bytes = Buffer.from(answer.b64, 'base64');
  let md: CoreMetadata;
  try {
    md = parseCoreMetadata(new Uint8Array(bytes));
  } catch (error) {
    assert.ok(error instanceof InvalidMetadataError, `${label}: ${String(error)}`);
    assert.ok(
      error.field.toLowerCase() in answer.unparsed,
      `${label}: we refuse ${error.field}, packaging parses it (${error.message})`,
    );
    return 'refused';
  }
  for (const key of Object.keys(answer.unparsed)) {
    if (KNOWN_EMAIL_FIELDS.has(key) && key !== 'project-url') {
      assert.fail(`${label}: packaging could not parse ${key}, we did`);
    }
    if (!KNOWN_EMAIL_FIELDS.has(key)) assert.deepEqual(md.raw.get(key), answer.unparsed[key], `${label}: ${key}`);
  }
  const raw = answer.raw;
  for (const [theirs, mine] of SINGLE) {
    const expected = raw[theirs] ?? (theirs === 'metadata_version' || theirs === 'name' || theirs === 'version' ? '' : undefined);
    assert.equal(md[mine], expected, `${label}: ${theirs}`);
  }
  for (const [theirs, mine] of LISTS) assert.deepEqual(md[mine], raw[theirs] ?? [], `${label}: ${theirs}`);
  for (const [theirs, key] of RAW_ONLY) {
    if (raw[theirs] !== undefined && (raw[theirs] as string[]).length > 0) {
      assert.deepEqual(md.raw.get(key), raw[theirs], `${label}: ${theirs}`);
    }
  }
  const keywords = raw['keywords'] as string[] | undefined;
  assert.deepEqual(md.keywords, keywords?.filter((k) => k !== ''), `${label}: keywords`);
  if ('project-url' in answer.unparsed) {
    assert.ok(findMetadataProblems(md).some((p) => p.field === 'project-url' && /more than once/.test(p.message)));
  } else {
    const urls = (raw['project_urls'] as Record<string, string> | undefined) ?? {};
    assert.deepEqual(Object.fromEntries(md.projectUrls.map((u) => [u.label, u.url])), urls, `${label}: project_urls`);
  }

  const ours = new Set(findMetadataProblems(md).map((p) => p.field));
  for (const field of answer.invalid) {
    if (!NOT_OURS.has(field)) assert.ok(ours.has(field), `${label}: packaging finds ${field} invalid, we do not`);
  }
  const theirs = new Set(answer.invalid);
  for (const field of ours) {
    assert.ok(theirs.has(field) || PYPI_ONLY.has(field), `${label}: we find ${field} invalid, packaging does not`);
  }
  return 'parsed';
}

test('the metadata fixtures read as packaging reads them', () => {
  const fixtures = Object.entries(METADATA_FIXTURES);
  const answers = runPythonJsonLines(
    ORACLE,
    fixtures.map(([, text]) => ({ b64: Buffer.from(text, 'utf8').toString('base64') })),
  ) as OracleAnswer[];
  fixtures.forEach(([version], i) => assert.equal(compareOne(`fixture ${version}`, answers[i] as OracleAnswer), 'parsed'));
});

test('the fields found invalid agree with packaging, field by field', () => {
  const base = 'Metadata-Version: 2.4\nName: ok\nVersion: 1.0\n';
  const cases = [
    'Name: x\nVersion: 1\n',
    'Metadata-Version: 2.0\nName: x\nVersion: 1\n',
    'Metadata-Version: 2.1\nName: -bad-\nVersion: one\n',
    'Metadata-Version: 2.2\nName: x\nVersion: 1\nDynamic: Name\nDynamic: Colour\n',
    'Metadata-Version: 2.1\nName: x\nVersion: 1\nDynamic: Summary\n',
    'Metadata-Version: 2.3\nName: x\nVersion: 1\nLicense-Expression: MIT\n',
    'Metadata-Version: 1.2\nName: x\nVersion: 1\nProvides-Extra: a\nDescription-Content-Type: text/plain\n',
    base + 'Provides-Extra: not valid\n',
    base + 'Summary: one\n two\n',
    base + 'Description-Content-Type: text/html\n',
    base + 'Description-Content-Type: text/markdown; charset=latin-1\n',
    base + 'Description-Content-Type: text/markdown; variant=Pandoc\n',
    base + 'License-File: ../LICENSE\nLicense-File: /etc/x\nLicense-File: a\\b\nLicense-File: *.txt\n',
    base + 'Requires-Python: >=3.8,,<4 ~\n',
    base + 'Requires-Dist: foo (>=1.0; extra == "x"\nRequires-Dist: bar>=1\n',
    base + 'Requires-Dist: -foo\n',
  ];
  const answers = runPythonJsonLines(
    ORACLE,
    cases.map((c) => ({ b64: Buffer.from(c, 'utf8').toString('base64') })),
  ) as OracleAnswer[];
  answers.forEach((a, i) => {
    assert.ok(a.invalid.length > 0, `case ${i} should be invalid for packaging too`);
    assert.equal(compareOne(`invalid ${i}`, a), 'parsed');
  });
});

test('generated messages (folding, line endings, stray lines, unknown fields) read as packaging reads them', () => {
  const field = fc.constantFrom('Metadata-Version', 'Name', 'version', 'Summary', 'Classifier', 'Requires-Dist', 'Keywords', 'Project-URL', 'License', 'X-Thing', 'Platform', 'Dynamic');
  const value = fc.constantFrom('', ' ', 'a', '2.1', 'foo', ' padded ', 'x, y', 'Home, https://h', 'é ✓', '\t tab', 'a:b', 'From x');
  const eol = fc.constantFrom('\n', '\r\n', '\r');
  const line = fc.oneof(
    { weight: 6, arbitrary: fc.tuple(field, value).map(([f, v]) => `${f}:${v}`) },
    { weight: 2, arbitrary: value.map((v) => ` ${v}`) },
    { weight: 1, arbitrary: fc.constantFrom('', 'not a header', 'From someone', ':nameless', 'Bad Name: x', '\tcontinued') },
  );
  const message = fc.tuple(fc.array(fc.tuple(line, eol), { maxLength: 10 }), fc.option(fc.stringMatching(/^[^{}]{0,12}$/), { nil: undefined }))
    .map(([lines, body]) => lines.map(([l, e]) => l + e).join('') + (body === undefined ? '' : `\n${body}`));
  // No braces: packaging 26.2 crashes formatting its error message for a value with `{` (str.format_map).
  const texts = fc.sample(message, { numRuns: 400, seed: 42 });
  const answers = runPythonJsonLines(
    ORACLE,
    texts.map((t) => ({ b64: Buffer.from(t, 'utf8').toString('base64') })),
  ) as OracleAnswer[];
  const outcomes = answers.map((a, i) => compareOne(`generated ${JSON.stringify(texts[i])}`, a));
  assert.ok(outcomes.includes('parsed') && outcomes.includes('refused'), 'both outcomes exercised');
});

test('damaged metadata is refused where packaging cannot parse the field', () => {
  const cases = [
    'Metadata-Version: 2.1\nName: a\nName: b\nVersion: 1.0\n',
    'Metadata-Version: 2.1\nName: a\nVersion: 1.0\nDescription: header\n\nand body\n',
    'Metadata-Version: 2.1\nName: a\nVersion: 1.0\nSummary: one\nSummary: two\n',
    'Metadata-Version: 2.1\nName: a\nVersion: 1.0\nProject-URL: Home, https://a\nProject-URL: Home, https://b\n',
    'Metadata-Version: 2.1\nName: a\nVersion: 1.0\nKeywords: a\nKeywords: b\n',
  ];
  const bytes = cases.map((c) => Buffer.from(c, 'utf8'));
  // Latin-1 in a header: packaging cannot decode it either.
  bytes.push(Buffer.concat([Buffer.from('Metadata-Version: 2.1\nName: a\nVersion: 1.0\nAuthor: Jos'), Buffer.from([0xe9]), Buffer.from('\n')]));
  const answers = runPythonJsonLines(ORACLE, bytes.map((b) => ({ b64: b.toString('base64') }))) as OracleAnswer[];
  const outcomes = answers.map((a, i) => compareOne(`damaged ${i}`, a));
  assert.deepEqual(outcomes, ['refused', 'refused', 'refused', 'parsed', 'refused', 'refused']);
});

test('the METADATA of every real wheel in /opt/pypi reads as packaging reads it', () => {
  assert.ok(existsSync(PYPI_FILES), `${PYPI_FILES} is missing: this test needs the real PyPI wheels`);
  const wheels = readdirSync(PYPI_FILES).filter((f) => f.endsWith('.whl'));
  assert.ok(wheels.length > 500, `expected hundreds of wheels in ${PYPI_FILES}, found ${wheels.length}`);
  const answers = runPythonJsonLines(ORACLE, wheels.map((w) => ({ wheel: join(PYPI_FILES, w) }))) as OracleAnswer[];
  assert.equal(answers.length, wheels.length);
  const outcomes = answers.map((a, i) => compareOne(wheels[i] as string, a));
  assert.equal(outcomes.filter((o) => o === 'parsed').length, wheels.length, 'every real METADATA parses');
  // Some real wheels are invalid by today's rules (Metadata-Version 2.0, License-Expression before 2.4): the
  // comparison of problems above is exercised, not only the parse.
  assert.ok(answers.filter((a) => a.invalid.length > 0).length > 0);
});
