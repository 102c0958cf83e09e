/**
 * The policy engine's records: scans by sha256, each file's current decision, and quarantine reviews.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, FileDecisionTable, FileState, QuarantineReviewTable, ScanResultTable } from './schema.js';

export type ScanRow = Selectable<ScanResultTable>;
export type DecisionRow = Selectable<FileDecisionTable>;
export type ReviewRow = Selectable<QuarantineReviewTable>;
export type NewDecision = Omit<DecisionRow, 'id'>;

export class DecisionStore {
  constructor(private readonly db: Kysely<Database>) {}

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
  async putDecision(row: NewDecision): Promise<void> {
    const { sha256, filename, ...rest } = row;
    await this.db
      .insertInto('file_decision')
      .values(row)
      .onConflict((oc) => oc.columns(['sha256', 'filename']).doUpdateSet(rest))
      .execute();
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

  /** Bumped on every change of a stored decision or review, so every gateway process knows to rebuild its pages. */
  async bumpSerial(): Promise<void> {
    await this.db
      .insertInto('serial')
      .values({ name: 'decisions', value: 1 })
      .onConflict((oc) => oc.column('name').doUpdateSet((eb) => ({ value: eb('serial.value', '+', 1) })))
      .execute();
  }

  async serial(): Promise<number> {
    const row = await this.db.selectFrom('serial').select('value').where('name', '=', 'decisions').executeTakeFirst();
    return row?.value ?? 0;
  }

  review(sha256: string, filename: string): Promise<ReviewRow | undefined> {
    return this.db.selectFrom('quarantine_review').selectAll().where('sha256', '=', sha256).where('filename', '=', filename).executeTakeFirst();
  }

  async putReview(row: Omit<ReviewRow, 'id'>): Promise<void> {
    const { sha256, filename, ...rest } = row;
    await this.db
      .insertInto('quarantine_review')
      .values(row)
      .onConflict((oc) => oc.columns(['sha256', 'filename']).doUpdateSet(rest))
      .execute();
  }
}
