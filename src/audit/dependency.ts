/**
 * What every input parser produces: pinned dependencies to audit, and the
 * requirements that cannot be audited because they name no single version
 * (an unpinned requirement is reported, never guessed).
 */
import { Version } from '../pep/version.js';

export interface PinnedDependency {
  /** The name as written in the input. */
  name: string;
  version: string;
  /** Where it was found, for example `requirements.txt:12` or `poetry.lock`. */
  origin: string;
  /** `version` parsed, when the reader already did (addLocked does, to check it): the audit parses it otherwise. */
  parsed?: Version;
}

export interface UnauditableDependency {
  name: string;
  /** What the input says, for example `requests>=2` or `git+https://…`. */
  requirement: string;
  reason: string;
  origin: string;
}

export interface DependencySet {
  pinned: PinnedDependency[];
  unauditable: UnauditableDependency[];
}

export function emptySet(): DependencySet {
  return { pinned: [], unauditable: [] };
}

export function mergeSets(sets: readonly DependencySet[]): DependencySet {
  return { pinned: sets.flatMap((s) => s.pinned), unauditable: sets.flatMap((s) => s.unauditable) };
}

/**
 * Adds a name/version pair from a lock file: a version that is not PEP 440
 * cannot be matched against advisories, so it is reported instead.
 */
export function addLocked(set: DependencySet, name: string, version: string | undefined, origin: string, why = 'no version'): void {
  if (version === undefined || version === '') {
    set.unauditable.push({ name, requirement: name, reason: why, origin });
    return;
  }
  const parsed = Version.tryParse(version);
  if (parsed === null) set.unauditable.push({ name, requirement: `${name} ${version}`, reason: `"${version}" is not a PEP 440 version`, origin });
  else set.pinned.push({ name, version, origin, parsed });
}
