/**
 * Build dependencies, resolved outside the sandbox: pip (the reference resolver) works out which wheels satisfy
 * the requirements from a PEP 503 index, without installing anything (`--dry-run --report`); we then fetch each
 * wheel, check it against the hash the index published, and keep it in a content-addressed cache. The sandbox
 * gets these files as a local wheelhouse and fetches nothing itself.
 *
 * The index is any PEP 503/691 URL: a static tree, an upstream, or the gateway itself, so that its policy decides
 * on build dependencies as on anything else it serves.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { normalizeName } from '../pep/name.js';
import { parseRequirement } from '../pep/requirement.js';
import { DependencyResolutionError } from './errors.js';

const run = promisify(execFile);

export interface ResolvedWheel {
  name: string;
  version: string;
  filename: string;
  /** Where it was fetched from. */
  url: string;
  sha256: string;
  /** The cached file. */
  path: string;
}

export interface ResolveOptions {
  /** A PEP 503 simple index URL (`…/simple/`). */
  indexUrl: string;
  /** The interpreter whose pip resolves, and whose tags and markers apply (the sandbox's). */
  python: string;
  /** Where fetched wheels are kept, by sha256. */
  cacheDir: string;
  /** Let a `file://` requirement through (a wheel on disk whose own dependencies are wanted). */
  allowDirectInput?: boolean;
}

/** pip's environment without this machine's config, find-links or extra indexes, so only `indexUrl` is asked. */
export function isolatedPipEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' };
  for (const name of Object.keys(env)) if (name.startsWith('PIP_') && !['PIP_CONFIG_FILE', 'PIP_DISABLE_PIP_VERSION_CHECK', 'PIP_NO_INPUT'].includes(name)) delete env[name];
  return env;
}

/** Refuses what cannot be resolved from an index: invalid requirements and direct URL references. */
export function checkBuildRequirements(requirements: readonly string[]): string | undefined {
  for (const text of requirements) {
    try {
      if (parseRequirement(text).url !== null) return `build requirement '${text}' is a direct URL reference; build dependencies come from the index only`;
    } catch (err) {
      return `build requirement '${text}' is not a valid PEP 508 requirement: ${(err as Error).message}`;
    }
  }
  return undefined;
}

interface PipReport {
  install: { metadata: { name: string; version: string }; download_info: { url: string; archive_info?: { hashes?: { sha256?: string } } } }[];
}

const memo = new Map<string, Promise<ResolvedWheel[]>>();

/** The wheels that satisfy `requirements`, fetched and verified; the same question in one process is asked once. */
export function resolveWheels(requirements: readonly string[], options: ResolveOptions): Promise<ResolvedWheel[]> {
  if (requirements.length === 0) return Promise.resolve([]);
  const key = JSON.stringify([options.indexUrl, options.python, [...requirements].sort()]);
  let pending = memo.get(key);
  if (pending === undefined) {
    pending = resolveUncached(requirements, options);
    memo.set(key, pending);
    pending.catch(() => memo.delete(key));
  }
  return pending;
}

async function resolveUncached(requirements: readonly string[], options: ResolveOptions): Promise<ResolvedWheel[]> {
  const problem = options.allowDirectInput ? undefined : checkBuildRequirements(requirements);
  if (problem !== undefined) throw new DependencyResolutionError(problem);
  const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-resolve-'));
  const reportPath = join(scratch, 'report.json');
  try {
    const args = [
      '-m', 'pip', '--isolated', 'install', '--dry-run', '--ignore-installed', '--only-binary', ':all:', '--no-cache-dir',
      '--index-url', options.indexUrl, '--report', reportPath, '--quiet', '--', ...requirements,
    ];
    try {
      await run(options.python, args, { env: isolatedPipEnvironment(), timeout: 300_000, maxBuffer: 16 * 1024 * 1024 });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      const reason = (e.stderr ?? e.message).split('\n').filter((l) => /ERROR|error:/i.test(l)).join(' ').trim() || e.message;
      throw new DependencyResolutionError(`cannot resolve ${requirements.join(', ')} from ${options.indexUrl}: ${reason}`, { cause: err });
    }
    const report = JSON.parse(await readFile(reportPath, 'utf8')) as PipReport;
    const wheels: ResolvedWheel[] = [];
    for (const item of report.install) {
      if (options.allowDirectInput && item.download_info.url.startsWith('file:')) {
        const path = fileURLToPath(item.download_info.url);
        wheels.push({ name: item.metadata.name, version: item.metadata.version, filename: basename(path), url: item.download_info.url, sha256: fileSha256(path), path });
        continue;
      }
      wheels.push(await fetchWheel(item.metadata.name, item.metadata.version, item.download_info.url, item.download_info.archive_info?.hashes?.sha256, options.cacheDir));
    }
    return wheels.sort((a, b) => a.filename.localeCompare(b.filename));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function download(url: string): Promise<Buffer> {
  if (url.startsWith('file:')) return readFile(fileURLToPath(url));
  const response = await fetch(url);
  if (!response.ok) throw new DependencyResolutionError(`fetching ${url} failed: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** The wheel in the cache (`wheels/<sha256>/<filename>`), fetched when absent; a hash that does not match is refused. */
async function fetchWheel(name: string, version: string, url: string, published: string | undefined, cacheDir: string): Promise<ResolvedWheel> {
  const filename = decodeURIComponent(basename(new URL(url).pathname));
  if (!filename.endsWith('.whl')) throw new DependencyResolutionError(`${name} ${version} resolved to ${filename}, not a wheel`);
  if (published !== undefined) {
    const cached = join(cacheDir, 'wheels', published, filename);
    if (existsSync(cached)) return { name, version, filename, url, sha256: published, path: cached };
  }
  let data: Buffer;
  try {
    data = await download(url);
  } catch (err) {
    if (err instanceof DependencyResolutionError) throw err;
    throw new DependencyResolutionError(`fetching ${url} failed: ${(err as Error).message}`, { cause: err });
  }
  const sha256 = createHash('sha256').update(data).digest('hex');
  if (published !== undefined && published !== sha256) {
    throw new DependencyResolutionError(`${filename} from ${url} has sha256 ${sha256}, but the index published ${published}`);
  }
  const dir = join(cacheDir, 'wheels', sha256);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, filename);
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, data);
  renameSync(partial, path);
  return { name, version, filename, url, sha256, path };
}

/** The sha256 of a file on disk. */
export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * The wheels for `requirements`, leaving out, one at a time, those the index has nothing for (pip names them: "No
 * matching distribution found for X"): for the dynamic check, which wants code to run as far as it will.
 */
export async function resolveLeniently(requirements: readonly string[], options: ResolveOptions): Promise<{ wheels: ResolvedWheel[]; kept: string[]; dropped: string[] }> {
  const dropped: string[] = [];
  for (let left = [...requirements]; ; ) {
    try {
      return { wheels: await resolveWheels(left, options), kept: left, dropped };
    } catch (err) {
      const missing = err instanceof DependencyResolutionError ? /No matching distribution found for ([A-Za-z0-9._-]+)/.exec(err.message)?.[1] : undefined;
      const culprit = missing === undefined ? undefined : left.find((r) => requirementName(r) === normalizeName(missing));
      if (culprit === undefined) throw err;
      dropped.push(culprit);
      left = left.filter((r) => r !== culprit);
    }
  }
}

function requirementName(text: string): string | undefined {
  try {
    return normalizeName(parseRequirement(text).name);
  } catch {
    return undefined;
  }
}
