/**
 * Distribution filenames: wheels (PEP 427, PEP 491, the binary distribution format spec) and source distributions
 * (PEP 625, the source distribution format spec).
 *
 * Parsing follows `packaging.utils.parse_wheel_filename` / `parse_sdist_filename`, which the tests use as the
 * oracle, except where those accept names that are not names at all (an empty or non-ASCII name part): a gateway
 * refuses those rather than serving them.
 */
import { InvalidFilenameError } from './errors.js';
import { isValidName, normalizeName } from './name.js';
import { Version } from './version.js';

export interface WheelTag {
  python: string;
  abi: string;
  platform: string;
}

export interface WheelFilename {
  kind: 'wheel';
  filename: string;
  /** The name part exactly as it appears in the file name (escaped: `_` for runs of `-_.`). */
  name: string;
  normalizedName: string;
  /** The version, normalized (PEP 440). */
  version: string;
  /** The version part exactly as it appears in the file name. */
  versionAsInFile: string;
  /** PEP 427: the build tag sorts by its leading number, then by the rest as a string. */
  buildTag: { number: number; rest: string } | null;
  /** Compressed tag sets (PEP 425: `py2.py3`) expanded, in the order the file name lists them. */
  pythonTags: string[];
  abiTags: string[];
  platformTags: string[];
  /** Every (python, abi, platform) combination the wheel claims, lower-cased as installers compare them. */
  tags(): WheelTag[];
}

/** Archive formats sdists have been published in; only `.tar.gz` conforms to PEP 625. */
export const SDIST_EXTENSIONS = ['.tar.gz', '.zip', '.tar.bz2', '.tar.xz', '.tgz', '.tbz', '.tar', '.tar.Z'] as const;
export type SdistExtension = (typeof SDIST_EXTENSIONS)[number];

export interface SdistFilename {
  kind: 'sdist';
  filename: string;
  /** The name part exactly as it appears in the file name. */
  name: string;
  normalizedName: string;
  /** The version, normalized (PEP 440). */
  version: string;
  versionAsInFile: string;
  extension: SdistExtension;
  /** True when the file name is not in PEP 625 form: `{escaped name}-{normalized version}.tar.gz`. */
  legacy: boolean;
}

export type DistFilename = WheelFilename | SdistFilename;

/** The binary distribution format spec's name part: ASCII letters, digits, `_` and `.` (older tools kept `.`). */
const WHEEL_NAME_PART = /^[A-Za-z0-9](?:[A-Za-z0-9._]*[A-Za-z0-9])?$/;
/** PEP 427: "The build number must start with a digit." */
const BUILD_TAG = /^(\d+)(.*)$/s;

function invalid(filename: string, reason: string): InvalidFilenameError {
  return new InvalidFilenameError(filename, reason);
}

function parseVersionPart(filename: string, part: string, hint = ''): string {
  const version = Version.tryParse(part);
  if (version === null) throw invalid(filename, `"${part}" is not a valid PEP 440 version${hint}`);
  return version.toString();
}

/**
 * PEP 425 tags are made of letters, digits and `_` (platform names have `-` and `.` replaced by `_`), so a tag
 * with anything else (`/`, a space) is refused: a file name is also a storage path.
 */
const TAG = /^[A-Za-z0-9_]+$/;

function splitTagSet(filename: string, what: string, part: string): string[] {
  const tags = part.split('.');
  if (tags.some((t) => t.length === 0)) throw invalid(filename, `the ${what} tag set "${part}" has an empty tag`);
  const bad = tags.find((t) => !TAG.test(t));
  if (bad !== undefined) throw invalid(filename, `the ${what} tag "${bad}" may only have letters, digits and "_"`);
  return tags;
}

/** Parses `{name}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl`. */
export function parseWheelFilename(filename: string): WheelFilename {
  if (!filename.endsWith('.whl')) throw invalid(filename, 'a wheel file name must end with ".whl"');
  const parts = filename.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) {
    throw invalid(
      filename,
      `a wheel file name has 5 or 6 dash-separated parts, this one has ${parts.length} ` +
        '(a "-" inside the name or version must be escaped as "_")',
    );
  }
  const [name = '', versionPart = ''] = parts;
  if (!WHEEL_NAME_PART.test(name) || name.includes('__')) {
    throw invalid(filename, `"${name}" is not a validly escaped project name`);
  }
  // With six parts, a bad version is most often a name with an unescaped `-` (`foo-bar-1.0-py3-none-any.whl`).
  const hint = parts.length === 6 ? ' (a "-" inside the name must be escaped as "_")' : '';
  const version = parseVersionPart(filename, versionPart, hint);
  let buildTag: WheelFilename['buildTag'] = null;
  if (parts.length === 6) {
    const match = BUILD_TAG.exec(parts[2] ?? '');
    if (match === null) throw invalid(filename, `the build tag "${parts[2]}" must start with a digit`);
    buildTag = { number: Number(match[1]), rest: match[2] ?? '' };
  }
  const tagParts = parts.slice(-3);
  const pythonTags = splitTagSet(filename, 'python', tagParts[0] ?? '');
  const abiTags = splitTagSet(filename, 'abi', tagParts[1] ?? '');
  const platformTags = splitTagSet(filename, 'platform', tagParts[2] ?? '');
  return {
    kind: 'wheel',
    filename,
    name,
    normalizedName: normalizeName(name),
    version,
    versionAsInFile: versionPart,
    buildTag,
    pythonTags,
    abiTags,
    platformTags,
    tags() {
      const out: WheelTag[] = [];
      for (const python of pythonTags) {
        for (const abi of abiTags) {
          for (const platform of platformTags) {
            out.push({ python: python.toLowerCase(), abi: abi.toLowerCase(), platform: platform.toLowerCase() });
          }
        }
      }
      return out;
    },
  };
}

