/**
 * Decompression accounting shared by the zip and tar readers: counts the bytes
 * that decompression actually produces, hashes them, and stops an entry or the
 * whole archive the moment a limit is crossed.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { Finding } from '../finding.js';
import { type BinaryFormat, detectBinaryFormat } from './binary-format.js';
import { type ArchiveLimits, RATIO_FLOOR_BYTES } from './limits.js';
import { archiveFinding } from './rules.js';

export interface EntryData {
  /** Decompressed bytes read (all of them when `complete`). */
  bytes: number;
  complete: boolean;
  sha256?: string;
  crc32?: number;
  /** The data, when asked to keep it and it was read completely. */
  data?: Buffer;
  /** Set when the data starts like a native executable or library. */
  binaryFormat?: BinaryFormat;
  /** Set when decompression failed (corrupt or truncated data). */
  error?: Error;
}

export interface DrainOptions {
  /** Keep the data (returned in `EntryData.data` when complete). */
  keep: boolean;
  signal?: AbortSignal;
  /**
   * Whether this entry's bytes count toward the whole-archive limits here. A
   * tar reader counts them once, on the decompressed stream, instead.
   */
  countTotal: boolean;
  /**
   * After an entry crosses the per-entry limit, keep reading and discarding
   * its bytes (a tar stream must be consumed to reach the next entry) instead
   * of stopping.
   */
  skipRest: boolean;
}

export class DecompressionBudget {
  private total = 0;
  private kept = 0;
  /** The finding that stopped all decompression, once a whole-archive limit is crossed. */
  exhausted: Finding | undefined;

  constructor(
    private readonly limits: ArchiveLimits,
    private readonly archiveSize: number,
  ) {}

  /** Counts decompressed bytes against the whole-archive limits; false once they are exhausted. */
  account(bytes: number, path?: string): boolean {
    if (this.exhausted) return false;
    this.total += bytes;
    const location = path === undefined ? {} : { file: path };
    if (this.total > this.limits.maxTotalUncompressed) {
      this.exhausted = archiveFinding(
        'archive.total-too-large',
        `archive decompresses to more than ${this.limits.maxTotalUncompressed} bytes; stopped reading`,
        location,
      );
    } else if (this.total > RATIO_FLOOR_BYTES && this.total / Math.max(1, this.archiveSize) > this.limits.maxRatio) {
      this.exhausted = archiveFinding(
        'archive.zip-bomb',
        `archive of ${this.archiveSize} bytes decompressed to over ${this.total} bytes (ratio over ${this.limits.maxRatio}); stopped reading`,
        location,
      );
    }
    return this.exhausted === undefined;
  }

  /**
   * Reads one entry's stream to its end or to a limit. A per-entry overrun
   * adds a finding and ends the entry; a whole-archive overrun sets
   * `exhausted`, and callers stop reading further entries.
   */
  async drain(stream: AsyncIterable<Buffer> | Iterable<Buffer>, path: string, findings: Finding[], options: DrainOptions): Promise<EntryData> {
    const { keep, signal, countTotal, skipRest } = options;
    const hash = createHash('sha256');
    let crc = 0;
    let bytes = 0;
    const chunks: Buffer[] = [];
    let overran = false;
    let keeping = keep;
    let binaryFormat: BinaryFormat | undefined;
    let error: Error | undefined;
    try {
      // Leaving the loop early destroys the stream; a stream read to its end is left as is
      // (destroying a finished tar entry would tear down the whole tar parser).
      for await (const chunk of stream) {
        signal?.throwIfAborted();
        bytes += chunk.length;
        if (countTotal && !this.account(chunk.length, path)) {
          overran = true;
          break;
        }
        if (overran) continue;
        if (bytes > this.limits.maxFileUncompressed) {
          findings.push(
            archiveFinding('archive.file-too-large', `entry decompresses to more than ${this.limits.maxFileUncompressed} bytes`, { file: path }),
          );
          overran = true;
          chunks.length = 0;
          if (skipRest) continue;
          break;
        }
        if (bytes === chunk.length) binaryFormat = detectBinaryFormat(chunk);
        hash.update(chunk);
        crc = crc32(chunk, crc);
        if (keeping && this.kept + bytes > this.limits.maxKeptBytes) {
          findings.push(
            archiveFinding('archive.not-kept', `selected for analysis, but past the ${this.limits.maxKeptBytes}-byte memory limit: hashed only`, {
              file: path,
            }),
          );
          keeping = false;
          chunks.length = 0;
        }
        if (keeping) chunks.push(chunk);
      }
    } catch (e) {
      if (signal?.aborted) throw e;
      error = e instanceof Error ? e : new Error(String(e));
    }
    if (error) return { bytes, complete: false, error };
    if (overran) return { bytes, complete: false };
    const result: EntryData = { bytes, complete: true, sha256: hash.digest('hex'), crc32: crc };
    if (binaryFormat) result.binaryFormat = binaryFormat;
    if (keeping) {
      result.data = Buffer.concat(chunks, bytes);
      this.kept += bytes;
    }
    return result;
  }
}
