/**
 * Content-addressed blob store on the local disk.
 *
 * A blob is written to a temporary file, fsynced, and renamed to its sha256 path; the directory is fsynced too.
 * Only then may a database row point at it. A crash therefore leaves at worst an orphan temporary file or an
 * unreferenced blob (both collected later), never a row without its bytes.
 *
 * Several gateway processes may share one data directory (a rolling restart, a second replica), so nothing here
 * removes another process's work in flight: a temporary file is swept only when nobody has written to it for
 * longer than any upload or fetch can stay silent, and a blob is collected only through `collect`'s protocol.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { blake2b } from '@noble/hashes/blake2.js';
import { SERVE_READ_BYTES, type BlobInfo, type BlobStore, type ByteRange, type StoredBlob, type TempFile } from './blob-store.js';
import { StorageError, StorageFullError } from './errors.js';

export type { StoredBlob, TempFile } from './blob-store.js';

const SHA256 = /^[0-9a-f]{64}$/;
const SHARD = /^[0-9a-f]{2}$/;
/** Where `collect` parks a blob while it asks whether anything still refers to it. */
const COLLECTING = '.collecting';

/** Turns a failure of the file system into the storage error it means, without the server path in the message. */
export function storageWriteError(err: unknown): StorageError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new StorageFullError(`the gateway's storage is full (${code}); nothing was stored. This is a server problem, not a problem with the file`, {
      cause: err,
    });
  }
  return new StorageError('storage.write', `the gateway could not write to its storage (${code ?? 'I/O error'}); nothing was stored`, {
    cause: err,
    status: 500,
  });
}

export class LocalBlobStore implements BlobStore {
  readonly root: string;
  readonly location: string;
  readonly tempDir: string;
  private readonly tmpDir: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'blobs');
    this.tmpDir = join(dataDir, 'tmp');
    this.tempDir = this.tmpDir;
    this.location = this.root;
  }

  /** Creates the directories and puts back blobs that a crash left parked by `collect`. */
  async init(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    await mkdir(join(this.root, COLLECTING), { recursive: true });
    await this.restoreParked();
  }

  /**
   * A parked blob may have become referenced while a crash interrupted its collection: put every one back (or
   * drop it when its path is taken again, by the same bytes). The next collection decides afresh.
   */
  private async restoreParked(): Promise<void> {
    const dir = join(this.root, COLLECTING);
    for (const name of await readdir(dir)) {
      const sha256 = name.split('.')[0] ?? '';
      const parked = join(dir, name);
      if (!SHA256.test(sha256)) {
        await rm(parked, { force: true });
        continue;
      }
      await this.putBack(parked, sha256);
    }
  }

  private async putBack(parked: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    if (await exists(target)) {
      await rm(parked, { force: true });
      return;
    }
    await mkdir(dirname(target), { recursive: true });
    await rename(parked, target);
  }

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new StorageError('storage.bad-digest', `not a sha256 digest: ${sha256}`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /** A fresh path in the temporary directory, on the same filesystem as the blobs. */
  tempPath(suffix = ''): string {
    return join(this.tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}${suffix}`);
  }

  async writeTemp(source: Readable): Promise<TempFile> {
    const path = this.tempPath();
    const sha256 = createHash('sha256');
    const md5 = createHash('md5');
    // PyPI's blake2_256 is BLAKE2b with a 32-byte digest, which Node's crypto
    // (fixed 64-byte blake2b512) cannot produce.
    const blake = blake2b.create({ dkLen: 32 });
    let size = 0;
    source.on('data', (chunk: Buffer) => {
      sha256.update(chunk);
      md5.update(chunk);
      blake.update(chunk);
      size += chunk.length;
    });
    const sink = createWriteStream(path, { flags: 'wx' });
    let writeFailure: unknown;
    sink.on('error', (err) => {
      writeFailure ??= err;
    });
    try {
      await pipeline(source, sink);
    } catch (err) {
      await rm(path, { force: true });
      // The disk's failure is the server's problem; the source's (a truncated body) is the client's.
      throw writeFailure !== undefined ? storageWriteError(writeFailure) : err;
    }
    return {
      path,
      sha256: sha256.digest('hex'),
      md5: md5.digest('hex'),
      blake2b_256: Buffer.from(blake.digest()).toString('hex'),
      size,
    };
  }

  async commit(temp: Pick<TempFile, 'path' | 'sha256'>): Promise<void> {
    const target = this.pathOf(temp.sha256);
    try {
      await mkdir(dirname(target), { recursive: true });
      const fh = await open(temp.path, 'r+');
      try {
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(temp.path, target);
      await fsyncDir(dirname(target));
    } catch (err) {
      throw storageWriteError(err);
    }
  }

  async putBytes(data: Uint8Array): Promise<StoredBlob> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    const path = this.tempPath();
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      // Renamed even when the blob exists: a concurrent `collect` may be about to remove that copy.
      await mkdir(dirname(this.pathOf(sha256)), { recursive: true });
      await rename(path, this.pathOf(sha256));
      await fsyncDir(dirname(this.pathOf(sha256)));
    } catch (err) {
      await rm(path, { force: true });
      throw storageWriteError(err);
    }
    return { sha256, size: data.length };
  }

  async discard(temp: TempFile): Promise<void> {
    await rm(temp.path, { force: true });
  }

  localPath(sha256: string): string {
    return this.pathOf(sha256);
  }

  async has(sha256: string): Promise<boolean> {
    return exists(this.pathOf(sha256));
  }

  async size(sha256: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch {
      return null;
    }
  }

  openRead(sha256: string, range?: ByteRange): Readable {
    const chunks = { highWaterMark: SERVE_READ_BYTES };
    return createReadStream(this.pathOf(sha256), range ? { ...chunks, start: range.start, end: range.end } : chunks);
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const a of await readdir(this.root)) {
      if (!SHARD.test(a)) continue;
      for (const b of await readdir(join(this.root, a)).catch(() => [])) {
        if (!SHARD.test(b)) continue;
        for (const name of await readdir(join(this.root, a, b)).catch(() => [])) {
          if (!SHA256.test(name)) continue;
          const info = await stat(join(this.root, a, b, name)).catch(() => null);
          if (info?.isFile()) yield { sha256: name, size: info.size };
        }
      }
    }
  }

  async collect(sha256: string, stillUnused: () => Promise<boolean>): Promise<number> {
    const path = this.pathOf(sha256);
    const parked = join(this.root, COLLECTING, `${sha256}.${randomBytes(6).toString('hex')}`);
    let size: number;
    try {
      size = (await stat(path)).size;
      // Out of reach first, then asked: a commit of the same bytes after this point lands a fresh copy at `path`.
      await rename(path, parked);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw err;
    }
    let unused = false;
    try {
      unused = await stillUnused();
    } finally {
      if (unused) await unlink(parked);
      else await this.putBack(parked, sha256);
    }
    return unused ? size : 0;
  }

  async sweepTemp(olderThanMs: number, now = Date.now()): Promise<number> {
    let swept = 0;
    for (const name of await readdir(this.tmpDir)) {
      const path = join(this.tmpDir, name);
      const info = await stat(path).catch(() => null);
      if (info === null || now - info.mtimeMs < olderThanMs) continue;
      await rm(path, { force: true, recursive: true });
      swept++;
    }
    return swept;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