function sdistExtension(filename: string): SdistExtension | null {
  for (const ext of SDIST_EXTENSIONS) if (filename.endsWith(ext)) return ext;
  return null;
}

/**
 * Parses `{name}-{version}{extension}`.
 *
 * A PEP 440 version in normalized form has no `-`, so without `projectName` the stem is split at its last dash (as
 * `packaging` does). Legacy names can have dashes in both halves (`foo-bar-1.0-1`, where `1.0-1` is `1.0.post1`);
 * given the project name, the split is where the name part normalizes to the project's name.
 */
export function parseSdistFilename(filename: string, projectName?: string): SdistFilename {
  const extension = sdistExtension(filename);
  if (extension === null) {
    throw invalid(filename, `an sdist file name must end with one of ${SDIST_EXTENSIONS.join(', ')}`);
  }
  const stem = filename.slice(0, -extension.length);
  let name: string;
  let versionPart: string;
  if (projectName === undefined) {
    const dash = stem.lastIndexOf('-');
    if (dash < 0) throw invalid(filename, 'an sdist file name must separate name and version with "-"');
    name = stem.slice(0, dash);
    versionPart = stem.slice(dash + 1);
  } else {
    const wanted = normalizeName(projectName);
    let dash = stem.indexOf('-');
    while (dash >= 0 && normalizeName(stem.slice(0, dash)) !== wanted) dash = stem.indexOf('-', dash + 1);
    if (dash < 0) throw invalid(filename, `the file name does not start with the project name "${projectName}"`);
    name = stem.slice(0, dash);
    versionPart = stem.slice(dash + 1);
  }
  if (!isValidName(name)) throw invalid(filename, `"${name}" is not a valid project name`);
  const version = parseVersionPart(filename, versionPart);
  const legacy =
    extension !== '.tar.gz' || name !== wheelFilenameEscape(name, 'name') || versionPart !== version;
  return {
    kind: 'sdist',
    filename,
    name,
    normalizedName: normalizeName(name),
    version,
    versionAsInFile: versionPart,
    extension,
    legacy,
  };
}

/** A wheel when the name ends with `.whl`, otherwise an sdist. */
export function parseDistFilename(filename: string, projectName?: string): DistFilename {
  if (filename.endsWith('.whl')) {
    const wheel = parseWheelFilename(filename);
    if (projectName !== undefined && wheel.normalizedName !== normalizeName(projectName)) {
      throw invalid(filename, `the wheel is for "${wheel.normalizedName}", not for "${projectName}"`);
    }
    return wheel;
  }
  return parseSdistFilename(filename, projectName);
}

/** A wheel with no compiled part: every tag is ABI `none` on platform `any` (PEP 425). */
export function isPurePythonWheel(wheel: WheelFilename): boolean {
  return wheel.abiTags.every((t) => t === 'none') && wheel.platformTags.every((t) => t === 'any');
}

/**
 * Escapes a name or a version for use in a wheel or PEP 625 sdist file name (binary distribution format spec):
 * a name has each run of `-`, `_` and `.` replaced by `_` and is lower-cased; a version is normalized, which
 * leaves no `-` in it. Throws InvalidFilenameError for a version that is not PEP 440.
 */
export function wheelFilenameEscape(nameOrVersion: string, component: 'name' | 'version' = 'name'): string {
  if (component === 'version') {
    const version = Version.tryParse(nameOrVersion);
    if (version === null) throw invalid(nameOrVersion, `"${nameOrVersion}" is not a valid PEP 440 version`);
    return version.toString();
  }
  return nameOrVersion.replace(/[-_.]+/g, '_').toLowerCase();
}

/**
 * What makes two files of one release the same file, whatever their spelling (`Demo-2.128-py3-none-any.whl`,
 * `demo-2.128.0-py3-none-any.whl`): an sdist is the release's only sdist (warehouse allows one per release, in
 * any format), and a wheel is its build tag and its tag sets, compared as installers compare them (lower case,
 * a compressed set in any order). The project and the release are the caller's to add.
 */
export function distributionIdentity(dist: DistFilename): string {
  if (dist.kind === 'sdist') return 'sdist';
  const set = (tags: readonly string[]): string => [...new Set(tags.map((t) => t.toLowerCase()))].sort().join('.');
  const build = dist.buildTag === null ? '' : `${dist.buildTag.number}${dist.buildTag.rest}`;
  return `wheel ${build}-${set(dist.pythonTags)}-${set(dist.abiTags)}-${set(dist.platformTags)}`;
}
