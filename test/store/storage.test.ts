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

const file = (over: Partial<Parameters<Awaited<ReturnType<typeof openStorage>>['hosted']['addFile']>[0]> = {}) => ({
  projectName: 'demo-pkg',
  displayName: 'Demo_Pkg',
  filename: 'demo_pkg-1.0-py3-none-any.whl',
  version: '1.0',
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
      assert.equal(await s.hosted.addFile(file()), true);
      assert.equal(await s.hosted.serial('demo-pkg'), 1);
      assert.equal(await s.hosted.addFile(file()), false, 'the same filename twice is refused');
      assert.equal(await s.hosted.addFile(file({ filename: 'demo_pkg-1.0.tar.gz', kind: 'sdist', sha256: 'd'.repeat(64) })), true);
      assert.equal(await s.hosted.addFile(file({ filename: 'demo_pkg-2.0.tar.gz', version: '2.0', kind: 'sdist', sha256: 'e'.repeat(64) })), true);
      const project = await s.hosted.project('demo-pkg');
      assert.equal(project?.display_name, 'Demo_Pkg');
      assert.equal(project?.serial, 3);
      assert.deepEqual((await s.hosted.files(project!.id)).map((f) => f.filename), [
        'demo_pkg-1.0-py3-none-any.whl',
        'demo_pkg-1.0.tar.gz',
        'demo_pkg-2.0.tar.gz',
      ]);
      assert.equal(await s.hosted.setYanked('demo-pkg', { version: '1.0' }, true, 'broken build'), 2);
      const yanked = await s.hosted.fileByName('demo_pkg-1.0.tar.gz');
      assert.equal(yanked?.yanked, 1);
      assert.equal(yanked?.yanked_reason, 'broken build');
      assert.equal((await s.hosted.fileByName('demo_pkg-2.0.tar.gz'))?.yanked, 0);
      assert.equal(await s.hosted.serial('demo-pkg'), 4);
      assert.equal(await s.hosted.setYanked('demo-pkg', { filename: 'demo_pkg-1.0.tar.gz' }, false, null), 1);
      assert.equal((await s.hosted.fileByName('demo_pkg-1.0.tar.gz'))?.yanked_reason, null);
      assert.equal(await s.hosted.setYanked('nope', { version: '1.0' }, true, null), 0);
      assert.equal(await s.hosted.storedBytes(), 369);
    });
  });

  test(`${kind}: concurrent adds of one filename store exactly one row`, async () => {
    await withStorage(kind, async (s) => {
      const results = await Promise.all(Array.from({ length: 8 }, () => s.hosted.addFile(file())));
      assert.equal(results.filter(Boolean).length, 1);
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

test('blob store: temp files are hashed, committed under their sha256, and swept after a crash', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-blobs-'));
  try {
    const s = await openStorage({ dataDir });
    const data = Buffer.from('hello wheel');
    const temp = await s.blobs.writeTemp(Readable.from([data.subarray(0, 5), data.subarray(5)]));
    assert.equal(temp.sha256, createHash('sha256').update(data).digest('hex'));
    assert.equal(temp.md5, createHash('md5').update(data).digest('hex'));
    assert.equal(temp.size, data.length);
    assert.equal(await s.blobs.has(temp.sha256), false, 'not visible before commit');
    await s.blobs.commit(temp.path, temp.sha256);
    assert.equal(await s.blobs.size(temp.sha256), data.length);
    assert.deepEqual((await readdir(join(dataDir, 'tmp'))).length, 0);
    await writeFile(join(dataDir, 'tmp', 'leftover'), 'half an upload');
    await s.close();
    const again = await openStorage({ dataDir });
    assert.equal(again.sweptTempFiles, 1);
    assert.deepEqual(await readdir(join(dataDir, 'tmp')), []);
    assert.throws(() => again.blobs.pathOf('../../etc/passwd'), /not a sha256/);
    await again.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

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
