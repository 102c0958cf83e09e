/**
 * Single-flight for files: everyone who asks for the same uncached file while it downloads shares one upstream
 * fetch, and all of them get bytes from the start.
 *
 * The fetch writes the verified stream (integrity.ts) into a temporary file; every reader, the first included,
 * reads that growing file from its own position and waits for more when it catches up. Why this design:
 * - Each reader gets bytes as soon as they arrive. Waiting for the whole file before serving joiners would leave
 *   them silent for as long as a 274 MB download takes, past pip's 15-second read timeout.
 * - A slow client does not slow the fetch or the other clients (the fetch is paced by the disk, not by a socket),
 *   and memory stays flat: one chunk in the writer, one buffer per reader.
 * - The temporary file is what gets stored: `commit` is called with it once it is complete and verified.
 * The verified stream holds its last chunk back until the hash matched, so on a mismatch the file never holds the
 * complete bytes, and every reader is destroyed with the error: an HTTP response piped from one aborts short of
 * the end. All readers share one open descriptor, so `commit` may rename the file while they still read it.
 *
 * A download runs to its end even when all its readers have gone: the bytes are on their way into the cache.
 */
import { EventEmitter } from 'node:events';
import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
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
}

const READ_CHUNK = 64 * 1024;

class Download extends EventEmitter {
  state: 'streaming' | 'verified' | 'failed' = 'streaming';
  written = 0;
  error: Error | undefined;
  private users = 1;

  constructor(
    readonly handle: FileHandle,
    readonly size: number | null,
  ) {
    super();
    this.setMaxListeners(0);
  }

  /** Another reader (or the writer) keeps the descriptor open until it is done. */
  retain(): void {
    this.users++;
  }

  release(): void {
    if (--this.users === 0) this.handle.close().catch(() => {});
  }

  progress(): void {
    this.emit('progress');
  }
}

class SharedReader extends Readable {
  private position = 0;
  private reading = false;
  /** _read found nothing to read yet: the next progress should read. */
  private waiting = false;
  private released = false;

  constructor(private readonly download: Download) {
    super();
    download.retain();
    this.onProgress = this.onProgress.bind(this);
    download.on('progress', this.onProgress);
  }

  override _read(): void {
    if (this.reading) return;
    const download = this.download;
    if (download.state === 'failed') {
      this.destroy(download.error);
      return;
    }
    const available = download.written - this.position;
    if (available <= 0) {
      if (download.state === 'verified') this.push(null);
      else this.waiting = true;
      return;
    }
    this.reading = true;
    const buffer = Buffer.allocUnsafe(Math.min(available, READ_CHUNK));
    download.handle.read(buffer, 0, buffer.length, this.position).then(
      ({ bytesRead }) => {
        this.reading = false;
        if (this.destroyed) return;
        this.position += bytesRead;
        this.push(buffer.subarray(0, bytesRead));
      },
      (error: unknown) => {
        this.reading = false;
        this.destroy(error as Error);
      },
    );
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.download.off('progress', this.onProgress);
    if (!this.released) {
      this.released = true;
      this.download.release();
    }
    callback(error);
  }

  private onProgress(): void {
    if (this.download.state === 'failed') this.destroy(this.download.error);
    else if (this.waiting) {
      // Only a reader that asked for more reads on: a slow consumer's buffer does not grow.
      this.waiting = false;
      this._read();
    }
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
    return { body: new SharedReader(download), size: download.size };
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
      for await (const chunk of file.body as AsyncIterable<Buffer>) {
        let offset = 0;
        while (offset < chunk.length) {
          const { bytesWritten } = await download.handle.write(chunk, offset, chunk.length - offset, download.written);
          offset += bytesWritten;
          download.written += bytesWritten;
        }
        download.progress();
      }
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
