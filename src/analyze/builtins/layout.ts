/**
 * Checks on what an artifact is made of, file by file name: code shipped in a
 * form nobody can review.
 */
import type { ArtifactLayout, Hit } from '../subjects.js';

/** Directories whose files are tests: a compiled fixture there is data. */
const testPath = /(^|\/)(tests?|testing|test_data|testdata|fixtures?)\//i;

/**
 * Compiled Python (`.pyc`) whose source is not shipped beside it: Python runs
 * it like the module it stands for, and nobody reading the artifact can see
 * what it does. Real wheels ship bytecode, if at all, next to its source.
 */
export function orphanBytecode(layout: ArtifactLayout): Array<Hit & { file: string }> {
  const paths = new Set(layout.paths);
  const hits: Array<Hit & { file: string }> = [];
  for (const path of layout.paths) {
    if (!path.endsWith('.pyc') || testPath.test(path)) continue;
    const m = /^(.*?)(?:__pycache__\/)?([^/]+?)(?:\.[\w-]+)?\.pyc$/.exec(path);
    if (m === null) continue;
    const source = `${m[1]}${m[2]}.py`;
    if (paths.has(source)) continue;
    hits.push({ file: path, snippet: `${path} (no ${source})`, message: `ships compiled Python without its source: ${path}` });
    if (hits.length >= 3) break;
  }
  return hits;
}

const nativeModule = /\.(?:so(?:\.\d+)*|pyd|dylib|dll)$/i;
const nativeSource = /\.(?:c|h|cc|cpp|cxx|hpp|pyx|pxd|rs|f|f90|for|go|zig|m|mm|swift|cu)$/i;

/**
 * A source distribution is built on the machine that installs it; one that
 * carries compiled extension modules or libraries and no source to build
 * them from ships native code that nobody can review or rebuild.
 */
export function prebuiltExtension(layout: ArtifactLayout): Array<Hit & { file: string }> {
  if (layout.kind !== 'sdist') return [];
  const binaries = layout.paths.filter((p) => nativeModule.test(p) && !testPath.test(p));
  if (binaries.length === 0 || layout.paths.some((p) => nativeSource.test(p))) return [];
  return binaries.slice(0, 3).map((path) => ({ file: path, snippet: path, message: `ships a prebuilt native module and no source to build it from: ${path}` }));
}
