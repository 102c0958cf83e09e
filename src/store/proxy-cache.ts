/**
 * What the caching proxy keeps in the database: each upstream's last answer for a project (with its validators,
 * so revalidation survives a restart), the files fetched from upstreams and their companions (METADATA,
 * provenance), and dependency-confusion alerts. The bytes themselves are blobs.
 */
import type { Kysely, Selectable } from 'kysely';
import type { SimpleProjectPage } from '../pep/simple.js';
import type { BlobReferences } from './blob-collector.js';
import type { CachedCompanionTable, CachedFileTable, Database, UpstreamAlertTable } from './schema.js';

export type CachedFile = Selectable<CachedFileTable>;
export type CachedCompanion = Selectable<CachedCompanionTable>;
export type UpstreamAlert = Selectable<UpstreamAlertTable>;
export type CompanionKind = CachedCompanionTable['kind'];

export interface CachedPage {
  upstream: string;
  project: string;
  /** The page, or null when the upstream said it has no such project. */
  page: SimpleProjectPage | null;
  etag: string | null;
  lastModified: string | null;
  /** When the content was fetched (ms since the epoch). */
  fetchedAt: number;
  /** When the upstream last confirmed it, with a 200 or a 304 (ms since the epoch). */
  checkedAt: number;
}

export class UpstreamPageStore {
  constructor(private readonly db: Kysely<Database>) {}

  async get(upstream: string, project: string): Promise<CachedPage | undefined> {
    const row = await this.db
      .selectFrom('upstream_page')
      .selectAll()
      .where('upstream', '=', upstream)
      .where('project', '=', project)
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      upstream,
      project,
      page: row.found === 1 && row.page !== null ? (JSON.parse(row.page) as SimpleProjectPage) : null,
      etag: row.etag,
      lastModified: row.last_modified,
      fetchedAt: Date.parse(row.fetched_at),
      checkedAt: Date.parse(row.checked_at),
    };
  }

  async put(entry: CachedPage): Promise<void> {
    const values = {
      upstream: entry.upstream,
      project: entry.project,
      found: entry.page === null ? 0 : 1,
      page: entry.page === null ? null : JSON.stringify(entry.page),
      etag: entry.etag,
      last_modified: entry.lastModified,
      fetched_at: new Date(entry.fetchedAt).toISOString(),
      checked_at: new Date(entry.checkedAt).toISOString(),
    };
    await this.db
      .insertInto('upstream_page')
      .values(values)
      .onConflict((oc) =>
        oc.columns(['upstream', 'project']).doUpdateSet({
          found: values.found,
          page: values.page,
          etag: values.etag,
          last_modified: values.last_modified,
          fetched_at: values.fetched_at,
          checked_at: values.checked_at,
        }),
      )
      .execute();
  }

  /** The upstream confirmed the cached page (304): it is fresh again. */
  async confirm(upstream: string, project: string, checkedAt: number, validators: { etag?: string; lastModified?: string }): Promise<void> {
    const set: { checked_at: string; etag?: string; last_modified?: string } = { checked_at: new Date(checkedAt).toISOString() };
    if (validators.etag !== undefined) set.etag = validators.etag;
    if (validators.lastModified !== undefined) set.last_modified = validators.lastModified;
    await this.db.updateTable('upstream_page').set(set).where('upstream', '=', upstream).where('project', '=', project).execute();
  }

  /** Which upstreams have a page for a project (found), as far as the cache knows. */
  async upstreamsWith(project: string): Promise<string[]> {
    const rows = await this.db.selectFrom('upstream_page').select('upstream').where('project', '=', project).where('found', '=', 1).execute();
    return rows.map((r) => r.upstream);
  }

  async counts(): Promise<Array<{ upstream: string; found: number; missing: number }>> {
    const rows = await this.db
      .selectFrom('upstream_page')
      .select((eb) => ['upstream', 'found', eb.fn.countAll<number>().as('n')])
      .groupBy(['upstream', 'found'])
      .execute();
    const out = new Map<string, { upstream: string; found: number; missing: number }>();
    for (const r of rows) {
      const entry = out.get(r.upstream) ?? { upstream: r.upstream, found: 0, missing: 0 };
      if (r.found === 1) entry.found = Number(r.n);
      else entry.missing = Number(r.n);
      out.set(r.upstream, entry);
    }
    return [...out.values()];
  }
}

export interface NewCachedFile {
  upstream: string;
  project: string;
  filename: string;
  sha256: string;
  size: number;
  uploadTime: string | null;
}

export class CachedFileStore implements BlobReferences {
  constructor(private readonly db: Kysely<Database>) {}

  get(sha256: string, filename: string): Promise<CachedFile | undefined> {
    return this.db.selectFrom('cached_file').selectAll().where('sha256', '=', sha256).where('filename', '=', filename).executeTakeFirst();
  }

