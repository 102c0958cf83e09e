/**
 * Which parser reads which input: lock files and pyproject.toml by their file
 * name, anything else as a pip requirements file; `name==version` arguments;
 * installed environments.
 */
import { readFileSync } from 'node:fs';
import { basename, relative } from 'node:path';
import { parseRequirement } from '../pep/requirement.js';
import { addLocked, emptySet, type DependencySet } from './dependency.js';
import { AuditInputError } from './errors.js';
import { pinnedVersion, readRequirementsFile } from './requirements.js';

export type InputKind = 'requirements' | 'pylock' | 'uv.lock' | 'poetry.lock' | 'Pipfile.lock' | 'pdm.lock' | 'pyproject.toml';

type Parser = (text: string, origin: string) => DependencySet;

/** Each parser is loaded when a file of its kind is read: a requirements-only audit never loads a TOML parser. */
const PARSERS: Record<Exclude<InputKind, 'requirements'>, () => Promise<Parser>> = {
  pylock: async () => (await import('./pylock.js')).parsePylock,
  'uv.lock': async () => (await import('./uvlock.js')).parseUvLock,
  'poetry.lock': async () => (await import('./poetrylock.js')).parsePoetryLock,
  'Pipfile.lock': async () => (await import('./pipfilelock.js')).parsePipfileLock,
  'pdm.lock': async () => (await import('./pdmlock.js')).parsePdmLock,
  'pyproject.toml': async () => (await import('./pyproject.js')).parsePyproject,
};

/** PEP 751 names lock files `pylock.toml` or `pylock.<name>.toml`; the other tools use fixed names. */
export function detectKind(path: string): InputKind {
  const name = basename(path);
  if (/^pylock\.([^.]+\.)?toml$/.test(name)) return 'pylock';
  if (name === 'uv.lock' || name === 'poetry.lock' || name === 'Pipfile.lock' || name === 'pdm.lock' || name === 'pyproject.toml') return name;
  return 'requirements';
}

/** Reads an input file; its kind is detected from the name unless given (`-r` always means requirements). */
export async function readInputFile(
  path: string,
  env: NodeJS.ProcessEnv = process.env,
  cwd = process.cwd(),
  kind: InputKind = detectKind(path),
): Promise<DependencySet> {
  if (kind === 'requirements') return readRequirementsFile(path, env, cwd);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AuditInputError(`cannot read ${path}`, { cause: err });
  }
  return (await PARSERS[kind]())(text, relative(cwd, path) || path);
}

/** A `name==version` command-line argument. */
export function readPinArgument(text: string): DependencySet {
  const set = emptySet();
  let req;
  try {
    req = parseRequirement(text);
  } catch (err) {
    throw new AuditInputError(`${JSON.stringify(text)} is not a requirement: ${(err as Error).message}`, { cause: err });
  }
  const pin = req.url ? null : pinnedVersion(req.specifier);
  if (pin === null) throw new AuditInputError(`${JSON.stringify(text)}: give an exact version, as in ${req.name}==1.2.3`);
  addLocked(set, req.name, pin, 'command line');
  return set;
}
