/**
 * Gateway configuration: defaults that work with no file at all, overridden by a TOML file (`--config`), then by
 * environment variables, then by flags. Unknown sections and keys are errors, so a typo never passes silently.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { InvalidInputError } from '../errors.js';
import { isValidName, normalizeName } from '../pep/name.js';
import type { UpstreamDefinition } from '../upstream/index.js';

export interface ProxySettings {
  /**
   * Seconds a fetched project page is served without asking the upstream again; after that it is revalidated
   * (ETag / Last-Modified), which costs a 304 when nothing changed.
   */
  pageTtl: number;
  /** Seconds an upstream's "no such project" is remembered. */
  negativeTtl: number;
  /** Serve only what is cached; never contact an upstream. */
  offline: boolean;
}

export interface IndexSettings {
  /**
   * Names never looked up upstream (dependency confusion): exact PEP 503-normalized names, or prefixes written
   * `acme-*`. A reserved name that is not hosted answers 404 with the reason.
   */
  reserved: string[];
  /** Projects served from one named upstream only, whatever the order: normalized name -> upstream name. */
  pinned: Record<string, string>;
}

/**
 * Which wheel of a proxied release a client gets (docs/decisions.md, "Wheels built here"):
 * - `upstream`: the upstream's wheel, as the policy decides;
 * - `matching`: the upstream's pure-Python wheel only once the wheel its sdist builds in the sandbox is equivalent;
 * - `rebuilt`: the wheel built here from the sdist, with its signed provenance, instead of the upstream's.
 */
export type WheelSource = 'upstream' | 'matching' | 'rebuilt';
export const WHEEL_SOURCES: readonly WheelSource[] = ['upstream', 'matching', 'rebuilt'];

export interface BuildSettings {
  /** For every proxied project with a pure-Python wheel and an sdist, unless `projects` says otherwise. */
  wheels: WheelSource;
  /** Normalized project name -> its own setting. */
  projects: Record<string, WheelSource>;
  /** Sandbox builds at once; each takes a core while it runs. */
  concurrency: number;
  /** Seconds a project page waits for the builds of its newest releases before it is listed without them. */
  pageWait: number;
}

/** The setting that applies to a project: its own, else the gateway's. */
export function wheelSourceFor(build: BuildSettings, project: string): WheelSource {
  return build.projects[project] ?? build.wheels;
}

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
  /** Upstream indexes in the order they are asked; empty means hosted only. */
  upstreams: UpstreamDefinition[];
  proxy: ProxySettings;
  index: IndexSettings;
  build: BuildSettings;
  /** The config file read, if any: its `[policy.*]` tables (or the file its `[policy] file` names) are the policy. */
  configFile: string | null;
}

/** With no upstream configured, PyPI itself, as devpi's `root/pypi`: `pip install requests` just works. */
export const PYPI_UPSTREAM: UpstreamDefinition = {
  name: 'pypi',
  url: 'https://pypi.org/simple/',
  allowedFileHosts: ['files.pythonhosted.org'],
};

export const DEFAULT_CONFIG: GatewayConfig = {
  host: '127.0.0.1',
  port: 8080,
  dataDir: './gatehouse-data',
  databaseUrl: undefined,
  upload: { maxFileSize: 100 * 1024 * 1024 },
  upstreams: [PYPI_UPSTREAM],
  // 600 s is what PyPI's own CDN gives simple pages (Cache-Control: max-age=600); revalidation after that is a
  // cheap conditional request. devpi and proxpi keep pages 1800 s, Artifactory 7200 s, Nexus a day: longer hides a
  // yank or a takedown of a malicious release for longer. A missing project is asked again after 120 s, so a
  // project published a minute ago is found soon.
  proxy: { pageTtl: 600, negativeTtl: 120, offline: false },
  index: { reserved: [], pinned: {} },
  // Off unless asked for: a build takes seconds of CPU, and a project whose sdist does not build here loses its wheel.
  build: { wheels: 'upstream', projects: {}, concurrency: 1, pageWait: 8 },
  configFile: null,
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

function bool(t: Table, key: string, where: string): boolean | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'boolean') throw new ConfigError(`${where}.${key} must be true or false`);
  return v;
}

function strings(t: Table, key: string, where: string): string[] | undefined {
  const v = t[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new ConfigError(`${where}.${key} must be a list of strings`);
  return v as string[];
}

function checkKeys(t: Table, known: readonly string[], where: string, path: string): void {
  for (const key of Object.keys(t)) {
    if (!known.includes(key)) throw new ConfigError(`${path}: unknown key ${where}.${key} (known: ${known.join(', ')})`);
  }
}

export function parsePort(text: string, where: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) throw new ConfigError(`${where} must be a port number (0-65535), not ${JSON.stringify(text)}`);
  return port;
}

