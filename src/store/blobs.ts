/**
 * Content-addressed blob store on the local disk.
 *
 * A blob is written to a temporary file, fsynced, and renamed to its sha256
 * path; the directory is fsynced too. Only then may a database row point at
 * it. A crash therefore leaves at worst an orphan temporary file (swept at
 * start-up) or an unreferenced blob, never a row without its bytes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { blake2b } from '@noble/hashes/blake2.js';
import { StorageError } from './errors.js';

export interface StoredBlob {
  sha256: string;
  size: number;
}

/** A file being written to temporary storage while its digests are computed. */
export interface TempFile {
  path: string;
  sha256: string;
  md5: string;
  blake2b_256: string;
  size: number;
}

const SHA256 = /^[0-9a-f]{64}$/;

export class LocalBlobStore {
  readonly root: string;
  private readonly tmpDir: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'blobs');
    this.tmpDir = join(dataDir, 'tmp');
  }

  /** Creates the directories and removes temporary files that a crash left behind. */
  async init(): Promise<{ sweptTempFiles: number }> {
    await mkdir(this.root, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
    const leftovers = await readdir(this.tmpDir);
    await Promise.all(leftovers.map((f) => rm(join(this.tmpDir, f), { force: true, recursive: true })));
    return { sweptTempFiles: leftovers.length };
  }

  pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new StorageError('storage.bad-digest', `not a sha256 digest: ${sha256}`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  /** A fresh path in the temporary directory, on the same filesystem as the blobs. */
  tempPath(suffix = ''): string {
    return join(this.tmpDir, `${Date.now()}-${randomBytes(8).toString('hex')}${suffix}`);
  }

  /**
   * Streams `source` into a temporary file, computing sha256, md5 and
   * blake2b-256 on the way. The caller validates the file, then calls
   * `commit` (or `discard`).
   */
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
    try {
      await pipeline(source, createWriteStream(path, { flags: 'wx' }));
    } catch (err) {
      await rm(path, { force: true });
      throw err;
    }
    return {
      path,
      sha256: sha256.digest('hex'),
      md5: md5.digest('hex'),
      blake2b_256: Buffer.from(blake.digest()).toString('hex'),
      size,
    };
  }

  /** Moves a verified temporary file under its sha256, durably. Idempotent. */
  async commit(tempPath: string, sha256: string): Promise<void> {
    const target = this.pathOf(sha256);
    await mkdir(dirname(target), { recursive: true });
    const fh = await open(tempPath, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tempPath, target);
    await fsyncDir(dirname(target));
  }

  /** Writes bytes (small blobs such as METADATA) under their sha256. */
  async putBytes(data: Uint8Array): Promise<StoredBlob> {
    const sha256 = createHash('sha256').update(data).digest('hex');
    if (!(await this.has(sha256))) {
      const path = this.tempPath();
      const fh = await open(path, 'wx');
      try {
        await fh.writeFile(data);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await mkdir(dirname(this.pathOf(sha256)), { recursive: true });
      await rename(path, this.pathOf(sha256));
      await fsyncDir(dirname(this.pathOf(sha256)));
    }
    return { sha256, size: data.length };
  }

  async discard(tempPath: string): Promise<void> {
    await rm(tempPath, { force: true });
  }

  async has(sha256: string): Promise<boolean> {
    try {
      await stat(this.pathOf(sha256));
      return true;
    } catch {
      return false;
    }
  }

  async size(sha256: string): Promise<number | null> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch {
      return null;
    }
  }

  openRead(sha256: string): ReadStream {
    return createReadStream(this.pathOf(sha256));
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
