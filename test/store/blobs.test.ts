/**
 * The blob store and its collector: temporary files are swept only when abandoned, blobs that no row refers to are
 * collected, and nothing a row or an in-flight writer needs is ever removed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { LocalBlobStore } from '../../src/store/blobs.js';
import { openStorage, TEMP_FILE_MAX_IDLE_MS, type Storage } from '../../src/store/index.js';
import { createTestDatabase, DATABASES } from '../helpers/postgres.js';

async function withStorage(kind: (typeof DATABASES)[number], fn: (s: Storage, dataDir: string) => Promise<void>) {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-blobs-'));
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

const sha = (data: string) => createHash('sha256').update(data).digest('hex');

async function put(s: Storage, data: string): Promise<string> {
  const temp = await s.blobs.writeTemp(Readable.from([Buffer.from(data)]));
  await s.blobs.commit(temp);
  return temp.sha256;
}

function hostedRow(sha256: string, n: number) {
  return {
    projectName: 'demo',
    displayName: 'demo',
    filename: `demo-${n}.0.tar.gz`,
    version: `${n}.0`,
    canonicalVersion: String(n),
    identity: 'sdist',
    kind: 'sdist' as const,
    sha256,
    md5: '0'.repeat(32),
    blake2b_256: '0'.repeat(64),
    size: 1,
    requiresPython: null,
    metadataSha256: null,
    metadataSize: null,
    uploadedBy: null,
  };
}

test('temporary files: hashed while written, invisible until committed, swept only when abandoned', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-blobs-'));
  try {
    const blobs = new LocalBlobStore(dataDir);
    await blobs.init();
    const data = Buffer.from('hello wheel');
    const temp = await blobs.writeTemp(Readable.from([data.subarray(0, 5), data.subarray(5)]));
    assert.equal(temp.sha256, createHash('sha256').update(data).digest('hex'));
    assert.equal(temp.md5, createHash('md5').update(data).digest('hex'));
    assert.equal(temp.size, data.length);
    assert.equal(await blobs.has(temp.sha256), false, 'not visible before commit');
    await blobs.commit(temp);
    assert.equal(await blobs.size(temp.sha256), data.length);
    assert.deepEqual(await readdir(join(dataDir, 'tmp')), []);

    // Another process's upload in flight (just written) and one a crash abandoned an hour and more ago.
    await writeFile(join(dataDir, 'tmp', 'in-flight'), 'half an upload, still arriving');
    await writeFile(join(dataDir, 'tmp', 'abandoned'), 'half an upload, long dead');
    const old = (Date.now() - TEMP_FILE_MAX_IDLE_MS - 60_000) / 1000;
    await utimes(join(dataDir, 'tmp', 'abandoned'), old, old);
    const again = await openStorage({ dataDir });
    assert.equal(again.sweptTempFiles, 1);
    assert.deepEqual(await readdir(join(dataDir, 'tmp')), ['in-flight'], 'a second server leaves the first one’s upload alone');
    await again.close();
    assert.throws(() => blobs.pathOf('../../etc/passwd'), /not a sha256/);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

for (const kind of DATABASES) {
  test(`${kind}: the collector removes unreferenced blobs and keeps referenced and claimed ones`, async () => {
    await withStorage(kind, async (s) => {
      const kept = await put(s, 'referenced');
      assert.equal((await s.hosted.addFile(hostedRow(kept, 1))).outcome, 'added');
      const orphan = await put(s, 'orphan of a lost race');
      const claimed = await put(s, 'committed, row not in yet');
      const claim = await s.claims.claim([claimed]);
      const report = await s.collector.collect();
      assert.deepEqual(report, { blobs: 3, bytes: 'referenced'.length + 'orphan of a lost race'.length + 'committed, row not in yet'.length, collected: 1, collectedBytes: 'orphan of a lost race'.length });
      assert.equal(await s.blobs.has(kept), true);
      assert.equal(await s.blobs.has(orphan), false);
      assert.equal(await s.blobs.has(claimed), true, 'a claimed blob survives');
      await s.claims.release(claim);
      assert.equal((await s.collector.collect()).collected, 1, 'released, and still unreferenced: collected');
      assert.equal(await s.blobs.has(claimed), false);
    });
  });

  test(`${kind}: a blob that becomes referenced while it is being collected is put back`, async () => {
    await withStorage(kind, async (s) => {
      const blob = await put(s, 'raced');
      // The collector parks the blob, then asks; meanwhile a writer commits the same bytes and adds its row.
      const freed = await s.blobs.collect(blob, async () => {
        await put(s, 'raced');
        await s.hosted.addFile(hostedRow(blob, 1));
        return !(await s.hosted.referencesBlob(blob));
      });
      assert.equal(freed, 0);
      assert.equal(await s.blobs.size(blob), 'raced'.length);
      // And when the question itself says unused but a commit landed meanwhile, the fresh copy stays.
      const other = await put(s, 'landed during collection');
      const freedOther = await s.blobs.collect(other, async () => {
        await put(s, 'landed during collection');
        return true;
      });
      assert.equal(freedOther, 'landed during collection'.length, 'the parked copy is removed');
      assert.equal(await s.blobs.has(other), true, 'the copy committed meanwhile is in place');
    });
  });
}

test('blobs parked by a collection that a crash interrupted are put back at start-up', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-blobs-'));
  try {
    const blobs = new LocalBlobStore(dataDir);
    await blobs.init();
    const data = 'parked';
    await writeFile(join(dataDir, 'blobs', '.collecting', `${sha(data)}.abcdef`), data);
    const again = new LocalBlobStore(dataDir);
    await again.init();
    assert.equal(await again.size(sha(data)), data.length);
    assert.deepEqual(await readdir(join(dataDir, 'blobs', '.collecting')), []);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
