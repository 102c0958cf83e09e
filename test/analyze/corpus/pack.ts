/** Writes real wheels and sdists for tests, with Python's zipfile and tarfile (pack.py). */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runPythonJsonLines } from '../../helpers/python.js';

export interface ArtifactSpec {
  kind: 'wheel' | 'sdist';
  name: string;
  version: string;
  /** Path inside the artifact (below the sdist root) -> text. */
  files?: Record<string, string>;
  /** Core metadata headers; `Description` becomes the body. */
  metadata?: Record<string, string | string[]>;
  /** entry_points.txt of a wheel. */
  entryPoints?: string;
}

const script = fileURLToPath(new URL('./pack.py', import.meta.url));

/** Honest-looking metadata, so that metadata rules stay quiet unless a test asks otherwise. */
export const plainMetadata = {
  Summary: 'A package built by the Gatehouse test suite',
  Description: 'Built from a labelled sample to test the scanner.',
  'Author-email': 'Tests <tests@example.org>',
};

/**
 * Packs every spec into `dir` (or, with `ownFolders`, into `dir/<index>/`, for
 * specs that share a name and version) in one Python run, and returns the
 * artifact paths in order.
 */
export function packArtifacts(dir: string, specs: ArtifactSpec[], options: { ownFolders?: boolean } = {}): string[] {
  const inputs = specs.map((s, i) => ({
    kind: s.kind,
    dir: options.ownFolders ? join(dir, String(i)) : dir,
    name: s.name,
    version: s.version,
    files: s.files ?? {},
    metadata: s.metadata ?? plainMetadata,
    entry_points: s.entryPoints ?? null,
  }));
  const out = runPythonJsonLines(script, inputs) as string[];
  if (out.length !== specs.length) throw new Error(`pack.py wrote ${out.length} artifacts for ${specs.length} specs`);
  return out;
}
