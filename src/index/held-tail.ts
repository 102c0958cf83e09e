/**
 * A stream that holds back its last bytes until a decision about the whole is made: for a file whose verdict needs
 * its complete bytes (a scan), served while it arrives. The client gets everything but the tail at the speed it
 * arrives; once the source ends, `decide` runs, and the tail follows only when it resolves. When it rejects, the
 * stream is destroyed with its error and the client never holds the complete file.
 *
 * While the decision is being made (a scan of a large wheel can take seconds), one held byte is released every few
 * seconds, so that the client's read timeout (pip's is 15 s) does not fire; the tail is far longer than that needs.
 */
import { Transform, type Readable } from 'node:stream';

export interface HeldTailOptions {
  /** Bytes held back until the decision; default 64 KiB. */
  tailBytes?: number;
  /** One held byte is released this often while deciding; default 5 s. */
  dripEveryMs?: number;
}

export function holdTail(source: Readable, decide: () => Promise<void>, options: HeldTailOptions = {}): Readable {
  const tailBytes = options.tailBytes ?? 64 * 1024;
  const dripEveryMs = options.dripEveryMs ?? 5000;
  let held: Buffer = Buffer.alloc(0);
  const out = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      held = held.length === 0 ? chunk : Buffer.concat([held, chunk]);
      if (held.length > tailBytes) {
        const release = held.subarray(0, held.length - tailBytes);
        held = Buffer.from(held.subarray(held.length - tailBytes));
        callback(null, release);
      } else callback();
    },
    flush(callback) {
      const drip = setInterval(() => {
        if (held.length > 1) {
          this.push(held.subarray(0, 1));
          held = held.subarray(1);
        }
      }, dripEveryMs);
      decide().then(
        () => {
          clearInterval(drip);
          callback(null, held);
        },
        (err: Error) => {
          clearInterval(drip);
          callback(err);
        },
      );
    },
  });
  source.on('error', (err) => out.destroy(err));
  return source.pipe(out);
}
