/**
 * A thread that checks decision log entries against their hashes (hash-check.ts sends it batches while the main
 * thread reads the next ones): answers, per batch, the index of the first entry whose content does not match its
 * hash, or -1.
 */
import { parentPort } from 'node:worker_threads';
import type { DecisionLogTable } from '../schema.js';
import { entryHash } from './entry.js';

parentPort!.on('message', (message: { id: number; rows: DecisionLogTable[] }) => {
  parentPort!.postMessage({ id: message.id, edited: message.rows.findIndex((row) => entryHash(row) !== row.hash) });
});
