/**
 * Single-flight for files: everyone who asks for the same uncached file while it downloads shares one upstream
 * fetch, and all of them get bytes from the start.
 *
 * The fetch writes the verified stream (integrity.ts) into a temporary file. Each reader has its own position: bytes
 * the file already holds are read from it; bytes that have arrived but are not written yet are handed over from
 * memory, the same Buffers the file write takes (no copy). A reader that keeps up (the common case: one client on a
 * fast link) so never reads the file back; one that falls behind reads the file until it has caught up again. Why:
 * - Each reader gets bytes as soon as they arrive. Waiting for the whole file before serving joiners would leave
 *   them silent for as long as a 274 MB download takes, past pip's 15-second read timeout.
 * - A slow client does not slow the fetch or the other clients (the fetch is paced by the disk, not by a socket:
 *   a reader that does not ask for more is simply not handed more), and memory stays flat: the bytes not written
 *   yet (bounded, below) and one buffer per reader reading the file.
 * - Reading back what was just written costs a thread-pool round trip per read (SERVE_READ_BYTES, a buffer per
 *   reader behind the file): on a fast upstream that was a third of the gateway's CPU per byte (docs/benchmarks.md).
 * - The file is written in batches (`writev` of what arrived meanwhile, from 512 KiB), not a write per chunk: each
 *   write is a thread-pool round trip too. Past MAX_UNWRITTEN bytes waiting for the disk, the fetch pauses.
 * - The temporary file is what gets stored: `commit` is called with it once it is complete and verified.
 * The verified stream holds its last chunk back until the hash matched, so on a mismatch neither the file nor any
 * reader ever has the complete bytes, and every reader is destroyed with the error: an HTTP response piped from one
 * aborts short of the end. All readers share one open descriptor, so `commit` may rename the file while they still
 * read it.
 *
 * A download runs to its end even when all its readers have gone: the bytes are on their way into the cache.
 */
import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { SERVE_READ_BYTES } from '../store/blob-store.js';
import type { UpstreamFile } from './file.js';

/** A download that has finished and matched its listed hashes. */
export interface VerifiedDownload {
  key: string;
  /** The temporary file, complete: move or copy it into the store. Whatever is left at this path is removed. */
  path: string;
  sha256: string;
  size: number;
}

export interface SharedDownloadsOptions {
  /** Where downloads in progress are written; on the blob store's file system, so that `commit` can rename. */
  tempDir: string;
  /** Keeps a verified download (in the blob store, with its database row). Readers are not held up by it. */
  commit: (download: VerifiedDownload) => Promise<void>;
  /** `commit` failed: the readers had their bytes; the file is not kept. */
  onCommitError?: (key: string, error: unknown) => void;
}

/** One reader of a shared download. */
export interface DownloadReader {
  /** The file's bytes from the start; destroyed with the download's error if it fails. */
  body: Readable;
  /** The size the file will have (listed or from Content-Length), or null when unknown: for Content-Length. */
  size: number | null;
  /** Bytes this reader has read back from the temporary file so far; the rest came from memory as they arrived. */
  bytesFromFile(): number;
}

/**
 * A write starts once this much is waiting (or the body has ended). Writing a 274 MB wheel from loopback cost 2.1
 * CPU s/GB with a write per 64 KiB chunk, 0.85 in 256 KiB batches, 0.64 in 1 MiB batches (docs/benchmarks.md).
 */
const WRITE_BATCH = 512 * 1024;
/**
 * The fetch pauses while this much has arrived and is not written yet: at most what a download holds in memory
 * (a disk slower than the upstream); usually about one batch.
 */
const MAX_UNWRITTEN = 2 * 1024 * 1024;
/** Chunks in one write at most: writev's limit of buffers (IOV_MAX), for an upstream that trickles tiny chunks. */
const MAX_BATCH_CHUNKS = 1024;

