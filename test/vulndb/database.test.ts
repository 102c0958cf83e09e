/**
 * The stored database end to end: ingest from a directory (YAML and JSON),
 * from all.zip and from an http URL on 127.0.0.1; incremental updates by
 * `modified`; withdrawn records; several affected entries; the queries and
 * the malware flag.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { updateVulnDb } from '../../src/vulndb/build.js';
import { openVulnDb } from '../../src/vulndb/database.js';
import { AdvisorySourceError, InvalidAdvisoryError, VulnDbStorageError } from '../../src/vulndb/errors.js';
import { STORE_FORMAT } from '../../src/vulndb/store.js';
import { writeZip } from '../helpers/zip.js';

const advisories = fileURLToPath(new URL('../fixtures/audit/advisories/osv/', import.meta.url));
let dir: string;
let dataDir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-vulndb-'));
  dataDir = join(dir, 'data');
  const r = await updateVulnDb(dataDir, advisories);
  assert.equal(r.added, 4);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const queries: Array<{ name: string; version: string; expected: Record<string, string[]> }> = [
  { name: 'demo-pkg', version: '0.5', expected: { 'GHSA-dddd-eeee-ffff': ['1.5.0rc1'], 'PYSEC-9000-1': ['1.10'] } }, // listed version, below any range
  { name: 'demo-pkg', version: '1.1', expected: { 'GHSA-dddd-eeee-ffff': ['1.5.0rc1'] } }, // 1.1 < 1.2: "fixed: 1.10" must not read as 1.1
  { name: 'Demo_Pkg', version: '1.2', expected: { 'GHSA-dddd-eeee-ffff': ['1.5.0rc1'], 'PYSEC-9000-1': ['1.10'] } },
  { name: 'demo.pkg', version: '1.5.0', expected: { 'PYSEC-9000-1': ['1.10'] } },
  { name: 'demo-pkg', version: '1.10', expected: {} },
  { name: 'demo-pkg', version: '2.0', expected: { 'PYSEC-9000-1': [] } },
  { name: 'demo-pkg', version: '2.1.3', expected: { 'PYSEC-9000-1': [] } }, // last_affected is inclusive
  { name: 'demo-pkg', version: '2.1.3.post1', expected: {} },
  { name: 'other-pkg', version: '0.1.0', expected: { 'GHSA-dddd-eeee-ffff': [] } }, // versions list compared by PEP 440
  { name: 'other-pkg', version: '0.3', expected: {} },
  { name: 'demo-pkgg', version: '99.0', expected: { 'MAL-2026-9': [] } },
];

test('queries follow OSV semantics across sorted events, ranges, versions lists and affected entries', async () => {
  const db = await openVulnDb(dataDir);
  for (const q of queries) {
    const got = Object.fromEntries(db.query(q.name, q.version).map((m) => [m.advisory.id, m.fixVersions]));
    assert.deepEqual(got, q.expected, `${q.name} ${q.version}`);
    assert.equal(db.affected(q.name, q.version), Object.keys(q.expected).length > 0);
  }
});

test('withdrawn advisories never match; malware is flagged; severities are scored', async () => {
  const db = await openVulnDb(dataDir);
  assert.ok(!db.query('demo-pkg', '1.2').some((m) => m.advisory.id === 'PYSEC-9000-2'));
  assert.ok(db.advisory('PYSEC-9000-2')?.withdrawn, 'the withdrawn record is stored, for the record');
  const [mal] = db.query('demo-pkgg', '1.0');
  assert.ok(mal && db.isMalware(mal.advisory));
  const pysec = db.advisory('PYSEC-9000-1');
  assert.ok(pysec && !db.isMalware(pysec));
  assert.deepEqual(pysec.severity.map((s) => [s.score, s.level]), [[7.5, 'high']]);
  assert.deepEqual(db.advisory('GHSA-dddd-eeee-ffff')?.severity.map((s) => [s.score, s.level]), [[8.7, 'high']]);
});

test('updates are incremental by `modified`', async () => {
  const db1 = await openVulnDb(dataDir);
  const same = await updateVulnDb(dataDir, advisories);
  assert.deepEqual([same.added, same.updated, same.unchanged, same.revision], [0, 0, 4, db1.revision]);

  const changed = join(dir, 'changed');
  cpSync(advisories, changed, { recursive: true });
  const yamlPath = join(changed, 'demo-pkg/PYSEC-9000-1.yaml');
  const newer = readFileSync(yamlPath, 'utf8').replace('2026-01-10T08:00:00.123456Z', '2026-01-10T08:00:00.123457Z').replace('- fixed: 1.10', '- fixed: "1.9"');
  writeFileSync(yamlPath, newer);
  const older = JSON.parse(readFileSync(join(changed, 'MAL-2026-9.json'), 'utf8')) as Record<string, unknown>;
  older.modified = '2025-12-31T00:00:00Z';
  older.affected = [];
  writeFileSync(join(changed, 'MAL-2026-9.json'), JSON.stringify(older));

  const r = await updateVulnDb(dataDir, changed);
  assert.deepEqual([r.added, r.updated, r.unchanged], [0, 1, 3], 'a microsecond later is newer; an older record is not taken');
  assert.notEqual(r.revision, db1.revision);
  const db2 = await openVulnDb(dataDir);
  assert.equal(db2.revision, r.revision);
  assert.deepEqual(db2.query('demo-pkg', '1.9.1').map((m) => m.advisory.id), [], '1.9.1 is now fixed');
  assert.deepEqual(db2.query('demo-pkg', '1.9').map((m) => m.advisory.id), ['PYSEC-9000-1'], '1.9 is still listed in `versions`');
  assert.equal(db2.query('demo-pkgg', '1.0').length, 1, 'the older MAL record did not replace the stored one');
  assert.equal(db1.query('demo-pkg', '1.9.1').length, 1, 'an open database keeps reading its own revision');
  const carried = db2.advisory('PYSEC-2021-7');
  assert.match(carried?.details ?? '', /Django/, 'texts of untouched advisories survive an update');
  assert.ok((carried?.references.length ?? 0) > 0);
});

test('a stored `modified` in the future (a typo in the source) does not block corrections', async () => {
  const typo = join(dir, 'typo');
  const record = (modified: string, fixed: string) =>
    JSON.stringify({ id: 'PYSEC-9000-5', modified, affected: [{ package: { ecosystem: 'PyPI', name: 'typo-pkg' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed }] }] }] });
  writeFileSync(`${typo}.json`, record('2999-07-09T15:45:00Z', '1.0'));
  assert.equal((await updateVulnDb(dataDir, `${typo}.json`)).added, 1);
  writeFileSync(`${typo}.json`, record('2026-05-01T00:00:00Z', '2.0'));
  assert.equal((await updateVulnDb(dataDir, `${typo}.json`)).updated, 1);
  assert.deepEqual((await openVulnDb(dataDir)).query('typo-pkg', '1.5').map((m) => m.fixVersions), [['2.0']]);
  writeFileSync(`${typo}.json`, record('2026-04-01T00:00:00Z', '3.0'));
  assert.equal((await updateVulnDb(dataDir, `${typo}.json`)).unchanged, 1, 'once the date is sane, older records lose again');
});

test('all.zip from a path and from an http URL', async () => {
  const advisory = (id: string, name: string) =>
    JSON.stringify({ id, modified: '2026-04-01T00:00:00Z', affected: [{ package: { ecosystem: 'PyPI', name }, versions: ['1.0'] }] });
  const zip = join(dir, 'all.zip');
  writeZip(zip, [
    { name: 'PYSEC-9000-3.json', text: advisory('PYSEC-9000-3', 'zipped') },
    { name: 'README.txt', text: 'not an advisory' },
  ]);
  const fromPath = await updateVulnDb(dataDir, zip);
  assert.equal(fromPath.added, 1);
  assert.equal((await openVulnDb(dataDir)).query('zipped', '1.0')[0]?.advisory.id, 'PYSEC-9000-3');

  const served = join(dir, 'served.zip');
  writeZip(served, [{ name: 'PyPI/PYSEC-9000-4.json', text: advisory('PYSEC-9000-4', 'downloaded') }]);
  const server = createServer((req, res) => {
    if (req.url === '/PyPI/all.zip') res.end(readFileSync(served));
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const r = await updateVulnDb(dataDir, `${base}/PyPI/all.zip`);
    assert.equal(r.added, 1);
    assert.equal((await openVulnDb(dataDir)).query('downloaded', '1.0')[0]?.advisory.id, 'PYSEC-9000-4');
    await assert.rejects(updateVulnDb(dataDir, `${base}/missing.zip`), AdvisorySourceError);
  } finally {
    server.close();
  }
});

test('broken sources are refused without touching the database', async () => {
  const before = (await openVulnDb(dataDir)).revision;
  const bad = join(dir, 'bad');
  cpSync(advisories, bad, { recursive: true });
  writeFileSync(join(bad, 'broken.json'), '{"id": "X-1", "modified": "2026-01-01T00:00:00Z", "affected": [{"ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0", "fixed": "1"}]}]}]}');
  await assert.rejects(updateVulnDb(dataDir, bad), InvalidAdvisoryError);
  writeFileSync(join(bad, 'broken.json'), '{not json');
  await assert.rejects(updateVulnDb(dataDir, bad), AdvisorySourceError);
  await assert.rejects(updateVulnDb(dataDir, join(dir, 'nowhere')), AdvisorySourceError);
  assert.equal((await openVulnDb(dataDir)).revision, before);
});

/** Rewrites the current revision's meta.json as if an older Gatehouse had written it. */
function ageStoreFormat(data: string): string {
  const vulndb = join(data, 'vulndb');
  const revision = readFileSync(join(vulndb, 'CURRENT'), 'utf8').trim();
  const metaPath = join(vulndb, revision, 'meta.json');
  const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { format: number };
  writeFileSync(metaPath, JSON.stringify({ ...meta, format: STORE_FORMAT - 1 }));
  return revision;
}

