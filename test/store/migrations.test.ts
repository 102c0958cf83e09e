/**
 * Upgrading a database made before releases had an identity: every file gets its release and identity, and two
 * stored files that are one file under two spellings stop the upgrade with both names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Migrator } from 'kysely';
import { openDatabase } from '../../src/store/database.js';
import { migrationProvider } from '../../src/store/migrations.js';
import { createTestDatabase, DATABASES } from '../helpers/postgres.js';

async function legacyDatabase(kind: (typeof DATABASES)[number], files: Array<[string, string]>) {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-migrate-'));
  const pg = kind === 'postgres' ? await createTestDatabase() : null;
  const url = pg?.url ?? `sqlite:${join(dataDir, 'old.sqlite')}`;
  // Build the 0001 schema alone, as an older Gatehouse left it.
  const SQLite = (await import('better-sqlite3')).default;
  const { Kysely, SqliteDialect, PostgresDialect } = await import('kysely');
  const pgmod = (await import('pg')).default;
  const db = pg
    ? new Kysely<any>({ dialect: new PostgresDialect({ pool: new pgmod.Pool({ connectionString: pg.url }) }) })
    : new Kysely<any>({ dialect: new SqliteDialect({ database: new SQLite(join(dataDir, 'old.sqlite')) }) });
  const migrator = new Migrator({ db, provider: migrationProvider(pg ? 'postgres' : 'sqlite') });
  const { error } = await migrator.migrateTo('0001-hosted-index');
  if (error) throw error;
  await db.insertInto('project').values({ name: 'demo', display_name: 'Demo', created_at: '2026-01-01T00:00:00Z', serial: files.length }).execute();
  let i = 0;
  for (const [filename, version] of files) {
    i++;
    await db
      .insertInto('file')
      .values({
        project_id: 1,
        filename,
        version,
        kind: filename.endsWith('.whl') ? 'wheel' : 'sdist',
        sha256: String(i).repeat(64).slice(0, 64),
        md5: '0'.repeat(32),
        blake2b_256: '0'.repeat(64),
        size: 10,
        requires_python: null,
        yanked: 0,
        yanked_reason: null,
        metadata_sha256: null,
        metadata_size: null,
        upload_time: `2026-01-0${i}T00:00:00Z`,
        uploaded_by: null,
      })
      .execute();
  }
  await db.destroy();
  return {
    url,
    dataDir,
    async cleanup() {
      await pg?.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

for (const kind of DATABASES) {
  test(`${kind}: files stored before 0002 get their releases and identities`, async () => {
    const legacy = await legacyDatabase(kind, [
      ['demo-5.0-py3-none-any.whl', '5.0'],
      ['demo-5.0.0.tar.gz', '5.0.0'],
      ['Demo-6.0-py2.py3-none-any.whl', '6.0'],
    ]);
    try {
      const opened = await openDatabase({ url: legacy.url, dataDir: legacy.dataDir });
      try {
        const releases = await opened.db.selectFrom('release').select(['canonical_version', 'version', 'created_at']).orderBy('id').execute();
        assert.deepEqual(releases, [
          { canonical_version: '5', version: '5.0', created_at: '2026-01-01T00:00:00Z' },
          { canonical_version: '6', version: '6.0', created_at: '2026-01-03T00:00:00Z' },
        ]);
        const files = await opened.db.selectFrom('file').select(['filename', 'release_id', 'identity']).orderBy('id').execute();
        assert.deepEqual(files.map((f) => f.identity), ['wheel -py3-none-any', 'sdist', 'wheel -py2.py3-none-any']);
        assert.equal(files[0]!.release_id, files[1]!.release_id);
        const serial = await opened.db.selectFrom('serial').select('value').where('name', '=', 'projects').executeTakeFirst();
        assert.equal(serial?.value, 1);
      } finally {
        await opened.close();
      }
    } finally {
      await legacy.cleanup();
    }
  });

  test(`${kind}: two stored spellings of one file stop the upgrade, naming both`, async () => {
    const legacy = await legacyDatabase(kind, [
      ['demo-5.0-py3-none-any.whl', '5.0'],
      ['demo-5.0.0-py3-none-any.whl', '5.0.0'],
    ]);
    try {
      await assert.rejects(
        openDatabase({ url: legacy.url, dataDir: legacy.dataDir }),
        /demo-5\.0\.0-py3-none-any\.whl and demo-5\.0-py3-none-any\.whl are the same file of one release under two spellings/,
      );
    } finally {
      await legacy.cleanup();
    }
  });
}
