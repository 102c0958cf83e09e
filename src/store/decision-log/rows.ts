/**
 * Reading the log's rows in order, a batch at a time (keyset pagination by sequence number), never all at once.
 *
 * Verification reads every row, so on SQLite it reads through a read-only connection of its own that returns rows as
 * arrays: better-sqlite3 builds a row object property by property in C++, which costs about as much again as the
 * read itself (measured: 100,000 rows in 0.5 s as arrays, 1.0 s as objects). In WAL mode that connection reads
 * committed data beside the gateway's writes and never sees a transaction in progress. PostgreSQL rows come through
 * Kysely, with the next batches asked for while the current one is checked (`allRows`).
 */
import SQLite from 'better-sqlite3';
import type { Kysely } from 'kysely';
import type { OpenedDatabase } from '../database.js';
import type { Database, DecisionLogTable } from '../schema.js';
import { copyLogRows } from './pg-copy.js';

export interface RowFilter {
  /** Only entries after this sequence number. Without it, every row, including any a tamperer numbered 0 or less. */
  after?: number;
  project?: string;
  sha256?: string;
  kind?: string;
}

/** Rows per query. Smaller batches leave less for the garbage collector to promote: 2,000 took 20% less CPU than 5,000. */
export const DEFAULT_BATCH = 2000;

/** Where rows come from: the gateway's own database connection, or a connection of the reader's own. */
export interface LogReader {
  /** The head row, or undefined when someone deleted it. */
  head(): Promise<{ seq: number; hash: string } | undefined>;
  /** Up to `size` rows numbered after `after` (from the lowest number when undefined), in order. */
  batch(after: number | undefined, size: number): Promise<DecisionLogTable[]>;
  /** The rows numbered above `above` (any number when undefined) and at most `upTo`, in order. */
  range(above: number | undefined, upTo: number): Promise<DecisionLogTable[]>;
  /**
   * Where to stop reading by ranges: the highest row number, or the number of rows if that is lower (a row numbered
   * far ahead by hand must not turn into millions of empty ranges; the pages after the ranges find it).
   */
  rangeEnd(): Promise<number>;
  /** The lowest number of a row whose hash is `hash`. */
  seqOfHash(hash: string): Promise<number | undefined>;
  /** Every row in sequence order, in batches, by the fastest way this database has (PostgreSQL: COPY). */
  all?(size: number): AsyncIterable<DecisionLogTable[]>;
  close(): void;
}

export function databaseReader(db: Kysely<Database>, filter: Omit<RowFilter, 'after'> = {}): LogReader {
  return {
    head: () => db.selectFrom('decision_log_head').select(['seq', 'hash']).where('id', '=', 1).executeTakeFirst(),
    batch(after, size) {
      let q = db.selectFrom('decision_log').selectAll();
      if (after !== undefined) q = q.where('seq', '>', after);
      if (filter.project !== undefined) q = q.where('project', '=', filter.project);
      if (filter.sha256 !== undefined) q = q.where('sha256', '=', filter.sha256);
      if (filter.kind !== undefined) q = q.where('kind', '=', filter.kind);
      return q.orderBy('seq').limit(size).execute();
    },
    range(above, upTo) {
      let q = db.selectFrom('decision_log').selectAll().where('seq', '<=', upTo);
      if (above !== undefined) q = q.where('seq', '>', above);
      return q.orderBy('seq').execute();
    },
    async rangeEnd() {
      const row = await db
        .selectFrom('decision_log')
        .select((eb) => [eb.fn.max('seq').as('max'), eb.fn.countAll().as('count')])
        .executeTakeFirst();
      return Math.min(Number(row?.max ?? 0), Number(row?.count ?? 0));
    },
    async seqOfHash(hash) {
      const row = await db.selectFrom('decision_log').select('seq').where('hash', '=', hash).orderBy('seq').executeTakeFirst();
      return row?.seq;
    },
    close() {},
  };
}

const COLUMNS = 'seq, at, kind, actor, project, version, filename, sha256, payload, prev_hash, hash';
type RowArray = [number, string, string, string, string | null, string | null, string | null, string | null, string, string, string];

