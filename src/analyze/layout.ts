/**
 * Where things sit inside an sdist or a source tree, and the top-level import
 * names an artifact installs. A wheel's `.dist-info` directory is found by
 * `pep/wheel-layout.ts`.
 */
export type ArtifactKind = 'wheel' | 'sdist' | 'source-tree';

/** The single directory every path of an sdist starts with (`name-1.0/`), or '' when there is none. */
export function commonRoot(paths: readonly string[]): string {
  const first = paths[0]?.split('/')[0];
  if (first === undefined || first === '') return '';
  return paths.every((p) => p.startsWith(`${first}/`)) ? `${first}/` : '';
}

/**
 * Top-level import names: regular packages (`X/__init__.py`) and modules
 * (`X.py`, `X.*.so`) at the top of what gets installed. Implicit namespace
 * packages are shared by design and not counted. In an sdist or a source
 * tree the top is the root, or `src/` for the src layout.
 */
export function topLevelNames(kind: ArtifactKind, paths: readonly string[]): string[] {
  const root = kind === 'sdist' ? commonRoot(paths) : '';
  const names = new Set<string>();
  for (const full of paths) {
    let parts = full.slice(root.length).split('/');
    if (kind === 'wheel' && parts[0]?.endsWith('.data') && (parts[1] === 'purelib' || parts[1] === 'platlib')) parts = parts.slice(2);
    else if (kind !== 'wheel' && parts[0] === 'src') parts = parts.slice(1);
    let module: string | undefined;
    if (parts.length === 2 && parts[1] === '__init__.py') module = parts[0];
    else if (parts.length === 1 && /\.(py|so|pyd)$/.test(parts[0]!) && parts[0] !== 'setup.py') module = parts[0]!.split('.')[0];
    if (module !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(module)) names.add(module);
  }
  return [...names].sort();
}
