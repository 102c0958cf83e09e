/**
 * Claims on blobs: "a row is about to point at this blob". A writer claims a blob before it commits it and drops
 * the claim once its row is in (or was refused); the collector of unreferenced blobs leaves claimed blobs alone.
 * Claims live in the database, so they hold across every process that shares it.
 */
import type { Kysely } from 'kysely';
import type { Database } from './schema.js';

/** A claim older than this was left by a crashed process: no upload or fetch takes a day between commit and row. */
export const CLAIM_MAX_AGE_MS = 24 * 60 * 60 * 1000;

export class BlobClaims {
  constructor(private readonly db: Kysely<Database>) {}

  /** Claims blobs and returns the claim ids to release. */
  async claim(sha256s: readonly string[], now = new Date()): Promise<number[]> {
    if (sha256s.length === 0) return [];
    const rows = await this.db
      .insertInto('blob_claim')
      .values(sha256s.map((sha256) => ({ sha256, claimed_at: now.toISOString() })))
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  }

  async release(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.deleteFrom('blob_claim').where('id', 'in', [...ids]).execute();
  }

  /** The blobs claimed by a live claim. */
  async claimed(now = new Date()): Promise<Set<string>> {
    const since = new Date(now.getTime() - CLAIM_MAX_AGE_MS).toISOString();
    const rows = await this.db.selectFrom('blob_claim').select('sha256').where('claimed_at', '>', since).execute();
    return new Set(rows.map((r) => r.sha256));
  }

  async isClaimed(sha256: string, now = new Date()): Promise<boolean> {
    const since = new Date(now.getTime() - CLAIM_MAX_AGE_MS).toISOString();
    const row = await this.db
      .selectFrom('blob_claim')
      .select('id')
      .where('sha256', '=', sha256)
      .where('claimed_at', '>', since)
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Drops the claims crashed processes left behind. */
  async expire(now = new Date()): Promise<number> {
    const since = new Date(now.getTime() - CLAIM_MAX_AGE_MS).toISOString();
    const r = await this.db.deleteFrom('blob_claim').where('claimed_at', '<=', since).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
