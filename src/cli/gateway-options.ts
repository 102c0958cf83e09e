/**
 * The options every command that opens the gateway's storage shares:
 * `--data`, `--database` and `--config`, with environment fallbacks.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { Storage } from '../store/index.js';
import { checkUpstreamNames, ConfigError, DEFAULT_CONFIG, parsePort, readConfigFile, upstreamsFromList, type GatewayConfig } from '../config/gateway.js';

export interface GatewayOptions {
  data?: string;
  database?: string;
  config?: string;
  host?: string;
  port?: string;
  /** `--upstream URL` (repeatable); `false` from `--no-upstream`. */
  upstream?: string[] | false;
  offline?: boolean;
}

export function addStorageOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'data directory: SQLite database, blobs, temporary files (env GATEHOUSE_DATA; default ./gatehouse-data)')
    .option('--database <url>', 'postgres://user@host:port/db for PostgreSQL (env GATEHOUSE_DATABASE; default SQLite in the data directory)')
    .option('--config <file>', 'TOML config file (env GATEHOUSE_CONFIG); flags and environment override it');
}

/** Defaults, then the config file, then environment variables, then flags. */
export function resolveConfig(opts: GatewayOptions, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const file = opts.config ?? env.GATEHOUSE_CONFIG;
  const config = file ? readConfigFile(file) : structuredClone(DEFAULT_CONFIG);
  const data = opts.data ?? env.GATEHOUSE_DATA;
  if (data) config.dataDir = data;
  config.dataDir = resolve(config.dataDir);
  const database = opts.database ?? env.GATEHOUSE_DATABASE;
  if (database) config.databaseUrl = database;
  const host = opts.host ?? env.GATEHOUSE_HOST;
  if (host) config.host = host;
  const port = opts.port ?? env.GATEHOUSE_PORT;
  if (port !== undefined) config.port = parsePort(port, opts.port !== undefined ? '--port' : 'GATEHOUSE_PORT');
  // Flags, then the environment, replace the config file's upstreams; an explicit empty list means hosted only.
  const envUpstreams = env.GATEHOUSE_UPSTREAMS;
  if (opts.upstream === false) config.upstreams = [];
  else if (opts.upstream !== undefined && opts.upstream.length > 0) config.upstreams = upstreamsFromList(opts.upstream);
  else if (envUpstreams !== undefined) config.upstreams = upstreamsFromList(envUpstreams.split(/[\s,]+/).filter((u) => u !== ''));
  if (opts.offline || env.GATEHOUSE_OFFLINE === '1' || env.GATEHOUSE_OFFLINE === 'true') config.proxy.offline = true;
  try {
    checkUpstreamNames(config.upstreams, config.index.pinned, opts.upstream ? '--upstream' : 'GATEHOUSE_UPSTREAMS');
  } catch (err) {
    throw err instanceof ConfigError ? err : new ConfigError((err as Error).message);
  }
  return config;
}

/** Opens the gateway's storage as configured, runs `work`, and closes it. */
export async function withStorage<T>(opts: GatewayOptions, work: (storage: Storage, config: GatewayConfig) => Promise<T>): Promise<T> {
  const config = resolveConfig(opts);
  // Loaded on use, so commands that never open storage start without the database drivers.
  const { openStorage } = await import('../store/index.js');
  const storage = await openStorage({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    return await work(storage, config);
  } finally {
    await storage.close();
  }
}
