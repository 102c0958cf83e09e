/**
 * Opens the database: embedded SQLite (better-sqlite3, WAL) under the data
 * directory by default, or PostgreSQL when given a `postgres://` URL. Runs the
 * migrations before returning.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { StorageError } from './errors.js';
import { migrationProvider } from './migrations.js';
import type { Database } from './schema.js';

export interface OpenedDatabase {
  db: Kysely<Database>;
  dialect: 'sqlite' | 'postgres';
  /** Where the data lives, for logs: a file path or a URL without its password. */
  location: string;
  /** PostgreSQL: the pool behind `db`, for what Kysely cannot do (COPY). */
  pgPool?: pg.Pool;
  close(): Promise<void>;
}

// int8 (bigint) columns hold file sizes; they fit a double, and callers expect numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

export async function openDatabase(options: { url?: string; dataDir: string }): Promise<OpenedDatabase> {
  const url = options.url;
  let opened: OpenedDatabase;
  if (url && /^postgres(ql)?:\/\//.test(url)) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    // An idle connection that PostgreSQL closes (restart, failover, admin
    // command) must not crash the gateway; the pool replaces it on next use.
    pool.on('error', (err) => process.emitWarning(`PostgreSQL connection lost: ${err.message}`, 'GatehouseStorageWarning'));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    opened = { db, dialect: 'postgres', location: redact(url), pgPool: pool, close: () => db.destroy() };
  } else {
    const file = url ? url.replace(/^sqlite:(\/\/)?/, '') : join(options.dataDir, 'gatehouse.sqlite');
    if (!url) mkdirSync(options.dataDir, { recursive: true });
    let sqlite: SQLite.Database;
    try {
      sqlite = new SQLite(file);
    } catch (err) {
      throw new StorageError('storage.database-open', `cannot open SQLite database ${file}: ${(err as Error).message}`, { cause: err });
    }
    // WAL lets readers run while an upload commits; synchronous=FULL makes a
    // committed upload survive a power loss, not only a process crash.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) });
    opened = { db, dialect: 'sqlite', location: file, close: () => db.destroy() };
  }
  try {
    const migrator = new Migrator({ db: opened.db, provider: migrationProvider(opened.dialect) });
    const { error } = await migrator.migrateToLatest();
    if (error) throw error;
  } catch (err) {
    await opened.close().catch(() => undefined);
    throw new StorageError('storage.migrate', `cannot prepare the database at ${opened.location}: ${(err as Error).message}`, { cause: err });
  }
  return opened;
}
