/**
 * An installed environment: the `*.dist-info` (and legacy `*.egg-info`)
 * directories of site-packages, read through their METADATA / PKG-INFO
 * (core metadata). `--python PATH` asks that interpreter for its import path
 * (sys.path) and reads each directory on it; nothing is fetched.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseCoreMetadata } from '../pep/metadata.js';
import { normalizeName } from '../pep/name.js';
import { addLocked, emptySet, type DependencySet } from './dependency.js';
import { AuditInputError } from './errors.js';

/** The dependencies installed in the given site-packages directories; the first directory wins for a name. */
export function readInstalled(dirs: readonly string[]): DependencySet {
  const set = emptySet();
  const seen = new Set<string>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (err) {
      throw new AuditInputError(`cannot read the site-packages directory ${dir}`, { cause: err });
    }
    for (const entry of names.sort()) {
      const metadataFile = entry.endsWith('.dist-info') ? 'METADATA' : entry.endsWith('.egg-info') ? 'PKG-INFO' : null;
      if (metadataFile === null) continue;
      const path = join(dir, entry);
      const file = statSync(path).isDirectory() ? join(path, metadataFile) : path;
      if (!existsSync(file)) continue;
      const origin = join(dir, entry);
      let name: string;
      let version: string;
      try {
        const md = parseCoreMetadata(readFileSync(file));
        name = md.name;
        version = md.version;
      } catch (err) {
        set.unauditable.push({ name: entry, requirement: entry, reason: `unreadable metadata: ${(err as Error).message}`, origin });
        continue;
      }
      const key = normalizeName(name);
      if (seen.has(key)) continue;
      seen.add(key);
      addLocked(set, name, version, origin);
    }
  }
  return set;
}

/** The directories on an interpreter's sys.path, asked of the interpreter itself. */
export function importPathOf(python: string): string[] {
  // The interpreter's own path, not one this shell's PYTHONPATH adds, and not the current directory.
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONSAFEPATH: '1' };
  delete env.PYTHONPATH;
  delete env.PYTHONHOME;
  const r = spawnSync(python, ['-c', 'import json, sys; print(json.dumps([p for p in sys.path if p]))'], {
    encoding: 'utf8',
    timeout: 30_000,
    env,
  });
  if (r.error) throw new AuditInputError(`cannot run ${python}: ${r.error.message}`, { cause: r.error });
  if (r.status !== 0) throw new AuditInputError(`${python} exited with ${r.status}: ${r.stderr.trim()}`);
  let paths: unknown;
  try {
    paths = JSON.parse(r.stdout);
  } catch (err) {
    throw new AuditInputError(`${python} did not print its sys.path`, { cause: err });
  }
  if (!Array.isArray(paths)) throw new AuditInputError(`${python} did not print its sys.path`);
  return paths.filter((p): p is string => typeof p === 'string' && existsSync(p) && statSync(p).isDirectory());
}
