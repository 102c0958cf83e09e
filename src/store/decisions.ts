/**
 * The policy engine's records: scans by sha256, each file's current decision, and quarantine reviews. A change of a
 * decision or a review is stored with its decision log entries and the serial bump in one transaction: the record,
 * the log and what the pages show never disagree, even after a crash between two statements.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { DecisionLog, NewLogEntry } from './decision-log/index.js';
import type { Database, FileDecisionTable, FileState, QuarantineReviewTable, ScanResultTable } from './schema.js';

export type ScanRow = Selectable<ScanResultTable>;
export type DecisionRow = Selectable<FileDecisionTable>;
export type ReviewRow = Selectable<QuarantineReviewTable>;
export type NewDecision = Omit<DecisionRow, 'id'>;

/** What one change records together: a decision, a review, and the log entries that tell of them. */
export interface DecisionChange {
  decision?: NewDecision;
  review?: Omit<ReviewRow, 'id'>;
  /** Appended last, in order, so the log's head is locked only for the end of the transaction. */
  log: readonly NewLogEntry[];
}

export class DecisionStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly decisionLog: DecisionLog,
  ) {}

  /** Stores a changed decision and/or review, bumps the decisions serial, and appends the log entries: all or nothing. */
  async record(change: DecisionChange): Promise<void> {
    await this.db.transaction().execute(async (tx) => {
      if (change.decision) await upsertDecision(tx, change.decision);
      if (change.review) await upsertReview(tx, change.review);
      await bumpSerial(tx);
      await this.decisionLog.appendAll(change.log, tx);
    });
  }

  scan(sha256: string): Promise<ScanRow | undefined> {
    return this.db.selectFrom('scan_result').selectAll().where('sha256', '=', sha256).executeTakeFirst();
  }

  async putScan(row: ScanRow): Promise<void> {
    const { sha256, ...rest } = row;
    await this.db
      .insertInto('scan_result')
      .values(row)
      .onConflict((oc) => oc.column('sha256').doUpdateSet(rest))
      .execute();
  }

  decision(sha256: string, filename: string): Promise<DecisionRow | undefined> {
    return this.db.selectFrom('file_decision').selectAll().where('sha256', '=', sha256).where('filename', '=', filename).executeTakeFirst();
  }

  byDecisionId(decisionId: string): Promise<DecisionRow | undefined> {
    return this.db.selectFrom('file_decision').selectAll().where('decision_id', '=', decisionId).executeTakeFirst();
  }

  /** Stores a file's current decision, replacing the one before. */
  /** Stores a file's decision when only its revisions moved (nothing the log or the pages need to know). */
  async putDecision(row: NewDecision): Promise<void> {
    await upsertDecision(this.db, row);
  }

  list(options: { states?: readonly FileState[]; project?: string } = {}): Promise<DecisionRow[]> {
    let q = this.db.selectFrom('file_decision').selectAll();
    if (options.states) q = q.where('state', 'in', [...options.states]);
    if (options.project !== undefined) q = q.where('project', '=', options.project);
    return q.orderBy('decided_at').orderBy('id').execute();
  }

  /** Every decision made under other revisions than these: what a reload or a database update re-evaluates. */
  stale(policyRevision: string, dbRevision: string): Promise<DecisionRow[]> {
    return this.db
      .selectFrom('file_decision')
      .selectAll()
      .where((eb) => eb.or([eb('policy_revision', '!=', policyRevision), eb('db_revision', '!=', dbRevision)]))
      .orderBy('id')
      .execute();
  }

  async countsByState(): Promise<Map<FileState, number>> {
    const rows = await this.db
      .selectFrom('file_decision')
      .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
      .groupBy('state')
      .execute();
    return new Map(rows.map((r) => [r.state, Number(r.n)]));
  }

  async serial(): Promise<number> {
    const row = await this.db.selectFrom('serial').select('value').where('name', '=', 'decisions').executeTakeFirst();
    return row?.value ?? 0;
  }

  review(sha256: string, filename: string): Promise<ReviewRow | undefined> {
    return this.db.selectFrom('quarantine_review').selectAll().where('sha256', '=', sha256).where('filename', '=', filename).executeTakeFirst();
  }
}

async function upsertDecision(db: Kysely<Database> | Transaction<Database>, row: NewDecision): Promise<void> {
  const { sha256, filename, ...rest } = row;
  await db
    .insertInto('file_decision')
    .values(row)
    .onConflict((oc) => oc.columns(['sha256', 'filename']).doUpdateSet(rest))
    .execute();
}

async function upsertReview(db: Transaction<Database>, row: Omit<ReviewRow, 'id'>): Promise<void> {
  const { sha256, filename, ...rest } = row;
  await db
    .insertInto('quarantine_review')
    .values(row)
    .onConflict((oc) => oc.columns(['sha256', 'filename']).doUpdateSet(rest))
    .execute();
}

/** Bumped on every change of a stored decision or review, so every gateway process knows to rebuild its pages. */
async function bumpSerial(db: Transaction<Database>): Promise<void> {
  await db
    .insertInto('serial')
    .values({ name: 'decisions', value: 1 })
    .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ value: eb('serial.value', '+', 1) })))
    .execute();
}
