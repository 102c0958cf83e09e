/**
 * A real gateway for tests: its own data directory, SQLite or a fresh
 * PostgreSQL database, listening on a random loopback port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_CONFIG, type GatewayConfig } from '../../src/config/gateway.js';
import { buildApp } from '../../src/server/app.js';
import { openStorage, type Storage } from '../../src/store/index.js';
import { createTestDatabase, type DatabaseKind } from './postgres.js';

export interface TestGateway {
  app: FastifyInstance;
  storage: Storage;
  dataDir: string;
  /** Base URL, e.g. http://127.0.0.1:40123 (only after `listen: true`). */
  url: string;
  token(grant?: { scope?: 'upload' | 'admin'; projects?: string[]; expiresAt?: Date | null }): Promise<string>;
  close(): Promise<void>;
}

export async function startGateway(
  options: { database?: DatabaseKind; listen?: boolean; config?: Partial<GatewayConfig> } = {},
): Promise<TestGateway> {
  // A test may open a second gateway on the first one's data directory; only a directory made here is removed.
  const ownDir = options.config?.dataDir === undefined;
  const dataDir = options.config?.dataDir ?? (await mkdtemp(join(tmpdir(), 'gatehouse-test-')));
  const pg = options.database === 'postgres' ? await createTestDatabase() : null;
  // No upstream unless a test names one: these machines have no internet, and a test must not depend on it.
  const config: GatewayConfig = { ...DEFAULT_CONFIG, upstreams: [], databaseUrl: pg?.url, ...options.config, dataDir };
  const storage = await openStorage({ dataDir, databaseUrl: config.databaseUrl });
  const app = await buildApp(storage, config, { maintenanceIntervalMs: 0 });
  let url = '';
  if (options.listen) url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    app,
    storage,
    dataDir,
    url,
    async token(grant = {}) {
      const scope = grant.scope ?? 'upload';
      const { secret } = await storage.tokens.create({
        scope,
        projects: grant.projects ?? [],
        allProjects: scope === 'admin' || grant.projects === undefined,
        description: 'test',
        expiresAt: grant.expiresAt ?? null,
      });
      return secret;
    },
    async close() {
      await app.close();
      await storage.close();
      await pg?.drop();
      if (ownDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
