/**
 * For decision log tests: storage on SQLite or PostgreSQL, a sample log, and the ways someone with write access to
 * the database could change it behind Gatehouse's back (the append-only triggers dropped first, as they would).
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { openStorage, type Storage } from '../../src/store/index.js';
import type { Database, DecisionLogTable } from '../../src/store/schema.js';
import { entryHash } from '../../src/store/decision-log/entry.js';
import type { LogEntry, NewLogEntry } from '../../src/store/decision-log/index.js';
import { createTestDatabase, type DatabaseKind } from './postgres.js';

export interface TestStorage {
  storage: Storage;
  dataDir: string;
  /** The `--database` value for the CLI: a PostgreSQL URL, or undefined for SQLite in `dataDir`. */
  databaseUrl: string | undefined;
  /** The CLI's storage options for this database. */
  cliArgs: string[];
  /** Opens a second, independent storage on the same database. */
  openAnother(): Promise<Storage>;
  cleanup(): Promise<void>;
}

export async function openTestStorage(kind: DatabaseKind): Promise<TestStorage> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-log-'));
  const pg = kind === 'postgres' ? await createTestDatabase() : null;
  const storage = await openStorage({ dataDir, databaseUrl: pg?.url });
  const others: Storage[] = [];
  return {
    storage,
    dataDir,
    databaseUrl: pg?.url,
    cliArgs: ['--data', dataDir, ...(pg ? ['--database', pg.url] : [])],
    async openAnother() {
      const other = await openStorage({ dataDir, databaseUrl: pg?.url });
      others.push(other);
      return other;
    },
    async cleanup() {
      for (const s of [...others, storage]) await s.close();
      await pg?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Varied entries: decisions with findings, admin actions, text that needs escaping. */
export function sampleEntries(n: number, label = 'a'): NewLogEntry[] {
  return Array.from({ length: n }, (_, i) => {
    const k = i % 4;
    if (k === 0) {
      return {
        kind: 'decision',
        actor: 'system',
        subject: { project: `demo-${label}`, version: `1.${i}`, filename: `demo_${label}-1.${i}-py3-none-any.whl`, sha256: createHash('sha256').update(`${label}-${i}`).digest('hex') },
        payload: { outcome: i % 3 === 0 ? 'quarantine' : 'allow', findings: [{ rule: 'scan.exec-at-import', severity: 'high', evidence: 'exec(b64decode("…"))\n', score: 7.5 }], policyRevision: 3, vulndbRevision: '2026-07' },
      };
    }
    if (k === 1) return { kind: 'token.created', actor: 'cli:root', payload: { tokenId: i, scope: 'upload', projects: ['demo', 'ünïcode-名前'] } };
    if (k === 2) return { kind: 'quarantine.release', actor: `token:${i}`, subject: { project: `demo-${label}` }, payload: { reason: 'reviewed by "sec" team\t✓ 😀' } };
    return { kind: 'policy.reload', actor: 'system', payload: { revision: i, changed: { cooldownDays: [7, 3] } } };
  });
}

/** Drops the triggers that keep entries from being changed, as someone tampering by hand would. */
export async function dropLogGuards(db: Kysely<Database>, dialect: 'sqlite' | 'postgres'): Promise<void> {
  if (dialect === 'postgres') {
    await sql`drop trigger decision_log_append_only on decision_log`.execute(db);
    await sql`drop trigger decision_log_head_kept on decision_log_head`.execute(db);
    await sql`drop trigger decision_log_head_forward on decision_log_head`.execute(db);
  } else {
    for (const t of ['decision_log_no_update', 'decision_log_no_delete', 'decision_log_head_kept', 'decision_log_head_forward']) {
      await sql.raw(`drop trigger ${t}`).execute(db);
    }
  }
}

export async function row(db: Kysely<Database>, seq: number): Promise<DecisionLogTable> {
  return db.selectFrom('decision_log').selectAll().where('seq', '=', seq).executeTakeFirstOrThrow();
}

/** Writes every column but `seq` of `values` into the row numbered `seq`. */
export async function overwrite(db: Kysely<Database>, seq: number, values: Omit<DecisionLogTable, 'seq'>): Promise<void> {
  await db.updateTable('decision_log').set(values).where('seq', '=', seq).execute();
}

/** Gives a row another number (which must be free: the primary key still holds). */
export async function renumber(db: Kysely<Database>, from: number, to: number): Promise<void> {
  await db.updateTable('decision_log').set({ seq: to }).where('seq', '=', from).execute();
}

/**
 * Rewrites entries `from`..end as a careful tamperer would: `change` edits each row's content, then every hash from
 * there on is recomputed and the head row updated, so the log is consistent in itself.
 */
export async function rewriteFrom(db: Kysely<Database>, from: number, change: (r: DecisionLogTable) => Partial<DecisionLogTable>): Promise<void> {
  const rows = await db.selectFrom('decision_log').selectAll().where('seq', '>=', from).orderBy('seq').execute();
  let prev = from === 1 ? '0'.repeat(64) : (await row(db, from - 1)).hash;
  for (const r of rows) {
    const { seq, hash: _old, ...content } = { ...r, ...change(r), prev_hash: prev };
    prev = entryHash({ ...content, seq });
    await overwrite(db, seq, { ...content, hash: prev });
  }
  const last = rows.at(-1);
  if (last) await db.updateTable('decision_log_head').set({ seq: last.seq, hash: prev }).where('id', '=', 1).execute();
}

export type { LogEntry };
