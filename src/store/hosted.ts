/**
 * Hosted projects and their files: the organization's own packages.
 */
import type { Kysely, Selectable } from 'kysely';
import type { Database, FileTable, ProjectTable } from './schema.js';

export type HostedProject = Selectable<ProjectTable>;
export type HostedFile = Selectable<FileTable>;

export interface NewHostedFile {
  projectName: string;
  displayName: string;
  filename: string;
  version: string;
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

export class HostedStore {
  private readonly changeListeners: Array<(projectName: string) => void> = [];

  constructor(private readonly db: Kysely<Database>) {}

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

  projects(): Promise<HostedProject[]> {
    return this.db.selectFrom('project').selectAll().orderBy('name').execute();
  }

  files(projectId: number): Promise<HostedFile[]> {
    return this.db.selectFrom('file').selectAll().where('project_id', '=', projectId).orderBy('id').execute();
  }

  fileByName(filename: string): Promise<HostedFile | undefined> {
    return this.db.selectFrom('file').selectAll().where('filename', '=', filename).executeTakeFirst();
  }

  fileBySha256(sha256: string, filename: string): Promise<HostedFile | undefined> {
    return this.db
      .selectFrom('file')
      .selectAll()
      .where('sha256', '=', sha256)
      .where('filename', '=', filename)
      .executeTakeFirst();
  }

  /**
   * Records an uploaded file whose blobs are already stored. Creates the
   * project on its first upload. Returns false when the filename exists (a
   * concurrent upload of the same file won the race).
   */
  async addFile(file: NewHostedFile, now = new Date()): Promise<boolean> {
    const added = await this.db.transaction().execute(async (tx) => {
      const existing = await tx.selectFrom('file').select('id').where('filename', '=', file.filename).executeTakeFirst();
      if (existing) return false;
      let project = await tx.selectFrom('project').select(['id']).where('name', '=', file.projectName).executeTakeFirst();
      if (!project) {
        await tx
          .insertInto('project')
          .values({ name: file.projectName, display_name: file.displayName, created_at: now.toISOString(), serial: 0 })
          .onConflict((oc) => oc.column('name').doNothing())
          .execute();
        project = await tx.selectFrom('project').select(['id']).where('name', '=', file.projectName).executeTakeFirstOrThrow();
      }
      const inserted = await tx
        .insertInto('file')
        .values({
          project_id: project.id,
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
          upload_time: now.toISOString(),
          uploaded_by: file.uploadedBy,
        })
        .onConflict((oc) => oc.column('filename').doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
      await tx.updateTable('project').set((eb) => ({ serial: eb('serial', '+', 1) })).where('id', '=', project.id).execute();
      return true;
    });
    if (added) this.changed(file.projectName);
    return added;
  }

  /**
   * Yanks (PEP 592) or unyanks every file of a release, or one file when
   * `filename` is given. Returns how many files changed.
   */
  async setYanked(
    projectName: string,
    target: { version?: string; filename?: string },
    yanked: boolean,
    reason: string | null,
  ): Promise<number> {
    const changed = await this.db.transaction().execute(async (tx) => {
      const project = await tx.selectFrom('project').select('id').where('name', '=', projectName).executeTakeFirst();
      if (!project) return 0;
      let q = tx
        .updateTable('file')
        .set({ yanked: yanked ? 1 : 0, yanked_reason: yanked ? reason : null })
        .where('project_id', '=', project.id);
      if (target.version !== undefined) q = q.where('version', '=', target.version);
      if (target.filename !== undefined) q = q.where('filename', '=', target.filename);
      const result = await q.executeTakeFirst();
      const changed = Number(result.numUpdatedRows);
      if (changed > 0) {
        await tx.updateTable('project').set((eb) => ({ serial: eb('serial', '+', 1) })).where('id', '=', project.id).execute();
      }
      return changed;
    });
    if (changed > 0) this.changed(projectName);
    return changed;
  }

  /** Total bytes of stored distribution files, for the metrics endpoint. */
  async storedBytes(): Promise<number> {
    const row = await this.db.selectFrom('file').select((eb) => eb.fn.sum<number>('size').as('total')).executeTakeFirst();
    return Number(row?.total ?? 0);
  }
}
