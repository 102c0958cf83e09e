/**
 * Gateway configuration: defaults that work with no file at all, overridden by
 * a TOML file (`--config`), then by environment variables, then by flags.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { InvalidInputError } from '../errors.js';

export interface GatewayConfig {
  host: string;
  port: number;
  /** Directory for the SQLite database, blobs and temporary files. */
  dataDir: string;
  /** `postgres://…` for PostgreSQL; unset means SQLite in `dataDir`. */
  databaseUrl: string | undefined;
  upload: {
    /** Largest accepted distribution file, in bytes. PyPI's default is 100 MiB. */
    maxFileSize: number;
  };
}

export const DEFAULT_CONFIG: GatewayConfig = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: './gatehouse-data',
  databaseUrl: undefined,
  upload: { maxFileSize: 100 * 1024 * 1024 },
};

export class ConfigError extends InvalidInputError {
  constructor(message: string) {
    super('config.invalid', message);
  }
}

type Table = Record<string, unknown>;

function table(value: unknown, where: string): Table {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${where} must be a table`);
  return value as Table;
}

function str(t: Table, key: string, where: string): string | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new ConfigError(`${where}.${key} must be a string`);
  return v;
}

function int(t: Table, key: string, where: string): number | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new ConfigError(`${where}.${key} must be a non-negative integer`);
  return v;
}

export function parsePort(text: string, where: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new ConfigError(`${where} must be a port number (0-65535), not ${JSON.stringify(text)}`);
  return port;
}

/** Reads a TOML config file; unknown sections and keys are errors, so typos do not pass silently. */
export function readConfigFile(path: string, base: GatewayConfig = DEFAULT_CONFIG): GatewayConfig {
  let doc: Table;
  try {
    doc = parseToml(readFileSync(path, 'utf8')) as Table;
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as Error).message}`);
  }
  const known: Record<string, string[]> = { server: ['host', 'port'], storage: ['data', 'database'], upload: ['max_file_size'] };
  for (const [section, value] of Object.entries(doc)) {
    const keys = known[section];
    if (!keys) throw new ConfigError(`${path}: unknown section [${section}] (known: ${Object.keys(known).join(', ')})`);
    for (const key of Object.keys(table(value, section))) {
      if (!keys.includes(key)) throw new ConfigError(`${path}: unknown key ${section}.${key} (known: ${keys.join(', ')})`);
    }
  }
  const server = table(doc.server, 'server');
  const storage = table(doc.storage, 'storage');
  const upload = table(doc.upload, 'upload');
  const port = int(server, 'port', 'server');
  if (port !== undefined && port > 65535) throw new ConfigError('server.port must be at most 65535');
  const data = str(storage, 'data', 'storage');
  return {
    host: str(server, 'host', 'server') ?? base.host,
    port: port ?? base.port,
    // A relative data path in a config file is relative to the file, not to the working directory.
    dataDir: data !== undefined ? resolve(path, '..', data) : base.dataDir,
    databaseUrl: str(storage, 'database', 'storage') ?? base.databaseUrl,
    upload: { maxFileSize: int(upload, 'max_file_size', 'upload') ?? base.upload.maxFileSize },
  };
}
