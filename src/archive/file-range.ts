/**
 * A readable stream over a byte range of a file descriptor that never closes
 * the descriptor. Node's fs.createReadStream closes its fd when destroyed,
 * even with `autoClose: false`, and readers destroy streams whenever a limit
 * stops them; the descriptor belongs to `readArchive`.
 */
import { read } from 'node:fs';
import { Readable } from 'node:stream';

const CHUNK = 256 * 1024;

/** Bytes `start` (inclusive) to `end` (exclusive); ends early at end of file. */
export function readFileRange(fd: number, start: number, end: number): Readable {
  let position = start;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      const length = Math.min(CHUNK, end - position);
      if (length <= 0) {
        this.push(null);
        return;
      }
      const buffer = Buffer.allocUnsafe(length);
      read(fd, buffer, 0, length, position, (err, bytesRead) => {
        if (err) {
          this.destroy(err);
          return;
        }
        if (bytesRead === 0) {
          this.push(null);
          return;
        }
        position += bytesRead;
        this.push(bytesRead === length ? buffer : buffer.subarray(0, bytesRead));
      });
    },
  });
}