/** A reserved entry: a valid project name, or a name prefix ending in `-*` (`acme-*`); returned normalized. */
export function parseReserved(entry: string, where: string): string {
  const prefix = entry.endsWith('*');
  const stem = prefix ? entry.slice(0, -1).replace(/[-_.]$/, '') : entry;
  if (!isValidName(stem)) {
    throw new ConfigError(`${where}: ${JSON.stringify(entry)} is neither a project name nor a prefix such as "acme-*"`);
  }
  return prefix ? `${normalizeName(stem)}-*` : normalizeName(stem);
}

const UPSTREAM_KEYS = ['name', 'url', 'username', 'password', 'password_env', 'token_env', 'allowed_file_hosts', 'json_api'] as const;

function readUpstream(value: unknown, index: number, path: string): UpstreamDefinition {
  const where = `upstream[${index}]`;
  const t = table(value, where);
  checkKeys(t, UPSTREAM_KEYS, where, path);
  const name = str(t, 'name', where);
  const url = str(t, 'url', where);
  if (!name) throw new ConfigError(`${path}: ${where} needs a name`);
  if (!url) throw new ConfigError(`${path}: ${where} (${name}) needs a url`);
  const username = str(t, 'username', where);
  const password = str(t, 'password', where);
  const passwordEnv = str(t, 'password_env', where);
  const tokenEnv = str(t, 'token_env', where);
  const given = [password, passwordEnv, tokenEnv].filter((x) => x !== undefined).length;
  if (given > 1) throw new ConfigError(`${path}: ${where} (${name}) takes one of password, password_env and token_env`);
  const definition: UpstreamDefinition = { name, url };
  if (password !== undefined) {
    if (username === undefined) throw new ConfigError(`${path}: ${where} (${name}) has a password but no username`);
    definition.credentials = { username, password };
  } else if (passwordEnv !== undefined) {
    if (username === undefined) throw new ConfigError(`${path}: ${where} (${name}) has password_env but no username`);
    definition.credentials = { tokenEnv: passwordEnv, username };
  } else if (tokenEnv !== undefined) {
    definition.credentials = username === undefined ? { tokenEnv } : { tokenEnv, username };
  } else if (username !== undefined) {
    throw new ConfigError(`${path}: ${where} (${name}) has a username but no password, password_env or token_env`);
  }
  const hosts = strings(t, 'allowed_file_hosts', where);
  if (hosts) definition.allowedFileHosts = hosts;
  const jsonApi = t.json_api;
  if (jsonApi !== undefined) {
    if (jsonApi !== false && typeof jsonApi !== 'string') throw new ConfigError(`${path}: ${where}.json_api must be a URL or false`);
    definition.jsonApiUrl = jsonApi;
  }
  return definition;
}

/** Upstreams from `--upstream` or `GATEHOUSE_UPSTREAMS`: URLs named `upstream-1`, `upstream-2`…, or `name=URL`. */
export function upstreamsFromList(entries: readonly string[]): UpstreamDefinition[] {
  return entries.map((entry, i) => {
    const eq = entry.indexOf('=');
    const named = eq > 0 && !entry.slice(0, eq).includes(':');
    return named ? { name: entry.slice(0, eq), url: entry.slice(eq + 1) } : { name: `upstream-${i + 1}`, url: entry };
  });
}

export function checkUpstreamNames(upstreams: readonly UpstreamDefinition[], pinned: Record<string, string>, where: string): void {
  const names = new Set<string>();
  for (const u of upstreams) {
    if (names.has(u.name)) throw new ConfigError(`${where}: two upstreams are named ${JSON.stringify(u.name)}`);
    names.add(u.name);
  }
  for (const [project, upstream] of Object.entries(pinned)) {
    if (!names.has(upstream)) {
      throw new ConfigError(`${where}: ${project} is pinned to the upstream ${JSON.stringify(upstream)}, which is not configured (have: ${[...names].join(', ') || 'none'})`);
    }
  }
}

function wheelSource(value: unknown, where: string, path: string): WheelSource {
  if (typeof value !== 'string' || !(WHEEL_SOURCES as readonly string[]).includes(value)) {
    throw new ConfigError(`${path}: ${where} must be one of ${WHEEL_SOURCES.map((w) => `"${w}"`).join(', ')}, not ${JSON.stringify(value)}`);
  }
  return value as WheelSource;
}