test('a database in another store format that holds updates is refused with the commands that rebuild it', async () => {
  const copy = join(dir, 'old-format');
  cpSync(dataDir, copy, { recursive: true });
  ageStoreFormat(copy);
  await assert.rejects(openVulnDb(copy), (err: unknown) => {
    assert.ok(err instanceof VulnDbStorageError);
    assert.match(err.message, new RegExp(`store format ${STORE_FORMAT - 1}; this one reads ${STORE_FORMAT}`));
    assert.match(err.message, /gatehouse vulndb rebuild.*vulndb update --from.*fixtures\/audit\/advisories\/osv/);
    return true;
  });
  await assert.rejects(updateVulnDb(copy, advisories), VulnDbStorageError, 'an update does not merge into it either');
});

test('a database in another store format that holds only the shipped snapshot is rebuilt on open', async () => {
  const data = join(dir, 'shipped-old-format');
  const first = await openVulnDb(data);
  const revision = ageStoreFormat(data);
  const reopened = await openVulnDb(data);
  assert.equal(reopened.revision, revision, 'the same advisories give the same revision');
  assert.equal(reopened.meta.format, STORE_FORMAT);
  assert.deepEqual(reopened.query('django', '3.2').map((m) => m.advisory.id), first.query('django', '3.2').map((m) => m.advisory.id));
  assert.ok(reopened.query('django', '3.2').length > 10);
  // Stored files are ASCII with escapes; text outside ASCII comes back as written (U+FB01, the "fi" ligature).
  const aiohttp = reopened.query('aiohttp', '3.13.2').find((m) => m.advisory.id === 'PYSEC-2026-1097');
  assert.equal(aiohttp?.advisory.summary, 'AIOHTTP vulnerable to brute-force leak of internal static \ufb01le path components');
  assert.match(aiohttp?.advisory.details ?? '', /\S/);
});
