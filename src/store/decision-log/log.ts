/**
 * The decision log: an append-only list of what Gatehouse decided and what administrators did, each entry chained to
 * the one before by its hash (entry.ts says what is hashed; verify.ts how the chain is checked).
 *
 * Appends are serialized by the head row: an append's first statement moves the head forward, which on PostgreSQL
 * takes the row's lock until commit (a second replica's append waits, then reads the head the first one left) and on
 * SQLite takes the database's write lock. Numbers therefore follow commit order with no gaps, and no two entries
 * share a number or a predecessor. The cost: one append at a time across all replicas, for as long as the
 * surrounding transaction lasts, so append as the last step of a transaction.
 */
import type { Kysely, Transaction } from 'kysely';
import type { OpenedDatabase } from '../database.js';
import { StorageError } from '../errors.js';
import type { Database, DecisionLogTable } from '../schema.js';
import { entryFromRow, entryHash, exportLine, prepareEntry, type LogEntry, type LogHead, type NewLogEntry, type PreparedEntry } from './entry.js';
import { databaseReader, DEFAULT_BATCH, openLogReader, rowBatches, type RowFilter } from './rows.js';
import { verifyLog, type LogVerification, type VerifyOptions } from './verify.js';

/** Rows per INSERT: 11 columns each stays under SQLite's 32,766 and PostgreSQL's 65,535 parameters. */
const INSERT_CHUNK = 1000;

async function chain(tx: Transaction<Database>, prepared: PreparedEntry[]): Promise<DecisionLogTable[]> {
  // Writing first matters on SQLite too: a transaction that read before writing can find, once another process has
  // committed, that its snapshot is stale (SQLITE_BUSY_SNAPSHOT); one that writes first waits for the lock instead.
  const head = await tx
    .updateTable('decision_log_head')
    .set((eb) => ({ seq: eb('seq', '+', prepared.length) }))
    .where('id', '=', 1)
    .returning(['seq', 'hash'])
    .executeTakeFirst();
  if (!head) throw new StorageError('log.head-missing', 'the decision log head row is missing: the database was changed by hand; run `gatehouse log verify`');
  let seq = Number(head.seq) - prepared.length;
  let prev = head.hash;
  const rows = prepared.map((entry) => {
    const fields = { ...entry, seq: ++seq, prev_hash: prev };
    prev = entryHash(fields);
    return { ...fields, hash: prev };
  });
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    await tx.insertInto('decision_log').values(rows.slice(i, i + INSERT_CHUNK)).execute();
  }
  await tx.updateTable('decision_log_head').set({ hash: prev }).where('id', '=', 1).execute();
  return rows;
}

export interface EntryQuery extends RowFilter {
  /** At most this many entries (all by default). */
  limit?: number;
}

export class DecisionLog {
  private readonly db: Kysely<Database>;

  constructor(private readonly database: Pick<OpenedDatabase, 'db' | 'dialect' | 'location' | 'pgPool'>) {
    this.db = database.db;
  }

  /**
   * Appends one entry and returns it with its number and hash. Given `tx`, the entry is written in that transaction
   * and commits (or rolls back) with it, so a decision and its entry are stored together or not at all.
   */
  async append(entry: NewLogEntry, tx?: Transaction<Database>): Promise<LogEntry> {
    const [appended] = await this.appendAll([entry], tx);
    return appended!;
  }

  /** Appends several entries in order under one lock (a policy reload re-deciding many files), as `append` does. */
  async appendAll(entries: readonly NewLogEntry[], tx?: Transaction<Database>): Promise<LogEntry[]> {
    const now = new Date();
    // Checked and canonicalized before the lock is taken: the lock is held only for numbering, hashing and writing.
    const prepared = entries.map((e) => prepareEntry(e, now));
    if (prepared.length === 0) return [];
    let rows: DecisionLogTable[];
    if (tx) {
      if (!tx.isTransaction) throw new TypeError('DecisionLog.append: `tx` must be a transaction, so the head stays locked until the entry commits');
      rows = await chain(tx, prepared);
    } else {
      rows = await this.db.transaction().execute((t) => chain(t, prepared));
    }
    return rows.map(entryFromRow);
  }

  /** The number of entries and the last one's hash, as the head row records them (no verification). */
  async head(): Promise<LogHead> {
    const row = await this.db.selectFrom('decision_log_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst();
    if (!row) throw new StorageError('log.head-missing', 'the decision log head row is missing: the database was changed by hand; run `gatehouse log verify`');
    return { count: Number(row.seq), hash: row.hash };
  }

  /** The latest entry of a kind (the policy in force when the gateway last logged one), if any. */
  async latest(kind: string): Promise<LogEntry | undefined> {
    const row = await this.db.selectFrom('decision_log').selectAll().where('kind', '=', kind).orderBy('seq', 'desc').limit(1).executeTakeFirst();
    return row && entryFromRow(row);
  }

  /** Entries in order, read in batches; filter by project, file sha256 or kind, after a sequence number. */
  async *entries(query: EntryQuery = {}): AsyncGenerator<LogEntry> {
    const { after, limit, ...filter } = query;
    let left = limit ?? Infinity;
    for await (const rows of rowBatches(databaseReader(this.db, filter), after ?? 0, Math.min(left, DEFAULT_BATCH))) {
      for (const row of rows) {
        if (left-- <= 0) return;
        yield entryFromRow(row);
      }
    }
  }

  /**
   * Entries after `after` as export lines (entry.ts `exportLine`), in order, the stored bytes as they are. A payload
   * that is not JSON any more stops the export with the entry's number: the log was changed by hand.
   */
  async *exportLines(after = 0): AsyncGenerator<string> {
    for await (const rows of rowBatches(databaseReader(this.db), after)) {
      for (const row of rows) {
        try {
          JSON.parse(row.payload);
        } catch {
          throw new StorageError('log.entry-corrupt', `decision log entry ${row.seq} has a payload that is not JSON: the log was changed by hand; run \`gatehouse log verify\``);
        }
        yield exportLine(row);
      }
    }
  }

  /** Walks the whole log; see verify.ts. Reads in batches, so memory stays flat however long the log is. */
  async verify(options?: VerifyOptions): Promise<LogVerification> {
    const reader = openLogReader(this.database);
    try {
      return await verifyLog(reader, options);
    } finally {
      reader.close();
    }
  }
}