/** `[build]`: which wheels proxied projects get, and how builds run. */
function readBuild(t: Table, base: BuildSettings, path: string): BuildSettings {
  const wheels = t.wheels === undefined ? base.wheels : wheelSource(t.wheels, 'build.wheels', path);
  const projects: Record<string, WheelSource> = { ...base.projects };
  for (const [project, value] of Object.entries(table(t.projects, 'build.projects'))) {
    if (!isValidName(project)) throw new ConfigError(`${path}: build.projects: ${JSON.stringify(project)} is not a project name`);
    projects[normalizeName(project)] = wheelSource(value, `build.projects.${project}`, path);
  }
  const concurrency = int(t, 'concurrency', 'build');
  if (concurrency === 0) throw new ConfigError(`${path}: build.concurrency must be at least 1`);
  return { wheels, projects, concurrency: concurrency ?? base.concurrency, pageWait: int(t, 'page_wait', 'build') ?? base.pageWait };
}

/** Reads a TOML config file over `base`. */
export function readConfigFile(path: string, base: GatewayConfig = DEFAULT_CONFIG): GatewayConfig {
  let doc: Table;
  try {
    doc = parseToml(readFileSync(path, 'utf8')) as Table;
  } catch (err) {
    throw new ConfigError(`cannot read config ${path}: ${(err as Error).message}`);
  }
  const known: Record<string, readonly string[]> = {
    server: ['host', 'port'],
    storage: ['data', 'database'],
    upload: ['max_file_size'],
    proxy: ['page_ttl', 'negative_ttl', 'offline'],
    index: ['reserved', 'pinned'],
    build: ['wheels', 'projects', 'concurrency', 'page_wait'],
  };
  for (const [section, value] of Object.entries(doc)) {
    // [[upstream]] is read below; [policy.*] by the policy's own reader (src/policy/policy-file.ts).
    if (section === 'upstream' || section === 'policy') continue;
    const keys = known[section];
    if (!keys) throw new ConfigError(`${path}: unknown section [${section}] (known: ${[...Object.keys(known), '[upstream]', '[policy.*]'].join(', ')})`);
    checkKeys(table(value, section), keys, section, path);
  }
  const server = table(doc.server, 'server');
  const storage = table(doc.storage, 'storage');
  const upload = table(doc.upload, 'upload');
  const proxy = table(doc.proxy, 'proxy');
  const index = table(doc.index, 'index');
  const port = int(server, 'port', 'server');
  if (port !== undefined && port > 65535) throw new ConfigError('server.port must be at most 65535');
  const data = str(storage, 'data', 'storage');

  let upstreams = base.upstreams;
  if (doc.upstream !== undefined) {
    // `[[upstream]]` tables in order; `upstream = []` says: hosted only.
    if (!Array.isArray(doc.upstream)) throw new ConfigError(`${path}: upstream must be [[upstream]] tables (or upstream = [] for none)`);
    upstreams = doc.upstream.map((u, i) => readUpstream(u, i, path));
  }
  const pinnedTable = table(index.pinned, 'index.pinned');
  const pinned: Record<string, string> = {};
  for (const [project, upstream] of Object.entries(pinnedTable)) {
    if (!isValidName(project)) throw new ConfigError(`${path}: index.pinned: ${JSON.stringify(project)} is not a project name`);
    if (typeof upstream !== 'string') throw new ConfigError(`${path}: index.pinned.${project} must name an upstream`);
    pinned[normalizeName(project)] = upstream;
  }
  const build = readBuild(table(doc.build, 'build'), base.build, path);
  const reserved = (strings(index, 'reserved', 'index') ?? base.index.reserved).map((r) => parseReserved(r, `${path}: index.reserved`));
  const config: GatewayConfig = {
    host: str(server, 'host', 'server') ?? base.host,
    port: port ?? base.port,
    // A relative data path in a config file is relative to the file, not to the working directory.
    dataDir: data !== undefined ? resolve(path, '..', data) : base.dataDir,
    databaseUrl: str(storage, 'database', 'storage') ?? base.databaseUrl,
    upload: { maxFileSize: int(upload, 'max_file_size', 'upload') ?? base.upload.maxFileSize },
    upstreams,
    proxy: {
      pageTtl: int(proxy, 'page_ttl', 'proxy') ?? base.proxy.pageTtl,
      negativeTtl: int(proxy, 'negative_ttl', 'proxy') ?? base.proxy.negativeTtl,
      offline: bool(proxy, 'offline', 'proxy') ?? base.proxy.offline,
    },
    index: { reserved, pinned: Object.keys(pinned).length > 0 ? pinned : base.index.pinned },
    build,
    configFile: resolve(path),
  };
  checkUpstreamNames(config.upstreams, config.index.pinned, path);
  return config;
}
