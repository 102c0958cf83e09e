/**
 * Where code runs, which decides how much a capability means. `setup.py` runs
 * at install time (every statement of it: cmdclass overrides are called by the
 * installer); the module level of a package runs at import time, and so do the
 * local functions it calls; a function body runs when called. Tests, docs,
 * examples and release scripts ship in an sdist but neither get installed nor
 * run at install time: they are `unshipped`.
 */
export type ExecutionContext = 'install' | 'import' | 'call' | 'unshipped';

export const executionContexts: readonly ExecutionContext[] = ['install', 'import', 'call', 'unshipped'];

/** What part a file plays in the artifact, before looking at its statements. */
export type FileRole = 'setup' | 'package' | 'unshipped';

const unshippedDirs = new Set([
  'test', 'tests', 'testing', 'doc', 'docs', 'example', 'examples', 'benchmark', 'benchmarks', 'bench', 'demo', 'demos',
  'sample', 'samples', 'tools', 'tool', 'scripts', 'ci', '.github', '.circleci', 'tasks', 'dev', 'devtools', 'notebooks',
  'tutorial', 'tutorials', 'contrib', 'misc', 'util', 'utils', 'maint', 'maint_tools', 'release', 'build_tools', 'fuzz',
  'fuzzing', 'asv_bench', 'perf', 'stress', 'integration',
]);
const unshippedFiles = /^(conftest|noxfile|tasks|fabfile|release|make_release|bootstrap|dodo|runtests|run_tests|pavement|build_docs|conf)\.py$|^test_.*\.py$|_test\.py$/;
/** Directories whose name marks test code at any depth, even inside a package. */
const testDirs = new Set(['test', 'tests', 'testing', 'unittests', 'unit_tests', 'test_data', 'testdata']);

/**
 * The role of `path` (relative to the artifact's root, `src/` layouts
 * included). Only the first directory decides `unshipped` for an sdist or a
 * tree, and not when it is a package (`packages`: the first-level directories
 * that hold an `__init__.py`): a package may well be called `utils` or
 * `tools`, and malware names its package so to pass for tooling. Test
 * directories and test file names decide it at any depth.
 */
export function fileRole(path: string, kind: 'wheel' | 'sdist' | 'source-tree', packages: ReadonlySet<string> = noPackages): FileRole {
  const parts = path.split('/');
  const name = parts[parts.length - 1]!;
  if (kind !== 'wheel' && name === 'setup.py' && parts.length <= 2) return 'setup';
  if (unshippedFiles.test(name) && !(parts.length === 1 && kind === 'wheel')) return 'unshipped';
  if (parts.slice(0, -1).some((p) => testDirs.has(p.toLowerCase()))) return 'unshipped';
  if (kind !== 'wheel' && parts.length > 1 && unshippedDirs.has(parts[0]!.toLowerCase()) && !packages.has(parts[0]!)) return 'unshipped';
  return 'package';
}

const noPackages: ReadonlySet<string> = new Set();

/** The first-level directories of `paths` (relative to the artifact's root) that are packages: they hold an `__init__.py`. */
export function firstLevelPackages(paths: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const p of paths) {
    const m = /^([^/]+)\/__init__\.py$/.exec(p);
    if (m !== null) out.add(m[1]!);
  }
  return out;
}
