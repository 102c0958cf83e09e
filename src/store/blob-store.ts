/**
 * What the gateway needs from a store of content-addressed blobs. The local directory (`LocalBlobStore`) is the
 * default; an S3-compatible store implements the same interface. Uploads and fetched files are staged in a local
 * temporary file first either way: the archive checks read them from disk before anything is committed.
 */
import type { Readable } from 'node:stream';

/**
 * A stored or downloading file is read for serving this much at a time. Each read is a thread-pool round trip, and at
 * Node's default of 64 KiB those cost about as much as the bytes (serving a cached 274 MB wheel: 1.7 CPU s/GB at
 * 64 KiB, 1.0 at 256 KiB, 0.9 at 1 MiB; docs/benchmarks.md). 256 KiB keeps what a slow client's download holds small.
 */
export const SERVE_READ_BYTES = 256 * 1024;

export interface StoredBlob {
  sha256: string;
  size: number;
}

/** A file being written to temporary storage while its digests are computed. */
export interface TempFile {
  /** A local path, readable until the file is committed or discarded. */
  path: string;
  sha256: string;
  md5: string;
  blake2b_256: string;
  size: number;
}

/** An inclusive byte range, as HTTP Range gives it. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface BlobInfo {
  sha256: string;
  size: number;
}

export interface BlobStore {
  /** A description for logs (a directory or a bucket), never a credential. */
  readonly location: string;
  /** Where temporary files are written: a local directory from which `commit` can rename. */
  readonly tempDir: string;
  /**
   * Streams `source` into a temporary file while computing sha256, md5 and blake2b-256. A full disk throws
   * StorageFullError, any other write failure StorageError; errors of `source` itself are rethrown as they are.
   */
  writeTemp(source: Readable): Promise<TempFile>;
  /** Makes a verified temporary file the blob of its sha256, durably. Idempotent for the same bytes. */
  commit(temp: Pick<TempFile, 'path' | 'sha256'>): Promise<void>;
  discard(temp: TempFile): Promise<void>;
  /** Stores small blobs (a wheel's METADATA) under their sha256. */
  putBytes(data: Uint8Array): Promise<StoredBlob>;
  has(sha256: string): Promise<boolean>;
  /** The blob's size, or null when it is not stored. */
  size(sha256: string): Promise<number | null>;
  /** Streams the blob, or one range of it. Errors when it is not stored. */
  openRead(sha256: string, range?: ByteRange): Readable;
  /** A local file holding the blob, for readers that need random access (a wheel's METADATA); when there is one. */
  localPath?(sha256: string): string | undefined;
  /** Every stored blob. */
  list(): AsyncIterable<BlobInfo>;
  /**
   * Removes a blob when `stillUnused` says, after the blob was taken out of reach, that nothing refers to it.
   * Content addressing makes this safe against a concurrent commit of the same bytes: whichever copy is in place
   * afterwards has the right content. Returns the bytes freed (0 when the blob was kept or absent).
   */
  collect(sha256: string, stillUnused: () => Promise<boolean>): Promise<number>;
  /** Removes temporary files untouched for `olderThanMs`: uploads and fetches that a crash abandoned. */
  sweepTemp(olderThanMs: number): Promise<number>;
}
