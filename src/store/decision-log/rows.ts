/** Reading the log's rows in order, a batch at a time (keyset pagination by sequence number), never all at once. */
import type { Kysely } from 'kysely';
import type { Database, DecisionLogTable } from '../schema.js';

export interface RowFilter {
  /** Only entries after this sequence number. Without it, every row, including any a tamperer numbered 0 or less. */
  after?: number;
  project?: string;
  sha256?: string;
  kind?: string;
}

export const DEFAULT_BATCH = 5000;

function batch(db: Kysely<Database>, filter: RowFilter, after: number | undefined, size: number): Promise<DecisionLogTable[]> {
  let q = db.selectFrom('decision_log').selectAll();
  if (after !== undefined) q = q.where('seq', '>', after);
  if (filter.project !== undefined) q = q.where('project', '=', filter.project);
  if (filter.sha256 !== undefined) q = q.where('sha256', '=', filter.sha256);
  if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
  return q.orderBy('seq').limit(size).execute();
}

/**
 * Yields the rows in sequence order, `size` at a time. The next batch is asked for as soon as the current one
 * arrives, so with PostgreSQL the database reads it while the caller works on this one.
 */
export async function* rowBatches(db: Kysely<Database>, filter: RowFilter = {}, size = DEFAULT_BATCH): AsyncGenerator<DecisionLogTable[]> {
  let pending = batch(db, filter, filter.after, size);
  for (;;) {
    const rows = await pending;
    if (rows.length === 0) return;
    const last = rows[rows.length - 1]!.seq;
    pending = rows.length < size ? Promise.resolve([]) : batch(db, filter, last, size);
    // A caller that stops early must not leave a query's rejection unhandled.
    pending.catch(() => undefined);
    yield rows;
    if (rows.length < size) return;
  }
}
