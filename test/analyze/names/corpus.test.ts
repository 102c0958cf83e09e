import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { loadNameCorpus, parseTopPackagesTsv } from '../../../src/analyze/names/corpus.js';
import { NameCorpusError } from '../../../src/analyze/names/errors.js';

test('the shipped corpus holds the counts its README states', () => {
  const corpus = loadNameCorpus();
  assert.equal(corpus.popular.length, 14985);
  assert.equal(corpus.topSize, 15000);
  assert.equal(corpus.all.size, 886323);
  assert.deepEqual(corpus.popular.slice(0, 3), [
    { name: 'boto3', rank: 1 },
    { name: 'packaging', rank: 2 },
    { name: 'urllib3', rank: 3 },
  ]);
  for (const missing of [4285, 6636, 14709]) assert.ok(!corpus.popular.some((p) => p.rank === missing));
  assert.ok(corpus.all.has('requests') && corpus.all.has('python-dateutil'));
  assert.ok(!corpus.all.has('Requests'));
});

test('top-packages.tsv problems are reported with the line', () => {
  const header = 'rank\tname\tlatest_version';
  const cases: Array<[string, RegExp]> = [
    ['rank,name\n1,requests\n', /first line must be/],
    [`${header}\nx\trequests\t1\n`, /line 2: rank 'x'/],
    [`${header}\n1\tRequests\t1\n`, /line 2: 'Requests' is not a normalized/],
    [`${header}\n1\trequests\t\n2\trequests\t\n`, /line 3: 'requests' is listed twice/],
    [`${header}\n1\trequests\t\n1\tnumpy\t\n`, /line 3: rank 1 is listed twice/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseTopPackagesTsv(text), (e: unknown) => e instanceof NameCorpusError && message.test(e.message));
});

test('a missing or corrupt corpus fails loudly', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-names-'));
  assert.throws(() => loadNameCorpus(dir), /cannot read the name corpus file/);
  writeFileSync(join(dir, 'top-packages.tsv'), 'rank\tname\tlatest_version\n1\trequests\t\n');
  writeFileSync(join(dir, 'all-names.txt.gz'), 'not gzip');
  assert.throws(() => loadNameCorpus(dir), /not a gzip file/);
  writeFileSync(join(dir, 'all-names.txt.gz'), gzipSync('b\na\n'));
  assert.throws(() => loadNameCorpus(dir), /line 2: names must be unique and sorted/);
});
