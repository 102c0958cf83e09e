import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadNameCorpus } from '../../../src/analyze/names/corpus.js';
import { NameListFormatError } from '../../../src/analyze/names/errors.js';
import { parseAllNamesList, parseTopPackagesList, writeNameCorpus } from '../../../src/analyze/names/refresh.js';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');

test('top-packages JSON (hugovk format) is ranked by download count, names normalized, first row of a name kept', () => {
  const json = JSON.stringify({
    last_update: '2026-11-01 00:00:00',
    rows: [
      { download_count: 10, project: 'Flask' },
      { download_count: 30, project: 'requests' },
      { download_count: 20, project: 'python_dateutil' },
      { download_count: 5, project: 'Python.DateUtil' },
    ],
  });
  assert.deepEqual(parseTopPackagesList(bytes(json), 'top.json'), [
    { name: 'requests', rank: 1 },
    { name: 'python-dateutil', rank: 2 },
    { name: 'flask', rank: 3 },
  ]);
  assert.deepEqual(parseTopPackagesList(gzipSync(json), 'top.json.gz').length, 3);
});

test('top-packages CSV (download_count,project), with or without quotes', () => {
  const csv = 'download_count,project\n"100","boto3"\n300,urllib3\n';
  assert.deepEqual(parseTopPackagesList(bytes(csv), 'top.csv'), [
    { name: 'urllib3', rank: 1 },
    { name: 'boto3', rank: 2 },
  ]);
});

test('malformed top-packages lists are refused with the reason', () => {
  const cases: Array<[string, RegExp]> = [
    ['{"rows": 3}', /"rows" array/],
    ['{"rows": [{"project": "x"}]}', /rows\[0\] needs/],
    ['{"rows": []}', /no projects/],
    ['{not json', /not valid JSON/],
    ['name,count\nx,1\n', /header naming/],
    ['download_count,project\nlots,requests\n', /line 2/],
    ['{"rows": [{"project": "bad name", "download_count": 1}]}', /not a valid project name/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseTopPackagesList(bytes(text), 'top'), (e: unknown) => e instanceof NameListFormatError && message.test(e.message), text);
  }
});

test('all-names lists: plain lines, a PEP 503 /simple/ page, PEP 691 JSON, gzip or not', () => {
  const expected = ['django', 'python-dateutil', 'requests'];
  const inputs = [
    'requests\nDjango\npython_dateutil\nrequests\n',
    '<!DOCTYPE html><html><body><a href="/simple/requests/">requests</a>\n<a href="/simple/django/">Django</a><a href="/simple/python-dateutil/">python_dateutil</a></body></html>',
    JSON.stringify({ meta: { 'api-version': '1.0' }, projects: [{ name: 'requests' }, { name: 'Django' }, { name: 'python.dateutil' }] }),
  ];
  for (const input of inputs) {
    assert.deepEqual([...parseAllNamesList(bytes(input), 'names')], expected);
    assert.deepEqual([...parseAllNamesList(gzipSync(input), 'names.gz')], expected);
  }
  assert.throws(() => parseAllNamesList(bytes('ok\nnot ok\n'), 'names'), /'not ok' is not a valid project name/);
  assert.throws(() => parseAllNamesList(bytes('\n\n'), 'names'), /no names/);
});

test('a written corpus loads back unchanged', () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'gatehouse-names-')), 'corpus');
  const popular = parseTopPackagesList(bytes('download_count,project\n30,requests\n20,numpy\n'), 'top.csv');
  const all = parseAllNamesList(bytes('numpy\nrequests\nreqeusts\n'), 'names');
  writeNameCorpus(dir, popular, all);
  const corpus = loadNameCorpus(dir);
  assert.deepEqual(corpus.popular, popular);
  assert.equal(corpus.topSize, 2);
  assert.deepEqual([...corpus.all], ['numpy', 'reqeusts', 'requests']);
});