function fromArray(a: RowArray): DecisionLogTable {
  return { seq: a[0], at: a[1], kind: a[2], actor: a[3], project: a[4], version: a[5], filename: a[6], sha256: a[7], payload: a[8], prev_hash: a[9], hash: a[10] };
}

function sqliteFileReader(file: string): LogReader {
  const conn = new SQLite(file, { readonly: true, fileMustExist: true });
  const first = conn.prepare(`select ${COLUMNS} from decision_log order by seq limit ?`).raw(true);
  const next = conn.prepare(`select ${COLUMNS} from decision_log where seq > ? order by seq limit ?`).raw(true);
  const upTo = conn.prepare(`select ${COLUMNS} from decision_log where seq <= ? order by seq`).raw(true);
  const between = conn.prepare(`select ${COLUMNS} from decision_log where seq > ? and seq <= ? order by seq`).raw(true);
  return {
    head: async () => conn.prepare('select seq, hash from decision_log_head where id = 1').get() as { seq: number; hash: string } | undefined,
    async batch(after, size) {
      const rows = (after === undefined ? first.all(size) : next.all(after, size)) as RowArray[];
      return rows.map(fromArray);
    },
    async range(above, last) {
      const rows = (above === undefined ? upTo.all(last) : between.all(above, last)) as RowArray[];
      return rows.map(fromArray);
    },
    rangeEnd: async () => (conn.prepare('select min(coalesce(max(seq), 0), count(*)) as e from decision_log').get() as { e: number }).e,
    async seqOfHash(hash) {
      const row = conn.prepare('select seq from decision_log where hash = ? order by seq limit 1').get(hash) as { seq: number } | undefined;
      return row?.seq;
    },
    close: () => conn.close(),
  };
}

/** The fastest way to read every row of this database: close it when done. */
export function openLogReader(database: Pick<OpenedDatabase, 'db' | 'dialect' | 'location' | 'pgPool'>): LogReader {
  if (database.dialect === 'sqlite') return sqliteFileReader(database.location);
  const pool = database.pgPool;
  return pool ? { ...databaseReader(database.db), all: (size) => copyLogRows(pool, size) } : databaseReader(database.db);
}

/**
 * Yields the rows after `after` (every row when undefined) in sequence order, `size` at a time. The next batch is
 * asked for as soon as the current one arrives.
 */
export async function* rowBatches(reader: LogReader, after: number | undefined, size = DEFAULT_BATCH): AsyncGenerator<DecisionLogTable[]> {
  let pending = reader.batch(after, size);
  for (;;) {
    const rows = await pending;
    if (rows.length === 0) return;
    const last = rows[rows.length - 1]!.seq;
    pending = rows.length < size ? Promise.resolve([]) : reader.batch(last, size);
    // A caller that stops early must not leave a query's rejection unhandled.
    pending.catch(() => undefined);
    yield rows;
    if (rows.length < size) return;
  }
}

/**
 * Every row in sequence order, as `rowBatches(reader, undefined)` yields them: by the reader's own `all` where it has
 * one (PostgreSQL's COPY), else with up to `inFlight` batches asked for at once: batches are ranges of numbers (up to `rangeEnd` at the start), which need not wait for the
 * batch before as keyset pages do, so a PostgreSQL server reads several while the caller checks one. Rows past
 * that (appended during the walk, or numbered far ahead) are read page by page after.
 */
export async function* allRows(reader: LogReader, size = DEFAULT_BATCH, inFlight = 3): AsyncGenerator<DecisionLogTable[]> {
  if (reader.all) {
    yield* reader.all(size);
    return;
  }
  const max = await reader.rangeEnd();
  const queue: Array<Promise<DecisionLogTable[]>> = [];
  let next = 0;
  const ask = () => {
    const above = next === 0 ? undefined : next;
    next = Math.min(max, next + size);
    const pending = reader.range(above, next);
    pending.catch(() => undefined);
    queue.push(pending);
  };
  ask();
  while (queue.length > 0) {
    while (queue.length < inFlight && next < max) ask();
    const rows = await queue.shift()!;
    if (rows.length > 0) yield rows;
  }
  yield* rowBatches(reader, max, size);
}
