/**
 * Turns the paths given to `gatehouse scan` into scan inputs: wheel and sdist
 * files as they are, a directory of artifacts as the artifacts in it, and any
 * other directory as one unpacked source tree.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ScanInputError } from './errors.js';
import type { ArtifactKind } from './layout.js';

export interface ScanInput {
  path: string;
  kind: ArtifactKind;
}

const sdistPattern = /\.(tar\.gz|tgz|tar\.bz2|tar\.xz|tar|zip)$/i;

/** What a file is by its name; undefined when it is neither a wheel nor an sdist. */
export function artifactKindOf(path: string): 'wheel' | 'sdist' | undefined {
  if (/\.whl$/i.test(path)) return 'wheel';
  return sdistPattern.test(path) ? 'sdist' : undefined;
}

/** Files at the top of a directory that make it a project's source tree rather than a folder of artifacts. */
const projectMarkers = ['setup.py', 'pyproject.toml', 'setup.cfg', 'PKG-INFO'];

async function artifactsUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await artifactsUnder(path)));
    else if (entry.isFile() && artifactKindOf(entry.name)) out.push(path);
  }
  return out.sort();
}

export async function expandInputs(paths: readonly string[]): Promise<ScanInput[]> {
  const inputs: ScanInput[] = [];
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (info === undefined) throw new ScanInputError('scan.input-not-found', `${path} does not exist`);
    if (info.isFile()) {
      const kind = artifactKindOf(path);
      if (kind === undefined) {
        throw new ScanInputError('scan.input-unsupported', `${path} is not a wheel (.whl) or an sdist (.tar.gz, .zip); pass its directory to scan it as a source tree`);
      }
      inputs.push({ path, kind });
      continue;
    }
    if (!info.isDirectory()) throw new ScanInputError('scan.input-unsupported', `${path} is neither a file nor a directory`);
    const top = new Set(await readdir(path));
    const artifacts = projectMarkers.some((m) => top.has(m)) ? [] : await artifactsUnder(path);
    if (artifacts.length === 0) inputs.push({ path, kind: 'source-tree' });
    else inputs.push(...artifacts.map((p) => ({ path: p, kind: artifactKindOf(p)! })));
  }
  return inputs;
}
