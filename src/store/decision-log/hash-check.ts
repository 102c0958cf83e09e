/**
 * Checking entries' content against their hashes, batch by batch: here on the calling thread (small logs), or in a
 * thread of its own (hash-worker.ts) so that building the canonical documents and hashing them runs beside reading
 * the rows, which on PostgreSQL is most of a long walk's time.
 */
import type { Worker } from 'node:worker_threads';
import { startModuleWorker } from '../../threads.js';
import type { DecisionLogTable } from '../schema.js';
import { entryHash } from './entry.js';

export interface HashChecker {
  /** The index of the first row whose content does not match its hash, or -1. */
  check(rows: DecisionLogTable[]): Promise<number>;
  close(): Promise<void>;
}

export const inlineHashChecker: HashChecker = {
  check: async (rows) => rows.findIndex((row) => entryHash(row) !== row.hash),
  close: async () => {},
};

export function threadHashChecker(): HashChecker {
  const worker: Worker = startModuleWorker('store/decision-log/hash-worker');
  const waiting = new Map<number, { resolve: (edited: number) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  const failAll = (err: Error) => {
    for (const w of waiting.values()) w.reject(err);
    waiting.clear();
  };
  worker.on('message', (m: { id: number; edited: number }) => {
    waiting.get(m.id)?.resolve(m.edited);
    waiting.delete(m.id);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the hash-checking thread exited (${code})`)));
  return {
    check(rows) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage({ id, rows });
      });
    },
    async close() {
      worker.removeAllListeners('exit');
      await worker.terminate();
    },
  };
}

/**
 * The batches of `source` with, for each, where its first edited entry is. Up to `ahead` batches are being checked
 * while the caller looks at the oldest, so reading, hashing and the caller's own checks overlap.
 */
export async function* checkedBatches(
  source: AsyncIterable<DecisionLogTable[]>,
  checker: HashChecker,
  ahead = 3,
): AsyncGenerator<{ rows: DecisionLogTable[]; edited: number }> {
  const queue: Array<{ rows: DecisionLogTable[]; edited: Promise<number> }> = [];
  for await (const rows of source) {
    const edited = checker.check(rows);
    // A caller that stops early must not leave a rejection unhandled.
    edited.catch(() => undefined);
    queue.push({ rows, edited });
    if (queue.length >= ahead) {
      const next = queue.shift()!;
      yield { rows: next.rows, edited: await next.edited };
    }
  }
  for (const next of queue) yield { rows: next.rows, edited: await next.edited };
}
