/**
 * Hosted projects, their releases and files: the organization's own packages.
 *
 * What identifies what (warehouse's rules, held by unique indexes as well as by the checks here):
 * - a project is its PEP 503-normalized name;
 * - a release is its project and canonical version (`5.0` and `5.0.0` are one release; the first spelling is shown);
 * - a file is its release and identity (the one sdist, or a wheel's build tag and tags), so `Demo-5.0-…`,
 *   `demo-v5.0-…` and `demo-5.0.0-…` of the same wheel cannot all get in;
 * - a file name is used once, and the same bytes are stored under one file name only. File rows are never deleted,
 *   so neither can be reused later.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, FileTable, ProjectTable, ReleaseTable } from './schema.js';
import { SYSTEM_ACTOR, type DecisionLog } from './decision-log/index.js';

export type HostedProject = Selectable<ProjectTable>;
export type HostedRelease = Selectable<ReleaseTable>;
export type HostedFile = Selectable<FileTable>;

export interface NewHostedFile {
  projectName: string;
  displayName: string;
  filename: string;
  /** The normalized PEP 440 version the file name spells. */
  version: string;
  /** The release it belongs to: packaging's canonical version (`Version.canonical`). */
  canonicalVersion: string;
  /** `distributionIdentity` of its file name. */
  identity: string;
  kind: 'wheel' | 'sdist';
  sha256: string;
  md5: string;
  blake2b_256: string;
  size: number;
  requiresPython: string | null;
  metadataSha256: string | null;
  metadataSize: number | null;
  uploadedBy: number | null;
}

/** Why a file cannot be added: each names the stored file it collides with. */
export type FileConflict =
  /** The file name is taken by other bytes. */
  | { reason: 'filename'; existing: HostedFile }
  /** These bytes are stored under another file name. */
  | { reason: 'same-bytes'; existing: HostedFile }
  /** The release already has its sdist. */
  | { reason: 'sdist'; existing: HostedFile }
  /** The release has this wheel (same build tag and tags) under another spelling. */
  | { reason: 'same-file'; existing: HostedFile };

export type AddFileResult =
  | { outcome: 'added' }
  /** The same file name with the same bytes: already stored, nothing changes (warehouse answers such a retry 200). */
  | { outcome: 'exists'; existing: HostedFile }
  | { outcome: 'conflict'; conflict: FileConflict };

export interface YankTarget {
  /** A canonical version (`Version.canonical`): every file of that release. */
  canonicalVersion?: string;
  filename?: string;
}

export interface YankResult {
  /** Files the target names. */
  matched: number;
  /** Files whose state actually changed (yanking a yanked file with the same reason changes nothing). */
  changed: number;
}

type Db = Kysely<Database> | Transaction<Database>;

async function conflictFor(db: Db, file: NewHostedFile): Promise<AddFileResult | undefined> {
  const byName = await db.selectFrom('file').selectAll().where('filename', '=', file.filename).executeTakeFirst();
  if (byName) {
    return byName.sha256 === file.sha256
      ? { outcome: 'exists', existing: byName }
      : { outcome: 'conflict', conflict: { reason: 'filename', existing: byName } };
  }
  const byBytes = await db.selectFrom('file').selectAll().where('sha256', '=', file.sha256).executeTakeFirst();
  if (byBytes) return { outcome: 'conflict', conflict: { reason: 'same-bytes', existing: byBytes } };
  const same = await db
    .selectFrom('file')
    .innerJoin('release', 'release.id', 'file.release_id')
    .innerJoin('project', 'project.id', 'release.project_id')
    .selectAll('file')
    .where('project.name', '=', file.projectName)
    .where('release.canonical_version', '=', file.canonicalVersion)
    .where('file.identity', '=', file.identity)
    .executeTakeFirst();
  if (same) return { outcome: 'conflict', conflict: { reason: same.kind === 'sdist' ? 'sdist' : 'same-file', existing: same } };
  return undefined;
}

export class HostedStore {
  private readonly changeListeners: Array<(projectName: string) => void> = [];

  constructor(
    private readonly db: Kysely<Database>,
    private readonly decisionLog: DecisionLog,
  ) {}

