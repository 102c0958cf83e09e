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
import { parsePdmLock } from './pdmlock.js';
import { parsePipfileLock } from './pipfilelock.js';
import { parsePoetryLock } from './poetrylock.js';
import { parsePylock } from './pylock.js';
import { parsePyproject } from './pyproject.js';
import { pinnedVersion, readRequirementsFile } from './requirements.js';
import { parseUvLock } from './uvlock.js';

export type InputKind = 'requirements' | 'pylock' | 'uv.lock' | 'poetry.lock' | 'Pipfile.lock' | 'pdm.lock' | 'pyproject.toml';

const PARSERS: Record<Exclude<InputKind, 'requirements'>, (text: string, origin: string) => DependencySet> = {
  pylock: parsePylock,
  'uv.lock': parseUvLock,
  'poetry.lock': parsePoetryLock,
  'Pipfile.lock': parsePipfileLock,
  'pdm.lock': parsePdmLock,
  'pyproject.toml': parsePyproject,
};

/** PEP 751 names lock files `pylock.toml` or `pylock.<name>.toml`; the other tools use fixed names. */
export function detectKind(path: string): InputKind {
  const name = basename(path);
  if (/^pylock\.([^.]+\.)?toml$/.test(name)) return 'pylock';
  if (name === 'uv.lock' || name === 'poetry.lock' || name === 'Pipfile.lock' || name === 'pdm.lock' || name === 'pyproject.toml') return name;
  return 'requirements';
}

/** Reads an input file; its kind is detected from the name unless given (`-r` always means requirements). */
export function readInputFile(path: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd(), kind: InputKind = detectKind(path)): DependencySet {
  if (kind === 'requirements') return readRequirementsFile(path, env, cwd);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new AuditInputError(`cannot read ${path}`, { cause: err });
  }
  return PARSERS[kind](text, relative(cwd, path) || path);
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
