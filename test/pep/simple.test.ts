/**
 * Simple API documents: golden HTML and JSON pages, escaping, render -> parse round trips, parsing what other
 * indexes write, and PEP 691 content negotiation.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidSimpleDocumentError } from '../../src/pep/errors.js';
import { parseProjectHtml } from '../../src/pep/simple-html.js';
import { parseProjectJson } from '../../src/pep/simple-json.js';
import type { PageIssue } from '../../src/pep/simple-reading.js';
import {
  SIMPLE_HTML_V1,
  SIMPLE_JSON_V1,
  negotiateSimpleContentType,
  renderIndexHtml,
  renderIndexJson,
  renderProjectHtml,
  renderProjectJson,
  type SimpleFile,
  type SimpleProjectPage,
} from '../../src/pep/simple.js';

const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);
const SHA_M = 'c'.repeat(64);
const MD5_A = '0123456789abcdef'.repeat(2);

/** A page that uses every field of api-version 1.4, with text that needs escaping. */
const FULL_PAGE: SimpleProjectPage = {
  name: 'Sample_Project',
  versions: ['1.0', '2.0'],
  files: [
    {
      filename: 'sample_project-1.0.tar.gz',
      url: 'https://files.example/ab/sample_project-1.0.tar.gz',
      hashes: { sha256: SHA_A, md5: MD5_A },
      requiresPython: '>=3.8, <4',
      yanked: 'broken "build" <see #12> & more',
      coreMetadata: false,
      size: 1234,
      uploadTime: '2024-01-02T03:04:05.678901Z',
    },
    {
      filename: 'sample_project-2.0-py3-none-any.whl',
      url: 'https://files.example/cd/sample_project-2.0-py3-none-any.whl',
      hashes: { sha256: SHA_B },
      requiresPython: '>=3.9',
      yanked: true,
      coreMetadata: { sha256: SHA_M },
      size: 99,
      uploadTime: '2024-02-03T04:05:06Z',
      provenance: 'https://files.example/cd/sample_project-2.0-py3-none-any.whl.provenance',
    },
  ],
  projectStatus: { status: 'deprecated', reason: 'use "other" <instead>' },
  tracks: ['https://pypi.org/simple/sample-project/'],
  alternateLocations: ['https://mirror.example/simple/sample-project/'],
};

test('project page HTML: golden', () => {
  const expected = `<!DOCTYPE html>
<html>
  <head>
    <meta name="pypi:repository-version" content="1.4">
    <meta name="pypi:project-status" content="deprecated">
    <meta name="pypi:project-status-reason" content="use &quot;other&quot; &lt;instead&gt;">
    <meta name="pypi:tracks" content="https://pypi.org/simple/sample-project/">
    <meta name="pypi:alternate-locations" content="https://mirror.example/simple/sample-project/">
    <title>Links for Sample_Project</title>
  </head>
  <body>
    <h1>Links for Sample_Project</h1>
    <a href="https://files.example/ab/sample_project-1.0.tar.gz#sha256=${SHA_A}" data-requires-python="&gt;=3.8, &lt;4" data-yanked="broken &quot;build&quot; &lt;see #12&gt; &amp; more">sample_project-1.0.tar.gz</a><br />
    <a href="https://files.example/cd/sample_project-2.0-py3-none-any.whl#sha256=${SHA_B}" data-requires-python="&gt;=3.9" data-dist-info-metadata="sha256=${SHA_M}" data-core-metadata="sha256=${SHA_M}" data-yanked="" data-provenance="https://files.example/cd/sample_project-2.0-py3-none-any.whl.provenance">sample_project-2.0-py3-none-any.whl</a><br />
  </body>
</html>
`;
  assert.equal(renderProjectHtml(FULL_PAGE), expected);
});