  /** Called after a change to a project's files commits in this process. */
  onChange(listener: (projectName: string) => void): void {
    this.changeListeners.push(listener);
  }

  private changed(projectName: string): void {
    for (const listener of this.changeListeners) listener(projectName);
  }

  project(name: string): Promise<HostedProject | undefined> {
    return this.db.selectFrom('project').selectAll().where('name', '=', name).executeTakeFirst();
  }

  /** The serial alone: the cheap check that decides whether a cached page is still current. */
  async serial(name: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('project').select('serial').where('name', '=', name).executeTakeFirst();
    return row?.serial;
  }

  /** Bumped whenever a project is created: decides whether the cached project list is still current. */
  async projectsSerial(): Promise<number> {
    const row = await this.db.selectFrom('serial').select('value').where('name', '=', 'projects').executeTakeFirst();
    return row?.value ?? 0;
  }

  projects(): Promise<HostedProject[]> {
    return this.db.selectFrom('project').selectAll().orderBy('name').execute();
  }

  /** Only the names a project list shows, in order: cheaper than whole rows for a list of 100,000. */
  async projectNames(): Promise<string[]> {
    const rows = await this.db.selectFrom('project').select('display_name').orderBy('name').execute();
    return rows.map((r) => r.display_name);
  }

  releases(projectId: number): Promise<HostedRelease[]> {
    return this.db.selectFrom('release').selectAll().where('project_id', '=', projectId).orderBy('id').execute();
  }

  files(projectId: number): Promise<HostedFile[]> {
    return this.db.selectFrom('file').selectAll().where('project_id', '=', projectId).orderBy('id').execute();
  }

  fileByName(filename: string): Promise<HostedFile | undefined> {
    return this.db.selectFrom('file').selectAll().where('filename', '=', filename).executeTakeFirst();
  }

  /** The file stored under a sha256 and a name, with its project's name. */
  fileBySha256(sha256: string, filename: string): Promise<(HostedFile & { project_name: string }) | undefined> {
    return this.db
      .selectFrom('file')
      .innerJoin('project', 'project.id', 'file.project_id')
      .selectAll('file')
      .select('project.name as project_name')
      .where('file.sha256', '=', sha256)
      .where('file.filename', '=', filename)
      .executeTakeFirst();
  }

  /** Whether any row points at a blob (as a file or as a wheel's METADATA). */
  async referencesBlob(sha256: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('file')
      .select('id')
      .where((eb) => eb.or([eb('sha256', '=', sha256), eb('metadata_sha256', '=', sha256)]))
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Every blob a hosted row points at. */
  async referencedBlobs(): Promise<Set<string>> {
    const rows = await this.db.selectFrom('file').select(['sha256', 'metadata_sha256']).execute();
    const out = new Set<string>();
    for (const r of rows) {
      out.add(r.sha256);
      if (r.metadata_sha256) out.add(r.metadata_sha256);
    }
    return out;
  }

  /**
   * Records an uploaded file whose blobs are already stored, creating its project and release on first use.
   * Collisions with stored files are reported, not thrown; a concurrent upload that wins a race is reported the
   * same way, because the unique indexes decide.
   */
  async addFile(file: NewHostedFile, now = new Date()): Promise<AddFileResult> {
    const result = await this.db.transaction().execute(async (tx): Promise<AddFileResult> => {
      const early = await conflictFor(tx, file);
      if (early) return early;
      const at = now.toISOString();
      const createdProject = await tx
        .insertInto('project')
        .values({ name: file.projectName, display_name: file.displayName, created_at: at, serial: 0 })
        .onConflict((oc) => oc.column('name').doNothing())
        .executeTakeFirst();
      if (Number(createdProject.numInsertedOrUpdatedRows ?? 0) > 0) {
        await tx.updateTable('serial').set((eb) => ({ value: eb('value', '+', 1) })).where('name', '=', 'projects').execute();
      }
      const project = await tx.selectFrom('project').select('id').where('name', '=', file.projectName).executeTakeFirstOrThrow();
      await tx
        .insertInto('release')
        .values({ project_id: project.id, canonical_version: file.canonicalVersion, version: file.version, created_at: at })
        .onConflict((oc) => oc.columns(['project_id', 'canonical_version']).doNothing())
        .execute();
      const release = await tx
        .selectFrom('release')
        .select('id')
        .where('project_id', '=', project.id)
        .where('canonical_version', '=', file.canonicalVersion)
        .executeTakeFirstOrThrow();
      const inserted = await tx
        .insertInto('file')
        .values({
          project_id: project.id,
          release_id: release.id,
          identity: file.identity,
          filename: file.filename,
          version: file.version,
          kind: file.kind,
          sha256: file.sha256,
          md5: file.md5,
          blake2b_256: file.blake2b_256,
          size: file.size,
          requires_python: file.requiresPython,
          yanked: 0,
          yanked_reason: null,
          metadata_sha256: file.metadataSha256,
          metadata_size: file.metadataSize,
          upload_time: at,
          uploaded_by: file.uploadedBy,
        })
        // Any unique index (file name, bytes, release identity) may be what a concurrent winner took.
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
        const lost = await conflictFor(tx, file);
        if (!lost) throw new Error(`inserting ${file.filename} changed nothing, yet no stored file collides with it`);
        return lost;
      }
      await tx.updateTable('project').set((eb) => ({ serial: eb('serial', '+', 1) })).where('id', '=', project.id).execute();
      return { outcome: 'added' };
    });
    if (result.outcome === 'added') this.changed(file.projectName);
    return result;
  }

