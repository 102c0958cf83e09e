/** What the host reads of an sdist before building it: its build requirements (PEP 517/518), without running anything. */
import { parse as parseToml } from 'smol-toml';
import { readArchive } from '../archive/index.js';

export interface BuildSystem {
  requires: string[];
  backend: string;
  backendPath: string[];
  /** PEP 517's fallback applied: no pyproject.toml, or no build-backend in it. */
  fallback: boolean;
}

/** The fallback PEP 517 prescribes, and pip uses, for projects that do not name a backend. */
const legacyRequires = ['setuptools>=40.8.0'];
const legacyBackend = 'setuptools.build_meta:__legacy__';

/**
 * Reads `[build-system]` from the sdist's top-level pyproject.toml; a problem is returned as its reason, never thrown.
 * An archive we do not read (bzip2, xz: legacy sdists) gets PEP 517's fallback, and the driver inside unpacks it.
 */
export async function readBuildSystem(sdist: string): Promise<BuildSystem | { problem: string }> {
  const contents = await readArchive(sdist, { want: (e) => /^(?:\.\/)?(?:[^/]+\/)?pyproject\.toml$/.test(e.path) });
  if (contents.entries.length === 0) {
    if (/\.(tar\.bz2|tbz|tar\.xz)$/i.test(sdist)) return { requires: legacyRequires, backend: legacyBackend, backendPath: [], fallback: true };
    return { problem: `${contents.findings[0]?.message ?? 'the archive is empty'}` };
  }
  const top = new Set(contents.entries.map((e) => e.path.replace(/^\.\//, '').split('/')[0]));
  const root = top.size === 1 ? `${[...top][0]}/` : '';
  const file = [...contents.files.entries()].find(([p]) => p.replace(/^\.\//, '') === `${root}pyproject.toml`)?.[1];
  if (file === undefined) return { requires: legacyRequires, backend: legacyBackend, backendPath: [], fallback: true };
  let table: Record<string, unknown>;
  try {
    table = (parseToml(file.toString('utf8'))['build-system'] ?? {}) as Record<string, unknown>;
  } catch (err) {
    return { problem: `pyproject.toml is not valid TOML: ${(err as Error).message}` };
  }
  const requires = table.requires;
  if (requires !== undefined && (!Array.isArray(requires) || !requires.every((r) => typeof r === 'string'))) {
    return { problem: 'build-system.requires in pyproject.toml is not a list of strings' };
  }
  const backend = table['build-backend'];
  if (backend === undefined) return { requires: (requires as string[] | undefined) ?? legacyRequires, backend: legacyBackend, backendPath: [], fallback: true };
  if (typeof backend !== 'string') return { problem: 'build-system.build-backend in pyproject.toml is not a string' };
  if (requires === undefined) return { problem: 'build-system in pyproject.toml names a backend but no requires (PEP 518)' };
  const backendPath = table['backend-path'] ?? [];
  if (!Array.isArray(backendPath) || !backendPath.every((p) => typeof p === 'string')) return { problem: 'build-system.backend-path is not a list of strings' };
  return { requires: requires as string[], backend, backendPath: backendPath as string[], fallback: false };
}