class Download {
  state: 'streaming' | 'verified' | 'failed' = 'streaming';
  /** Bytes in the file. */
  written = 0;
  /** Bytes that have arrived: `written` plus those in `unwritten`. */
  received = 0;
  error: Error | undefined;
  /** What arrived and is not in the file yet, in order, from offset `written`; a write in flight included. */
  readonly unwritten: Buffer[] = [];
  readonly readers = new Set<SharedReader>();
  private users = 1;

  constructor(
    readonly handle: FileHandle,
    readonly size: number | null,
  ) {}

  /** Another reader (or the writer) keeps the descriptor open until it is done. */
  retain(): void {
    this.users++;
  }

  release(): void {
    if (--this.users === 0) this.handle.close().catch(() => {});
  }

  arrived(chunk: Buffer): void {
    this.unwritten.push(chunk);
    this.received += chunk.length;
    this.progress();
  }

  /** The first `chunks` of `unwritten`, `bytes` long, are in the file now. */
  wrote(chunks: number, bytes: number): void {
    this.unwritten.splice(0, chunks);
    this.written += bytes;
    this.progress();
  }

  /** The bytes at `position` (at least `written`, less than `received`) as they arrived, without a copy. */
  fromMemory(position: number): Buffer {
    let offset = this.written;
    for (const chunk of this.unwritten) {
      if (position < offset + chunk.length) return position === offset ? chunk : chunk.subarray(position - offset);
      offset += chunk.length;
    }
    throw new Error(`no byte ${position} in memory (${this.written}-${this.received})`);
  }

  progress(): void {
    for (const reader of this.readers) reader.onProgress();
  }
}

class SharedReader extends Readable {
  position = 0;
  bytesFromFile = 0;
  private reading = false;
  /** _read found nothing to read yet: the next progress should read. */
  private waiting = false;
  private released = false;

  constructor(private readonly download: Download) {
    super();
    download.retain();
    download.readers.add(this);
  }

  override _read(): void {
    if (this.reading) return;
    const download = this.download;
    if (download.state === 'failed') {
      this.destroy(download.error);
      return;
    }
    if (this.position < download.written) {
      this.readFile(Math.min(download.written - this.position, SERVE_READ_BYTES));
      return;
    }
    if (this.position < download.received) {
      const chunk = download.fromMemory(this.position);
      this.position += chunk.length;
      this.push(chunk);
      return;
    }
    if (download.state === 'verified') this.push(null);
    else this.waiting = true;
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.download.readers.delete(this);
    if (!this.released) {
      this.released = true;
      this.download.release();
    }
    callback(error);
  }

  onProgress(): void {
    if (this.download.state === 'failed') this.destroy(this.download.error);
    else if (this.waiting) {
      // Only a reader that asked for more reads on: a slow consumer's buffer does not grow.
      this.waiting = false;
      this._read();
    }
  }

  private readFile(length: number): void {
    this.reading = true;
    const buffer = Buffer.allocUnsafe(length);
    this.download.handle.read(buffer, 0, length, this.position).then(
      ({ bytesRead }) => {
        this.reading = false;
        if (this.destroyed) return;
        this.position += bytesRead;
        this.bytesFromFile += bytesRead;
        this.push(buffer.subarray(0, bytesRead));
      },
      (error: unknown) => {
        this.reading = false;
        this.destroy(error as Error);
      },
    );
  }
}

export class SharedDownloads {
  private readonly downloads = new Map<string, Promise<Download>>();
  private tempDirReady: Promise<unknown> | undefined;

  constructor(private readonly options: SharedDownloadsOptions) {}

  /** Downloads in flight. */
  get size(): number {
    return this.downloads.size;
  }

  /**
   * A reader of the file `key`: of the download in flight, or of one that `fetch` starts now. Rejects, for every
   * caller alike, when `fetch` does (the upstream refused, a host not allowed): before any byte, so a server can
   * still answer with an error status.
   */
  async open(key: string, fetch: () => Promise<UpstreamFile>): Promise<DownloadReader> {
    let pending = this.downloads.get(key);
    if (pending === undefined) {
      pending = this.start(key, fetch);
      this.downloads.set(key, pending);
      pending.catch(() => this.downloads.delete(key));
    }
    const download = await pending;
    const body = new SharedReader(download);
    return { body, size: download.size, bytesFromFile: () => body.bytesFromFile };
  }

