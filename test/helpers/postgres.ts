/**
 * PostgreSQL for tests. `npm test` (scripts/run-tests.mjs) or `.ci/run` starts a
 * cluster and exports GATEHOUSE_TEST_POSTGRES; each test gets a database of its
 * own, dropped afterwards. Without the variable, PostgreSQL tests fail loudly.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export function postgresAdminUrl(): string {
  const url = process.env.GATEHOUSE_TEST_POSTGRES;
  if (!url) {
    throw new Error(
      'GATEHOUSE_TEST_POSTGRES is not set: run the suite with `npm test` (which starts PostgreSQL) or point it at a server',
    );
  }
  return url;
}

/** Creates an empty database and returns its URL and a function that drops it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const admin = postgresAdminUrl();
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: admin });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** The databases every storage-backed test runs against. */
export const DATABASES = ['sqlite', 'postgres'] as const;
export type DatabaseKind = (typeof DATABASES)[number];
