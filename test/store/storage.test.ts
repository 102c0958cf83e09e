import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { openStorage } from '../../src/store/index.js';
import { createTestDatabase, DATABASES } from '../helpers/postgres.js';

async function withStorage(kind: (typeof DATABASES)[number], fn: (s: Awaited<ReturnType<typeof openStorage>>, dataDir: string) => Promise<void>) {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-store-'));
  const pg = kind === 'postgres' ? await createTestDatabase() : null;
  const storage = await openStorage({ dataDir, databaseUrl: pg?.url });
  try {
    await fn(storage, dataDir);
  } finally {
    await storage.close();
    await pg?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

type NewFile = Parameters<Awaited<ReturnType<typeof openStorage>>['hosted']['addFile']>[0];

const file = (over: Partial<NewFile> = {}): NewFile => ({
  projectName: 'demo-pkg',
  displayName: 'Demo_Pkg',
  filename: 'demo_pkg-1.0-py3-none-any.whl',
  version: '1.0',
  canonicalVersion: '1',
  identity: 'wheel -py3-none-any',
  kind: 'wheel' as const,
  sha256: 'a'.repeat(64),
  md5: 'b'.repeat(32),
  blake2b_256: 'c'.repeat(64),
  size: 123,
  requiresPython: '>=3.8',
  metadataSha256: null,
  metadataSize: null,
  uploadedBy: null,
  ...over,
});

for (const kind of DATABASES) {
  test(`${kind}: hosted files, serials and yanking`, async () => {
    await withStorage(kind, async (s) => {
      assert.equal(await s.hosted.serial('demo-pkg'), undefined);
      assert.equal(await s.hosted.projectsSerial(), 0);
      assert.deepEqual(await s.hosted.addFile(file()), { outcome: 'added' });
      assert.equal(await s.hosted.serial('demo-pkg'), 1);
      assert.equal(await s.hosted.projectsSerial(), 1, 'a new project bumps the project list serial');
      const again = await s.hosted.addFile(file());
      assert.equal(again.outcome, 'exists', 'the same file name with the same bytes is already stored');
      const sdist = { filename: 'demo_pkg-1.0.tar.gz', kind: 'sdist' as const, identity: 'sdist', sha256: 'd'.repeat(64) };
      assert.equal((await s.hosted.addFile(file(sdist))).outcome, 'added');
      const v2 = { version: '2.0', canonicalVersion: '2', identity: 'sdist', kind: 'sdist' as const };
      assert.equal((await s.hosted.addFile(file({ ...v2, filename: 'demo_pkg-2.0.tar.gz', sha256: 'e'.repeat(64) }))).outcome, 'added');
      assert.equal(await s.hosted.projectsSerial(), 1, 'files of an existing project leave the list alone');
      const project = await s.hosted.project('demo-pkg');
      assert.equal(project?.display_name, 'Demo_Pkg');
      assert.equal(project?.serial, 3);
      assert.deepEqual((await s.hosted.files(project!.id)).map((f) => f.filename), [
        'demo_pkg-1.0-py3-none-any.whl',
        'demo_pkg-1.0.tar.gz',
        'demo_pkg-2.0.tar.gz',
      ]);
      assert.deepEqual((await s.hosted.releases(project!.id)).map((r) => [r.version, r.canonical_version]), [['1.0', '1'], ['2.0', '2']]);
      assert.deepEqual(await s.hosted.setYanked('demo-pkg', { canonicalVersion: '1' }, true, 'broken build'), { matched: 2, changed: 2 });
      const yanked = await s.hosted.fileByName('demo_pkg-1.0.tar.gz');
      assert.equal(yanked?.yanked, 1);
      assert.equal(yanked?.yanked_reason, 'broken build');
      assert.equal((await s.hosted.fileByName('demo_pkg-2.0.tar.gz'))?.yanked, 0);
      assert.equal(await s.hosted.serial('demo-pkg'), 4);
      assert.deepEqual(await s.hosted.setYanked('demo-pkg', { canonicalVersion: '1' }, true, 'broken build'), { matched: 2, changed: 0 });
      assert.equal(await s.hosted.serial('demo-pkg'), 4, 'yanking a yanked release with the same reason changes nothing');
      assert.deepEqual(await s.hosted.setYanked('demo-pkg', { filename: 'demo_pkg-1.0.tar.gz' }, false, null), { matched: 1, changed: 1 });
      assert.equal((await s.hosted.fileByName('demo_pkg-1.0.tar.gz'))?.yanked_reason, null);
      assert.deepEqual(await s.hosted.setYanked('demo-pkg', { canonicalVersion: '2' }, false, null), { matched: 1, changed: 0 });
      assert.equal(await s.hosted.serial('demo-pkg'), 5, 'unyanking what is not yanked changes nothing');
      assert.deepEqual(await s.hosted.setYanked('nope', { canonicalVersion: '1' }, true, null), { matched: 0, changed: 0 });
      assert.equal(await s.hosted.storedBytes(), 369);
    });
  });

  test(`${kind}: a release is its canonical version, and a file its release and identity`, async () => {
    await withStorage(kind, async (s) => {
      const base = { version: '5.0', canonicalVersion: '5' };
      assert.equal((await s.hosted.addFile(file({ ...base, filename: 'demo_pkg-5.0-py3-none-any.whl' }))).outcome, 'added');
      const refused = async (over: Partial<NewFile>) => {
        const r = await s.hosted.addFile(file({ ...base, ...over }));
        assert.equal(r.outcome, 'conflict', JSON.stringify(over));
        return r.outcome === 'conflict' ? r.conflict.reason : undefined;
      };
      // The same wheel under other spellings of the project and the version.
      assert.equal(await refused({ filename: 'demo_pkg-5.0.0-py3-none-any.whl', version: '5.0.0', sha256: '1'.repeat(64) }), 'same-file');
      assert.equal(await refused({ filename: 'Demo_Pkg-5.0-py3-none-any.whl', sha256: '2'.repeat(64) }), 'same-file');
      // A file name used before, with other bytes; the same bytes under another name.
      assert.equal(await refused({ filename: 'demo_pkg-5.0-py3-none-any.whl', sha256: '3'.repeat(64) }), 'filename');
      assert.equal(await refused({ filename: 'demo_pkg-5.0-py2-none-any.whl', identity: 'wheel -py2-none-any' }), 'same-bytes');
      // Other tags are another file of the same release.
      const py2 = { filename: 'demo_pkg-5.0-py2-none-any.whl', identity: 'wheel -py2-none-any', sha256: '4'.repeat(64) };
      assert.equal((await s.hosted.addFile(file({ ...base, ...py2 }))).outcome, 'added');
      // One sdist per release, whatever its format or spelling.
      const sdist = { kind: 'sdist' as const, identity: 'sdist' };
      assert.equal((await s.hosted.addFile(file({ ...base, ...sdist, filename: 'demo_pkg-5.0.tar.gz', sha256: '5'.repeat(64) }))).outcome, 'added');
      assert.equal(await refused({ ...sdist, filename: 'demo_pkg-5.0.zip', sha256: '6'.repeat(64) }), 'sdist');
      assert.equal(await refused({ ...sdist, filename: 'demo_pkg-5.0.0.tar.gz', version: '5.0.0', sha256: '7'.repeat(64) }), 'sdist');
      const project = await s.hosted.project('demo-pkg');
      assert.deepEqual((await s.hosted.releases(project!.id)).map((r) => r.version), ['5.0'], 'one release, shown as first spelled');
      // Yanking names the release, so every spelling goes with it.
      assert.deepEqual(await s.hosted.setYanked('demo-pkg', { canonicalVersion: '5' }, true, 'bad'), { matched: 3, changed: 3 });
    });
  });

  test(`${kind}: racing uploads of one file under different spellings store exactly one`, async () => {
    await withStorage(kind, async (s) => {
      const spellings = ['demo_pkg-2.128', 'Demo_Pkg-2.128', 'demo_pkg-2.128.0', 'demo_pkg-v2.128', 'DEMO_PKG-2.128.0.0'];
      const results = await Promise.all(
        spellings.flatMap((stem, i) =>
          [0, 1].map((j) =>
            s.hosted.addFile(
              file({ filename: `${stem}-py3-none-any.whl`, version: '2.128', canonicalVersion: '2.128', sha256: `${i}${j}`.padEnd(64, 'f') }),
            ),
          ),
        ),
      );
      assert.equal(results.filter((r) => r.outcome === 'added').length, 1, JSON.stringify(results.map((r) => r.outcome)));
      const rows = await s.database.db.selectFrom('file').select('filename').execute();
      assert.equal(rows.length, 1);
    });
  });

  test(`${kind}: tokens are stored hashed, expire and revoke`, async () => {
    await withStorage(kind, async (s) => {
      const { id, secret } = await s.tokens.create({ scope: 'upload', projects: ['demo-pkg'], allProjects: false, description: 'ci', expiresAt: null });
      assert.match(secret, /^gh1_[A-Za-z0-9_-]{43}$/);
      const rows = await s.database.db.selectFrom('token').selectAll().execute();
      assert.ok(rows.every((r) => !JSON.stringify(r).includes(secret)), 'the secret is never stored');
      const found = await s.tokens.find(secret);
      assert.deepEqual(found?.projects, ['demo-pkg']);
      assert.equal(await s.tokens.find(secret + 'x'), undefined);
      assert.equal(await s.tokens.revoke(id), true);
      assert.equal(await s.tokens.revoke(id), false);
      assert.ok((await s.tokens.find(secret))?.revokedAt);
    });
  });
}

test('blake2b-256 digests match Python hashlib', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-blobs-'));
  try {
    const s = await openStorage({ dataDir });
    const temp = await s.blobs.writeTemp(Readable.from([Buffer.from('abc')]));
    // hashlib.blake2b(b'abc', digest_size=32).hexdigest()
    assert.equal(temp.blake2b_256, 'bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
    await s.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