  /**
   * Yanks (PEP 592) or unyanks every file of a release, or one file. Only files whose state changes are written,
   * and only a real change bumps the project's serial.
   */
  /** Yanks or unyanks; a change is recorded in the decision log, in the same transaction, as done by `actor`. */
  async setYanked(projectName: string, target: YankTarget, yanked: boolean, reason: string | null, actor: string = SYSTEM_ACTOR): Promise<YankResult> {
    const result = await this.db.transaction().execute(async (tx): Promise<YankResult> => {
      const project = await tx.selectFrom('project').select('id').where('name', '=', projectName).executeTakeFirst();
      if (!project) return { matched: 0, changed: 0 };
      let files = tx.selectFrom('file').select(['file.id', 'file.filename', 'file.yanked', 'file.yanked_reason']).where('file.project_id', '=', project.id);
      if (target.canonicalVersion !== undefined) {
        files = files
          .innerJoin('release', 'release.id', 'file.release_id')
          .where('release.canonical_version', '=', target.canonicalVersion);
      }
      if (target.filename !== undefined) files = files.where('file.filename', '=', target.filename);
      const matched = await files.execute();
      const newReason = yanked ? reason : null;
      const changing = matched.filter((f) => f.yanked !== (yanked ? 1 : 0) || f.yanked_reason !== newReason);
      const ids = changing.map((f) => f.id);
      if (ids.length > 0) {
        await tx.updateTable('file').set({ yanked: yanked ? 1 : 0, yanked_reason: newReason }).where('id', 'in', ids).execute();
        await tx.updateTable('project').set((eb) => ({ serial: eb('serial', '+', 1) })).where('id', '=', project.id).execute();
        await this.decisionLog.append(
          {
            kind: yanked ? 'yank' : 'unyank',
            actor,
            subject: { project: projectName, version: target.canonicalVersion ?? null, filename: target.filename ?? null },
            payload: { reason: newReason, files: changing.map((f) => f.filename) },
          },
          tx,
        );
      }
      return { matched: matched.length, changed: ids.length };
    });
    if (result.changed > 0) this.changed(projectName);
    return result;
  }

  /** Bytes of stored distribution files and their METADATA blobs (each blob counted once), for the metrics endpoint. */
  async storedBytes(): Promise<number> {
    const files = await this.db.selectFrom('file').select((eb) => eb.fn.sum<number>('size').as('total')).executeTakeFirst();
    const metadata = await this.db
      .selectFrom((eb) =>
        eb.selectFrom('file').select(['metadata_sha256', 'metadata_size']).where('metadata_sha256', 'is not', null).distinct().as('m'),
      )
      .select((eb) => eb.fn.sum<number>('m.metadata_size').as('total'))
      .executeTakeFirst();
    return Number(files?.total ?? 0) + Number(metadata?.total ?? 0);
  }
}
