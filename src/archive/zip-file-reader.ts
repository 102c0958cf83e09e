/**
 * A yauzl random-access reader over an open file that sees only the byte
 * range the central directory describes: `shift` bytes of prepended data are
 * skipped (every stored offset is relative to the archive, not the file), and
 * reads stop at `size` so trailing bytes are out of sight.
 */
import { read } from 'node:fs';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { readFileRange } from './file-range.js';

export class ShiftedFileReader extends yauzl.RandomAccessReader {
  constructor(
    private readonly fd: number,
    private readonly shift: number,
  ) {
    super();
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return readFileRange(this.fd, start + this.shift, end + this.shift);
  }

  override read(
    buffer: Buffer,
    offset: number,
    length: number,
    position: number,
    callback: (err: Error | null, bytesRead?: number) => void,
  ): void {
    read(this.fd, buffer, offset, length, position + this.shift, (err, bytesRead) => callback(err, bytesRead));
  }

  /** The caller owns the file descriptor and closes it. */
  override close(callback: (err: Error | null) => void): void {
    setImmediate(() => callback(null));
  }
}
