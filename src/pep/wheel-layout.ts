/**
 * Where a wheel keeps its metadata (binary distribution format spec, PEP 427/491): one `{name}-{version}.dist-info/`
 * directory at the top of the archive, holding METADATA, WHEEL and RECORD.
 *
 * This is the one home of that rule. The upload check, the integrity check and the scanner all ask here, so none of
 * them can be shown a decoy `.dist-info` directory that the others ignore. pip refuses a wheel with no `.dist-info`
 * directory or with several ("multiple .dist-info directories found"); so does the upload check.
 */
import { normalizeName } from './name.js';
import { Version } from './version.js';

export type DistInfoProblem = 'none' | 'several' | 'mismatch';

export interface DistInfoLocation {
  /** Every top-level `*.dist-info` directory, in the order the archive lists them. */
  dirs: string[];
  /**
   * The wheel's own directory: the only one there is, or among several the one whose name and version match the
   * wheel's file name. Absent when there is none, or several and none matches.
   */
  dir?: string;
  /** What is wrong, when anything is: no directory, several, or one that names another project or version. */
  problem?: { code: DistInfoProblem; message: string };
}

export interface ExpectedDistribution {
  normalizedName: string;
  /** Any PEP 440 spelling; compared as versions, so `1.0` matches `1.0.0`. */
  version: string;
}

/** The top-level `*.dist-info` directories among archive paths (`a.dist-info/METADATA` gives `a.dist-info`). */
export function distInfoDirs(paths: Iterable<string>): string[] {
  const dirs = new Set<string>();
  for (const path of paths) {
    const slash = path.indexOf('/');
    if (slash > 0) {
      const top = path.slice(0, slash);
      if (top.endsWith('.dist-info')) dirs.add(top);
    }
  }
  return [...dirs];
}

/**
 * Whether `dir` is `{name}-{version}.dist-info` for the expected project and version. Build tools escape the name
 * differently (PEP 427), and old ones left a `-` in it (`foo-bar-1.0.dist-info`), so the stem is split at its first
 * and at its last dash, and compared by normalized name and by version.
 */
export function distInfoMatches(dir: string, expected: ExpectedDistribution): boolean {
  if (!dir.endsWith('.dist-info')) return false;
  const stem = dir.slice(0, -'.dist-info'.length);
  const want = Version.tryParse(expected.version);
  return [stem.indexOf('-'), stem.lastIndexOf('-')].some((dash) => {
    if (dash <= 0) return false;
    if (normalizeName(stem.slice(0, dash)) !== expected.normalizedName) return false;
    const version = Version.tryParse(stem.slice(dash + 1));
    return version !== null && want !== null ? version.equals(want) : stem.slice(dash + 1) === expected.version;
  });
}

/** Finds the wheel's `.dist-info` directory and says what is wrong with the layout, if anything. */
export function locateDistInfo(paths: Iterable<string>, expected?: ExpectedDistribution): DistInfoLocation {
  const dirs = distInfoDirs(paths);
  if (dirs.length === 0) return { dirs, problem: { code: 'none', message: 'the wheel has no top-level *.dist-info directory' } };
  const matching = expected ? dirs.filter((d) => distInfoMatches(d, expected)) : dirs;
  if (dirs.length > 1) {
    const location: DistInfoLocation = {
      dirs,
      problem: { code: 'several', message: `the wheel has ${dirs.length} *.dist-info directories (${dirs.join(', ')}); it must have exactly one` },
    };
    if (expected && matching.length === 1) location.dir = matching[0];
    return location;
  }
  const dir = dirs[0]!;
  if (expected && matching.length === 0) {
    return {
      dirs,
      dir,
      problem: {
        code: 'mismatch',
        message: `${dir} does not match the file name's project ${expected.normalizedName} ${expected.version} (PEP 427: {name}-{version}.dist-info)`,
      },
    };
  }
  return { dirs, dir };
}