  private async start(key: string, fetch: () => Promise<UpstreamFile>): Promise<Download> {
    this.tempDirReady ??= mkdir(this.options.tempDir, { recursive: true });
    await this.tempDirReady;
    const path = join(this.options.tempDir, `${randomUUID()}.part`);
    const handle = await open(path, 'wx+', 0o600);
    let file: UpstreamFile;
    try {
      file = await fetch();
    } catch (error) {
      await handle.close().catch(() => {});
      await unlink(path).catch(() => {});
      throw error;
    }
    const download = new Download(handle, file.size);
    void this.write(key, path, download, file);
    return download;
  }

  private async write(key: string, path: string, download: Download, file: UpstreamFile): Promise<void> {
    try {
      await receive(download, file.body);
      download.state = 'verified';
      download.progress();
      try {
        await this.options.commit({ key, path, sha256: file.body.sha256 as string, size: download.written });
      } catch (error) {
        this.options.onCommitError?.(key, error);
      }
    } catch (error) {
      download.error = error as Error;
      download.state = 'failed';
      download.progress();
    } finally {
      this.downloads.delete(key);
      await unlink(path).catch(() => {});
      download.release();
    }
  }
}

/**
 * Takes the body's chunks as they come, hands them to the readers (`arrived`), and writes them into the file in
 * batches. Resolves once the body has ended and every byte is in the file; rejects with the body's error or a
 * write's (the body is then destroyed).
 */
function receive(download: Download, body: UpstreamFile['body']): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    /** Arrived, not handed to a write yet: the tail of `download.unwritten`. */
    let waiting = 0;
    let waitingChunks = 0;
    let writing = false;
    let ended = false;
    let failed = false;
    const fail = (error: Error): void => {
      if (failed) return;
      failed = true;
      body.destroy();
      reject(error);
    };
    const flush = (): void => {
      if (writing || failed) return;
      if (waiting === 0) {
        if (ended) resolve();
        return;
      }
      if (!ended && waiting < WRITE_BATCH && waitingChunks < MAX_BATCH_CHUNKS) return;
      // No write is in flight, so what is not written yet is all waiting: the batch is the whole of `unwritten`.
      const batch = download.unwritten.slice();
      const bytes = waiting;
      waiting = 0;
      waitingChunks = 0;
      writing = true;
      writeAll(download.handle, batch, download.written).then(() => {
        writing = false;
        if (failed) return;
        download.wrote(batch.length, bytes);
        if (body.isPaused() && !ended) body.resume();
        flush();
      }, fail);
    };
    body.on('data', (chunk: Buffer) => {
      download.arrived(chunk);
      waiting += chunk.length;
      waitingChunks++;
      if (download.received - download.written >= MAX_UNWRITTEN || waitingChunks >= MAX_BATCH_CHUNKS) body.pause();
      flush();
    });
    body.once('end', () => {
      ended = true;
      flush();
    });
    body.once('error', fail);
    body.once('close', () => {
      if (!ended) fail(new Error('the download stopped before its end'));
    });
  });
}

/** Writes `buffers` at `position`, on however many writes it takes. */
async function writeAll(handle: FileHandle, buffers: Buffer[], position: number): Promise<void> {
  let rest = buffers;
  while (rest.length > 0) {
    const { bytesWritten } = await handle.writev(rest, position);
    position += bytesWritten;
    let skip = bytesWritten;
    let i = 0;
    while (i < rest.length && skip >= rest[i]!.length) skip -= rest[i++]!.length;
    rest = rest.slice(i);
    if (skip > 0) rest[0] = rest[0]!.subarray(skip);
  }
}