  /** Records a verified file whose blob is committed. False when it was recorded already (a concurrent fetch). */
  async add(file: NewCachedFile, now = new Date()): Promise<boolean> {
    const at = now.toISOString();
    const r = await this.db
      .insertInto('cached_file')
      .values({
        upstream: file.upstream,
        project: file.project,
        filename: file.filename,
        sha256: file.sha256,
        size: file.size,
        upload_time: file.uploadTime,
        fetched_at: at,
        last_requested_at: at,
      })
      .onConflict((oc) => oc.columns(['sha256', 'filename']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  async touch(id: number, now = new Date()): Promise<void> {
    await this.db.updateTable('cached_file').set({ last_requested_at: now.toISOString() }).where('id', '=', id).execute();
  }

  companion(fileSha256: string, filename: string, kind: CompanionKind): Promise<CachedCompanion | undefined> {
    return this.db
      .selectFrom('cached_companion')
      .selectAll()
      .where('file_sha256', '=', fileSha256)
      .where('filename', '=', filename)
      .where('kind', '=', kind)
      .executeTakeFirst();
  }

  async addCompanion(entry: { fileSha256: string; filename: string; kind: CompanionKind; blobSha256: string; size: number }, now = new Date()): Promise<void> {
    await this.db
      .insertInto('cached_companion')
      .values({
        file_sha256: entry.fileSha256,
        filename: entry.filename,
        kind: entry.kind,
        blob_sha256: entry.blobSha256,
        size: entry.size,
        fetched_at: now.toISOString(),
      })
      .onConflict((oc) => oc.columns(['file_sha256', 'filename', 'kind']).doNothing())
      .execute();
  }

  /** METADATA blobs known for a project's cached files, by file name: pages list them (PEP 658) next time. */
  async metadataOf(upstream: string, project: string): Promise<Map<string, string>> {
    const rows = await this.db
      .selectFrom('cached_companion')
      .innerJoin('cached_file', (join) =>
        join.onRef('cached_file.sha256', '=', 'cached_companion.file_sha256').onRef('cached_file.filename', '=', 'cached_companion.filename'),
      )
      .select(['cached_companion.filename', 'cached_companion.blob_sha256'])
      .where('cached_file.upstream', '=', upstream)
      .where('cached_file.project', '=', project)
      .where('cached_companion.kind', '=', 'metadata')
      .execute();
    return new Map(rows.map((r) => [r.filename, r.blob_sha256]));
  }

  /** Cached files, the least recently requested first. */
  list(options: { upstream?: string; requestedBefore?: Date } = {}): Promise<CachedFile[]> {
    let q = this.db.selectFrom('cached_file').selectAll();
    if (options.upstream !== undefined) q = q.where('upstream', '=', options.upstream);
    if (options.requestedBefore !== undefined) q = q.where('last_requested_at', '<', options.requestedBefore.toISOString());
    return q.orderBy('last_requested_at').orderBy('id').execute();
  }

  async totalBytes(): Promise<number> {
    const row = await this.db.selectFrom('cached_file').select((eb) => eb.fn.sum<number>('size').as('total')).executeTakeFirst();
    return Number(row?.total ?? 0);
  }

  /** Forgets cached files (and their companions); their blobs go at the next collection, or at once via the caller. */
  async remove(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.transaction().execute(async (tx) => {
      const files = await tx.selectFrom('cached_file').select(['sha256', 'filename']).where('id', 'in', [...ids]).execute();
      for (const f of files) {
        await tx.deleteFrom('cached_companion').where('file_sha256', '=', f.sha256).where('filename', '=', f.filename).execute();
      }
      await tx.deleteFrom('cached_file').where('id', 'in', [...ids]).execute();
    });
  }

  async referencedBlobs(): Promise<Set<string>> {
    const files = await this.db.selectFrom('cached_file').select('sha256').execute();
    const companions = await this.db.selectFrom('cached_companion').select('blob_sha256').execute();
    return new Set([...files.map((f) => f.sha256), ...companions.map((c) => c.blob_sha256)]);
  }

  async referencesBlob(sha256: string): Promise<boolean> {
    const file = await this.db.selectFrom('cached_file').select('id').where('sha256', '=', sha256).executeTakeFirst();
    if (file) return true;
    const companion = await this.db.selectFrom('cached_companion').select('id').where('blob_sha256', '=', sha256).executeTakeFirst();
    return companion !== undefined;
  }
}

export class UpstreamAlertStore {
  constructor(private readonly db: Kysely<Database>) {}

  /** Records that an upstream has a project named like a hosted or reserved one. True the first time. */
  async record(project: string, upstream: string, kind: UpstreamAlert['kind'], now = new Date()): Promise<boolean> {
    const at = now.toISOString();
    return this.db.transaction().execute(async (tx) => {
      const existing = await tx
        .selectFrom('upstream_alert')
        .select(['id', 'count'])
        .where('project', '=', project)
        .where('upstream', '=', upstream)
        .where('kind', '=', kind)
        .executeTakeFirst();
      if (existing) {
        await tx.updateTable('upstream_alert').set({ last_seen: at, count: existing.count + 1 }).where('id', '=', existing.id).execute();
        return false;
      }
      const r = await tx
        .insertInto('upstream_alert')
        .values({ project, upstream, kind, first_seen: at, last_seen: at, count: 1 })
        .onConflict((oc) => oc.columns(['project', 'upstream', 'kind']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    });
  }

  list(): Promise<UpstreamAlert[]> {
    return this.db.selectFrom('upstream_alert').selectAll().orderBy('first_seen').orderBy('id').execute();
  }
}
