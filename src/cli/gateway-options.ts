/**
 * The options every command that opens the gateway's storage shares:
 * `--data`, `--database` and `--config`, with environment fallbacks.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_CONFIG, parsePort, readConfigFile, type GatewayConfig } from '../policy/config.js';

export interface GatewayOptions {
  data?: string;
  database?: string;
  config?: string;
  host?: string;
  port?: string;
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
  return config;
}
