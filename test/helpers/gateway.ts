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
import { DEFAULT_POLICY, type Policy } from '../../src/policy/policy.js';
import type { PrescanOptions } from '../../src/index/policy-gate.js';
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

/**
 * The policy of tests that are not about the policy: every rule lets everything through, so those tests see the
 * index, the proxy and the store alone (and start without the name corpus or the vulnerability database).
 */
export const PERMISSIVE_POLICY: Policy = {
  ...DEFAULT_POLICY,
  names: { mode: 'enforce', typosquat: 'allow', unknown: 'allow' },
  scanner: { mode: 'enforce', malicious: 'allow', suspicious: 'allow', error: 'allow' },
  vulnerabilities: { mode: 'enforce', blockSeverity: 'none', warnSeverity: 'none', block: [], malware: 'allow' },
  cooldown: { ...DEFAULT_POLICY.cooldown, minimumAgeMs: 0, unknownUploadTime: 'allow' },
};

export async function startGateway(
  options: { database?: DatabaseKind; listen?: boolean; config?: Partial<GatewayConfig>; /** A policy, or `config` for the one the config file gives (the gateway's own way). */ policy?: Policy | 'config'; prescan?: PrescanOptions } = {},
): Promise<TestGateway> {
  // A test may open a second gateway on the first one's data directory; only a directory made here is removed.
  const ownDir = options.config?.dataDir === undefined;
  const dataDir = options.config?.dataDir ?? (await mkdtemp(join(tmpdir(), 'gatehouse-test-')));
  const pg = options.database === 'postgres' ? await createTestDatabase() : null;
  // No upstream unless a test names one: these machines have no internet, and a test must not depend on it.
  const config: GatewayConfig = { ...DEFAULT_CONFIG, upstreams: [], databaseUrl: pg?.url, ...options.config, dataDir };
  const storage = await openStorage({ dataDir, databaseUrl: config.databaseUrl });
  const app = await buildApp(storage, config, { maintenanceIntervalMs: 0, ...(options.policy === 'config' ? {} : { policy: options.policy ?? PERMISSIVE_POLICY }), ...(options.prescan ? { prescan: options.prescan } : {}) });
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