test('project page HTML: a minimal page has no optional attributes', () => {
  const html = renderProjectHtml({
    name: 'a',
    versions: [],
    files: [{ filename: 'a-1.tar.gz', url: '../../files/a-1.tar.gz', hashes: {}, yanked: false, coreMetadata: true, size: 0 }],
  });
  assert.match(html, /<a href="\.\.\/\.\.\/files\/a-1\.tar\.gz" data-dist-info-metadata="true" data-core-metadata="true">a-1\.tar\.gz<\/a>/);
  assert.doesNotMatch(html, /project-status|data-yanked|data-requires-python|data-provenance|#/);
});

test('project page JSON: every key of PEP 691, 700, 708, 714, 740 and 792', () => {
  const doc = JSON.parse(renderProjectJson(FULL_PAGE)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(doc).sort(), ['alternate-locations', 'files', 'meta', 'name', 'project-status', 'versions']);
  assert.deepEqual(doc['meta'], { 'api-version': '1.4', tracks: ['https://pypi.org/simple/sample-project/'] });
  assert.equal(doc['name'], 'Sample_Project');
  assert.deepEqual(doc['versions'], ['1.0', '2.0']);
  assert.deepEqual(doc['alternate-locations'], ['https://mirror.example/simple/sample-project/']);
  assert.deepEqual(doc['project-status'], { status: 'deprecated', reason: 'use "other" <instead>' });
  assert.deepEqual(doc['files'], [
    {
      filename: 'sample_project-1.0.tar.gz',
      url: 'https://files.example/ab/sample_project-1.0.tar.gz',
      hashes: { sha256: SHA_A, md5: MD5_A },
      'requires-python': '>=3.8, <4',
      yanked: 'broken "build" <see #12> & more',
      'core-metadata': false,
      'dist-info-metadata': false,
      size: 1234,
      'upload-time': '2024-01-02T03:04:05.678901Z',
    },
    {
      filename: 'sample_project-2.0-py3-none-any.whl',
      url: 'https://files.example/cd/sample_project-2.0-py3-none-any.whl',
      hashes: { sha256: SHA_B },
      'requires-python': '>=3.9',
      yanked: true,
      'core-metadata': { sha256: SHA_M },
      'dist-info-metadata': { sha256: SHA_M },
      size: 99,
      'upload-time': '2024-02-03T04:05:06Z',
      provenance: 'https://files.example/cd/sample_project-2.0-py3-none-any.whl.provenance',
    },
  ]);
  const minimal = JSON.parse(renderProjectJson({ name: 'a', versions: [], files: [] })) as Record<string, unknown>;
  assert.deepEqual(minimal, { meta: { 'api-version': '1.4' }, name: 'a', versions: [], files: [] });
});

test('render -> parse round trips, HTML and JSON', () => {
  const base = 'https://gatehouse.example/simple/sample-project/';
  const fromJson = parseProjectJson(renderProjectJson(FULL_PAGE), base);
  assert.deepEqual(fromJson, FULL_PAGE);

  const fromHtml = parseProjectHtml(renderProjectHtml(FULL_PAGE), base);
  // HTML carries one hash per file, and no size or upload time; the versions come from the file names.
  const [sdist, wheel] = FULL_PAGE.files as [SimpleFile, SimpleFile];
  const expected: SimpleProjectPage = {
    ...FULL_PAGE,
    files: [
      { filename: sdist.filename, url: sdist.url, hashes: { sha256: SHA_A }, requiresPython: '>=3.8, <4', yanked: sdist.yanked, size: 0 },
      {
        filename: wheel.filename,
        url: wheel.url,
        hashes: { sha256: SHA_B },
        requiresPython: '>=3.9',
        yanked: true,
        coreMetadata: { sha256: SHA_M },
        size: 0,
        provenance: wheel.provenance,
      },
    ],
  };
  assert.deepEqual(fromHtml, expected);
});

test('relative file URLs resolve against the page URL', () => {
  const page: SimpleProjectPage = {
    name: 'a',
    versions: ['1'],
    files: [{ filename: 'a-1.tar.gz', url: '../../files/a-1.tar.gz', hashes: { sha256: SHA_A }, yanked: false, size: 5 }],
  };
  const base = 'http://127.0.0.1:8080/simple/a/';
  assert.equal(parseProjectHtml(renderProjectHtml(page), base).files[0]?.url, 'http://127.0.0.1:8080/files/a-1.tar.gz');
  assert.equal(parseProjectJson(renderProjectJson(page), base).files[0]?.url, 'http://127.0.0.1:8080/files/a-1.tar.gz');
});

test('index pages: HTML links to normalized names, JSON lists names', () => {
  const projects = [{ name: 'Django' }, { name: 'zope.interface' }, { name: 'a&b' }];
  const html = renderIndexHtml(projects);
  assert.match(html, /<meta name="pypi:repository-version" content="1\.4">/);
  assert.match(html, /<a href="django\/">Django<\/a>/);
  assert.match(html, /<a href="zope-interface\/">zope\.interface<\/a>/);
  assert.match(html, /<a href="a&amp;b\/">a&amp;b<\/a>/);
  assert.deepEqual(JSON.parse(renderIndexJson(projects)), { meta: { 'api-version': '1.4' }, projects });
});

test('parsing HTML as other indexes write it', () => {
  const html = `<!DOCTYPE html>
<HTML><HEAD><base href="https://cdn.example/packages/"><base href="https://ignored.example/">
<META NAME="pypi:repository-version" CONTENT="1.0"></HEAD><BODY>
<!-- <a href="commented-1.0.tar.gz">commented-1.0.tar.gz</a> -->
<A HREF='x/foo-1.0.tar.gz#SHA256=${SHA_A}' data-requires-python='&gt;=3.6' data-dist-info-metadata=true>foo-1.0.tar.gz</A><br/>
<a href=foo-1.1.zip#md5=${MD5_A} data-yanked="" data-requires-python="&#62;=3.7&#x2C;&lt;4">foo-1.1.zip</a>
<a href="foo-2.0-py3-none-any.whl" data-yanked="bad &amp;amp; sad" data-core-metadata="sha256=${SHA_M}" data-dist-info-metadata="true"><span>foo-2.0-py3-none-any.whl</span></a>
<a href="https://elsewhere.example/foo-3.0.tar.gz">  foo-3.0.tar.gz  </a>
<a href="foo-3.1.tar.gz" data-yanked>foo-3.1.tar.gz</a>
<a name="anchor-without-href">not a file</a>
</BODY></HTML>`;
  const page = parseProjectHtml(html, 'https://index.example/simple/foo/');
  assert.equal(page.name, 'foo');
  assert.deepEqual(page.versions, ['1.0', '1.1', '2.0', '3.0', '3.1']);
  assert.deepEqual(
    page.files.map((f) => [f.filename, f.url, f.hashes, f.requiresPython, f.yanked, f.coreMetadata]),
    [
      ['foo-1.0.tar.gz', 'https://cdn.example/packages/x/foo-1.0.tar.gz', { sha256: SHA_A }, '>=3.6', false, true],
      ['foo-1.1.zip', 'https://cdn.example/packages/foo-1.1.zip', { md5: MD5_A }, '>=3.7,<4', true, undefined],
      ['foo-2.0-py3-none-any.whl', 'https://cdn.example/packages/foo-2.0-py3-none-any.whl', {}, undefined, 'bad &amp; sad', { sha256: SHA_M }],
      ['foo-3.0.tar.gz', 'https://elsewhere.example/foo-3.0.tar.gz', {}, undefined, false, undefined],
      // A bare attribute has the empty string as its value (HTML), so the file is yanked with no reason.
      ['foo-3.1.tar.gz', 'https://cdn.example/packages/foo-3.1.tar.gz', {}, undefined, true, undefined],
    ],
  );
});

test('parsing refuses a document that is not a project page', () => {
  const cases: Array<[() => unknown, RegExp]> = [
    [() => parseProjectHtml('<meta name="pypi:repository-version" content="2.0">', 'https://i/simple/a/'), /unsupported repository version "2\.0"/],
    [() => parseProjectJson('{"meta":{"api-version":"2.0"},"name":"a","files":[]}', 'https://i/'), /unsupported repository version/],
    [() => parseProjectJson('not json', 'https://i/'), /not JSON/],
    [() => parseProjectJson('', 'https://i/'), /not JSON/],
    [() => parseProjectJson('{"meta":{"api-version":"1.0"},"name":"a","files":[', 'https://i/'), /not JSON/],
    [() => parseProjectJson('[]', 'https://i/'), /must be a JSON object/],
    [() => parseProjectJson('{"name":"a","files":[]}', 'https://i/'), /meta\.api-version is required/],
    [() => parseProjectJson('{"meta":{"api-version":"1.0"},"files":[]}', 'https://i/'), /name must be a string/],
    [() => parseProjectJson('{"meta":{"api-version":"1.0"},"name":"a","files":{}}', 'https://i/'), /files must be a list/],
    [() => parseProjectJson('{"meta":{"api-version":"1.0"},"name":"a","files":[],"versions":[1]}', 'https://i/'), /versions must be a list of strings/],
    [() => parseProjectHtml('<a href="a-1.tar.gz">a</a>', 'not a url'), /page URL "not a url" is not a valid URL/],
  ];
  for (const [run, message] of cases) {
    assert.throws(run, (e: unknown) => e instanceof InvalidSimpleDocumentError && message.test(e.message), String(message));
  }
});

/** Reads a page and returns the kept file names and the issues reported. */
function readWithIssues(format: 'html' | 'json', text: string, url = 'https://index.example/simple/a/'): { kept: string[]; issues: PageIssue[] } {
  const issues: PageIssue[] = [];
  const read = format === 'html' ? parseProjectHtml : parseProjectJson;
  const page = read(text, url, { onIssue: (issue) => issues.push(issue) });
  return { kept: page.files.map((f) => f.filename), issues };
}

function jsonPage(...files: unknown[]): string {
  return JSON.stringify({ meta: { 'api-version': '1.1' }, name: 'a', files });
}

test('bad links are left out and reported, never thrown: HTML', () => {
  const ok = `<a href="a-1.0.tar.gz#sha256=${SHA_A}">a-1.0.tar.gz</a>`;
  const cases: Array<[string, RegExp, PageIssue['dropped']?]> = [
    ['<a href="http://[bad">x</a>', /not a valid URL/],
    ['<a href="javascript:alert(1)">a-1.tar.gz</a>', /scheme "javascript:" is not fetched/],
    ['<a href="data:application/zip;base64,UEsFBg==">a-1.zip</a>', /scheme "data:" is not fetched/],
    ['<a href="ftp://files.example/a-1.tar.gz">a</a>', /scheme "ftp:" is not fetched/],
    ['<a href="..%2F..%2Fetc%2Fa-1.tar.gz">a</a>', /contains a path separator/],
    ['<a href="x/..%5Ca-1.tar.gz">a</a>', /contains a path separator/],
    ['<a href="a-1.tar.gz%00.whl">a</a>', /control character/],
    ['<a href="%E0%A4%A.tar.gz">a</a>', /not valid percent-encoded UTF-8/],
    ['<a href="../">parent directory</a>', /names a directory/],
    [`<a href="a-1.tar.gz#sha256=${'z'.repeat(64)}">a</a>`, /sha256 hash "z+" is not hexadecimal/],
    ['<a href="a-1.tar.gz#sha256=abc123">a</a>', /sha256 hash has 6 hex digits, not 64/],
    ['<a href="a-1.tar.gz#sha256=">a</a>', /sha256 hash "" is not hexadecimal/],
    ['<a href="a-1.tar.gz#md5=0123">a</a>', /md5 hash has 4 hex digits, not 32/],
    [`<a href="a-1.0.tar.gz#sha256=${SHA_B}">again</a>`, /"a-1\.0\.tar\.gz" is listed twice/],
    [`<a href="${'n'.repeat(300)}.tar.gz">a</a>`, /longer than 255 bytes/],
  ];
  for (const [link, reason] of cases) {
    const { kept, issues } = readWithIssues('html', `<html><body>${ok}\n${link}<a href="b-2.0.tar.gz">b</a></body></html>`);
    assert.deepEqual(kept, ['a-1.0.tar.gz', 'b-2.0.tar.gz'], link);
    assert.equal(issues.length, 1, `${link}: ${JSON.stringify(issues)}`);
    assert.equal(issues[0]?.dropped, 'file', link);
    assert.match(issues[0]?.reason ?? '', reason, link);
  }
  // Attributes that cannot be trusted are dropped, and the file kept.
  const { kept, issues } = readWithIssues(
    'html',
    `<a href="a-1.0-py3-none-any.whl" data-core-metadata="sha256=nothex" data-provenance="javascript:x">a</a>` +
      `<a href="a-2.0-py3-none-any.whl" data-dist-info-metadata="yes">a</a><base href="http://[bad">`,
  );
  assert.deepEqual(kept, ['a-1.0-py3-none-any.whl', 'a-2.0-py3-none-any.whl']);
  assert.deepEqual(
    issues.map((i) => [i.dropped, i.reason]),
    [
      ['base', 'the <base href>: it is not a valid URL'],
      ['core-metadata', 'its sha256 hash "nothex" is not hexadecimal'],
      ['provenance', 'the provenance URL: its scheme "javascript:" is not fetched'],
      ['core-metadata', 'the value "yes" is neither "true" nor <hash name>=<hex digest>'],
    ],
  );
});

test('links lose any user name and password; a file: page may link file: files', () => {
  const page = parseProjectHtml('<a href="https://user:secret@files.example/a-1.tar.gz">a</a>', 'https://u:p@index.example/simple/a/');
  assert.equal(page.files[0]?.url, 'https://files.example/a-1.tar.gz');
  assert.equal(parseProjectHtml('<a href="../../files/a-1.tar.gz">a</a>', 'file:///srv/simple/a/').files[0]?.url, 'file:///srv/files/a-1.tar.gz');
  assert.deepEqual(readWithIssues('html', '<a href="file:///etc/a-1.tar.gz">a</a>').issues.map((i) => i.reason), ['its scheme "file:" is not fetched']);
});

test('bad file entries are left out and reported, never thrown: JSON', () => {
  const ok = { filename: 'a-1.0.tar.gz', url: 'a-1.0.tar.gz', hashes: { sha256: SHA_A } };
  const cases: Array<[unknown, RegExp]> = [
    ['a string', /files\[1\] is not an object/],
    [{ url: 'x', hashes: {} }, /files\[1\]\.filename is not a string/],
    [{ filename: 'a-2.tar.gz', hashes: {} }, /files\[1\]\.url is not a string/],
    [{ filename: 'a-2.tar.gz', url: 'u' }, /files\[1\]\.hashes does not map/],
    [{ filename: 'a-2.tar.gz', url: 'u', hashes: { sha256: 5 } }, /files\[1\]\.hashes does not map/],
    [{ filename: '../a-2.tar.gz', url: 'u', hashes: {} }, /contains a path separator/],
    [{ filename: '..', url: 'u', hashes: {} }, /is a path segment/],
    [{ filename: 'C:\\a-2.tar.gz', url: 'u', hashes: {} }, /contains a path separator/],
    [{ filename: '', url: 'u', hashes: {} }, /file name is empty/],
    [{ filename: 'a-2.tar.gz', url: 'javascript:x', hashes: {} }, /scheme "javascript:"/],
    [{ filename: 'a-2.tar.gz', url: 'u', hashes: { sha256: 'xyz' } }, /not hexadecimal/],
    [{ filename: 'a-2.tar.gz', url: 'u', hashes: { sha256: 'ab'.repeat(31) } }, /62 hex digits, not 64/],
    [{ filename: 'a-2.tar.gz', url: 'u', hashes: { blake2b_256: 'abc' } }, /odd number of digits/],
    [{ filename: 'a-2.tar.gz', url: `u#sha256=${SHA_B}`, hashes: { sha256: SHA_A } }, /fragment's sha256 differs/],
    [{ filename: 'a-2.tar.gz', url: 'u', hashes: {}, yanked: 1 }, /yanked is neither/],
    [{ filename: 'a-2.tar.gz', url: 'u', hashes: {}, size: -1 }, /size is not a non-negative integer/],
    [{ filename: 'a-2.tar.gz', url: 'u', hashes: {}, size: 1.5 }, /size is not a non-negative integer/],
    [{ filename: 'a-2.tar.gz', url: 'u', hashes: {}, 'requires-python': 3 }, /requires-python is not a string/],
    [{ filename: 'a-1.0.tar.gz', url: 'other', hashes: {} }, /listed twice/],
  ];
  for (const [entry, reason] of cases) {
    const { kept, issues } = readWithIssues('json', jsonPage(ok, entry, { ...ok, filename: 'b-2.0.tar.gz', url: 'b' }));
    assert.deepEqual(kept, ['a-1.0.tar.gz', 'b-2.0.tar.gz'], JSON.stringify(entry));
    assert.equal(issues.length, 1, `${JSON.stringify(entry)}: ${JSON.stringify(issues)}`);
    assert.match(issues[0]?.reason ?? '', reason, JSON.stringify(entry));
  }
  const { issues } = readWithIssues(
    'json',
    jsonPage({ ...ok, 'core-metadata': { sha256: 'no' }, 'upload-time': 'yesterday', provenance: 'data:,x' }, { ...ok, filename: 'b-1.tar.gz', 'core-metadata': 'yes', provenance: 7 }),
  );
  assert.deepEqual(
    issues.map((i) => i.dropped),
    ['core-metadata', 'upload-time', 'provenance', 'core-metadata', 'provenance'],
  );
  // Hash digests are lowercased, and fragment hashes that agree are merged.
  const page = parseProjectJson(jsonPage({ ...ok, url: `a-1.0.tar.gz#md5=${MD5_A}`, hashes: { SHA256: SHA_A.toUpperCase() } }), 'https://i/simple/a/');
  assert.deepEqual(page.files[0]?.hashes, { sha256: SHA_A, md5: MD5_A });
  assert.equal(page.files[0]?.url, 'https://i/simple/a/a-1.0.tar.gz');
});

test('PEP 691 JSON from an older index: defaults and the dist-info-metadata key', () => {
  const page = parseProjectJson(
    JSON.stringify({
      meta: { 'api-version': '1.0' },
      name: 'holygrail',
      files: [
        { filename: 'holygrail-1.0.tar.gz', url: 'https://example.com/files/holygrail-1.0.tar.gz', hashes: { sha256: SHA_A }, yanked: 'Had a vulnerability' },
        { filename: 'holygrail-1.0-py3-none-any.whl', url: 'https://example.com/files/holygrail-1.0-py3-none-any.whl', hashes: { sha256: SHA_B }, 'requires-python': '>=3.7', 'dist-info-metadata': true },
      ],
      'project-status': { status: 'some-future-status' },
    }),
    'https://example.com/simple/holygrail/',
  );
  assert.deepEqual(page.versions, ['1.0']);
  assert.equal(page.files[0]?.yanked, 'Had a vulnerability');
  assert.equal(page.files[0]?.size, 0);
  assert.equal(page.files[1]?.coreMetadata, true);
  assert.equal(page.files[1]?.yanked, false);
  // PEP 792: a status this client does not know is treated as active.
  assert.deepEqual(page.projectStatus, { status: 'active' });
});

test('content negotiation follows PEP 691', () => {
  const cases: Array<[string | undefined, string | null]> = [
    [undefined, 'text/html'],
    ['', 'text/html'],
    ['*/*', 'text/html'],
    ['text/*', 'text/html'],
    ['text/html', 'text/html'],
    [SIMPLE_JSON_V1, SIMPLE_JSON_V1],
    [SIMPLE_HTML_V1, SIMPLE_HTML_V1],
    ['application/vnd.pypi.simple.latest+json', SIMPLE_JSON_V1],
    ['application/vnd.pypi.simple.latest+html', SIMPLE_HTML_V1],
    ['APPLICATION/VND.PYPI.SIMPLE.V1+JSON', SIMPLE_JSON_V1],
    // PEP 691's example of a client that prefers JSON, accepts the HTML versions less.
    [`${SIMPLE_JSON_V1}, ${SIMPLE_HTML_V1};q=0.2, text/html;q=0.01`, SIMPLE_JSON_V1],
    // pip 23's header.
    [`${SIMPLE_JSON_V1}, ${SIMPLE_HTML_V1}; q=0.1, text/html; q=0.01`, SIMPLE_JSON_V1],
    [`${SIMPLE_JSON_V1};q=0.5, text/html;q=0.6`, 'text/html'],
    [`text/html;charset=utf-8;q=0.9, ${SIMPLE_JSON_V1};q=0.8`, 'text/html'],
    [`*/*;q=0.1, ${SIMPLE_JSON_V1}`, SIMPLE_JSON_V1],
    // A more specific range decides: JSON refused, the wildcard gives HTML.
    [`${SIMPLE_JSON_V1};q=0, */*`, 'text/html'],
    [`text/html;q=0, */*;q=0.5`, SIMPLE_HTML_V1],
    ['application/*', SIMPLE_HTML_V1],
    // Unsupported types: the server answers 406.
    ['application/json', null],
    ['application/vnd.pypi.simple.v2+json', null],
    ['text/plain', null],
    [`text/html;q=0, ${SIMPLE_HTML_V1};q=0`, null],
    ['garbage', null],
  ];
  for (const [accept, expected] of cases) {
    assert.equal(negotiateSimpleContentType(accept), expected, String(accept));
  }
});

test('where pip departs from the HTML standard, the reader follows the standard (docs/decisions.md)', () => {
  const page = parseProjectHtml(
    [
      '<base href="../files/">',
      // The first of two equal attributes wins (pip keeps the last).
      '<a href="a-1.0.tar.gz" href="evil-1.0.tar.gz">a</a>',
      // Legacy character references in attributes: `&copy=` before `=` stays as written.
      '<a href="b-1.0.tar.gz?x=1&copy=2">b</a>',
      // <title> and <textarea> hold text, not tags.
      '<title><a href="c-1.0.tar.gz">c</a></title><textarea><a href="d-1.0.tar.gz">d</a></textarea>',
      // A bare data-yanked is yanked (its value is "").
      '<a href="e-1.0.tar.gz" data-yanked>e</a>',
    ].join('\n'),
    'https://index.example/simple/p/',
  );
  assert.deepEqual(
    page.files.map((f) => [f.url, f.yanked]),
    [
      // A relative <base href> resolves against the page (pip joins it raw).
      ['https://index.example/simple/files/a-1.0.tar.gz', false],
      ['https://index.example/simple/files/b-1.0.tar.gz?x=1&copy=2', false],
      ['https://index.example/simple/files/e-1.0.tar.gz', true],
    ],
  );
});
