/**
 * pip's requirements-file format (pip "Requirements File Format"): line
 * continuations with a trailing `\`, `#` comments, `${VAR}` environment
 * variables, `-r`/`--requirement` and `-c`/`--constraint` includes (paths
 * relative to the including file), `-e` editables, global options, and
 * per-requirement options such as `--hash`. Each requirement is PEP 508.
 *
 * A requirement is pinned when its only specifier is `==V` (no wildcard) or
 * `===V`; a constraint file's pin also pins a requirement of the same name.
 * Anything else is reported as unauditable, never guessed.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve, relative } from 'node:path';
import { parseSdistFilename, parseWheelFilename } from '../pep/filename.js';
import { normalizeName } from '../pep/name.js';
import { parseRequirement } from '../pep/requirement.js';
import type { SpecifierSet } from '../pep/specifier.js';
import { addLocked, emptySet, type DependencySet } from './dependency.js';
import { AuditInputError } from './errors.js';

/** A logical line: continuations joined, comment removed; `line` is its first physical line (1-based). */
export interface LogicalLine {
  text: string;
  line: number;
  /** The last physical line (1-based) that belongs to it. */
  endLine: number;
}

/** pip: a `#` at the start of a line or after whitespace starts a comment. */
const COMMENT = /(^|\s+)#.*$/;
/** pip only expands `${NAME}` with NAME of upper-case letters, digits and underscores. */
const ENV_VAR = /\$\{([A-Z0-9_]+)\}/g;

export function logicalLines(text: string): LogicalLine[] {
  // pip's join_lines, then ignore_comments: a line ending in `\` continues on the next one, unless it is
  // itself a comment line; the joined line takes the number of its first physical line.
  const physical = text.split(/\r?\n/);
  const joined: LogicalLine[] = [];
  let parts: string[] = [];
  let start = 0;
  physical.forEach((raw, i) => {
    const isComment = /^\s*#/.test(raw);
    if (!raw.endsWith('\\') || isComment) {
      const line = isComment ? ` ${raw}` : raw;
      if (parts.length > 0) {
        joined.push({ text: parts.join('') + line, line: start, endLine: i + 1 });
        parts = [];
      } else {
        joined.push({ text: line, line: i + 1, endLine: i + 1 });
      }
    } else {
      if (parts.length === 0) start = i + 1;
      parts.push(raw.replace(/^\\+|\\+$/g, ''));
    }
  });
  if (parts.length > 0) joined.push({ text: parts.join(''), line: start, endLine: physical.length });
  return joined
    .map((l) => ({ ...l, text: l.text.replace(COMMENT, '').trim() }))
    .filter((l) => l.text.length > 0);
}

export function expandEnv(text: string, env: NodeJS.ProcessEnv): string {
  return text.replace(ENV_VAR, (whole, name: string) => env[name] ?? whole);
}

/** The version a specifier set pins exactly, or null. */
export function pinnedVersion(specifier: SpecifierSet): string | null {
  if (specifier.specifiers.length !== 1) return null;
  const only = specifier.specifiers[0];
  if (only === undefined) return null;
  if (only.operator === '===' || (only.operator === '==' && !only.version.endsWith('.*'))) return only.version;
  return null;
}

/** The short options pip accepts in a requirements file besides -r, -c and -e. */
const SHORT_OPTIONS = new Set(['-i', '-f']);

/** One requirement of a requirements file, as pip's parser yields it: the text before any option. */
export interface RequirementLine {
  /** The file it is in, relative to the working directory. */
  file: string;
  line: number;
  requirement: string;
  /** From a `-c` constraints file (or a file included from one). */
  constraint: boolean;
  editable: boolean;
}

/** Every requirement line of a file and of the files it includes, in pip's order (includes in place). */
export function readRequirementLines(path: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): RequirementLine[] {
  const out: RequirementLine[] = [];
  readInto(resolve(cwd, path), false, [], { out, env, cwd });
  return out;
}

interface ReadState {
  out: RequirementLine[];
  env: NodeJS.ProcessEnv;
  cwd: string;
}

function readInto(file: string, constraint: boolean, stack: string[], state: ReadState): void {
  if (stack.includes(file)) throw new AuditInputError(`requirements include cycle: ${[...stack, file].map((f) => relative(state.cwd, f)).join(' -> ')}`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const from = stack.length ? ` (included from ${relative(state.cwd, stack[stack.length - 1] as string)})` : '';
    throw new AuditInputError(`cannot read requirements file ${relative(state.cwd, file) || file}${from}`, { cause: err });
  }
  const shown = relative(state.cwd, file) || file;
  for (const { text: raw, line } of logicalLines(text)) {
    const lineText = expandEnv(raw, state.env);
    const include = /^(-r|--requirement|-c|--constraint)(?:\s*=\s*|\s+|(?=[^\s-]))(.+)$/.exec(lineText);
    if (include) {
      const nested = resolve(dirname(file), (include[2] as string).trim());
      readInto(nested, constraint || include[1] === '-c' || include[1] === '--constraint', [...stack, file], state);
      continue;
    }
    const editable = /^(-e|--editable)(?:\s*=\s*|\s+)(.+)$/.exec(lineText);
    if (editable) {
      state.out.push({ file: shown, line, requirement: (editable[2] as string).trim(), constraint, editable: true });
      continue;
    }
    if (lineText.startsWith('-')) {
      const option = lineText.split(/[\s=]/, 1)[0] as string;
      if (!option.startsWith('--') && !SHORT_OPTIONS.has(option.slice(0, 2))) {
        throw new AuditInputError(`${shown}:${line}: unknown option ${option}`);
      }
      continue;
    }
    state.out.push({ file: shown, line, requirement: requirementPart(lineText), constraint, editable: false });
  }
}

/** The requirement before any per-requirement option (`--hash=…`, `--config-settings …`). */
function requirementPart(line: string): string {
  const m = /\s+--?[A-Za-z]/.exec(line);
  return (m ? line.slice(0, m.index) : line).trim();
}

interface Pending {
  name: string;
  text: string;
  origin: string;
  specifier: SpecifierSet;
}

/** Reads a requirements file and everything it includes, and sorts its requirements into pinned and unauditable. */
export function readRequirementsFile(path: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): DependencySet {
  const set = emptySet();
  const pending: Pending[] = [];
  const constraints = new Map<string, { version: string; origin: string }>();
  for (const r of readRequirementLines(path, env, cwd)) {
    const origin = `${r.file}:${r.line}`;
    const text = r.requirement;
    if (r.editable) {
      if (!r.constraint) {
        const name = /[#&]egg=([^&\s]+)/.exec(text)?.[1] ?? text;
        set.unauditable.push({ name, requirement: `-e ${text}`, reason: 'editable install of local or VCS code', origin });
      }
      continue;
    }
    const archive = archiveName(text);
    if (archive !== null) {
      if (r.constraint) continue;
      if (archive.version !== null) addLocked(set, archive.name, archive.version, origin);
      else set.unauditable.push({ name: text, requirement: text, reason: 'a path or URL whose file name names no version', origin });
      continue;
    }
    let req;
    try {
      req = parseRequirement(text);
    } catch (err) {
      throw new AuditInputError(`${origin}: ${(err as Error).message}`, { cause: err });
    }
    if (r.constraint) {
      const pin = req.url ? null : pinnedVersion(req.specifier);
      if (pin !== null) constraints.set(normalizeName(req.name), { version: pin, origin });
      continue;
    }
    if (req.url) {
      const fromFile = archiveName(req.url);
      if (fromFile?.version) addLocked(set, req.name, fromFile.version, origin);
      else set.unauditable.push({ name: req.name, requirement: text, reason: 'direct reference to a URL, not a release from an index', origin });
      continue;
    }
    pending.push({ name: req.name, text, origin, specifier: req.specifier });
  }
  // A constraint applies wherever it appears in the file tree, so pins are decided after reading everything.
  for (const p of pending) {
    const pin = pinnedVersion(p.specifier);
    const constrained = constraints.get(normalizeName(p.name));
    if (pin !== null) addLocked(set, p.name, pin, p.origin);
    else if (constrained) addLocked(set, p.name, constrained.version, constrained.origin);
    else set.unauditable.push({ name: p.name, requirement: p.text, reason: 'not pinned to one version with == (and no constraint pins it)', origin: p.origin });
  }
  return set;
}

/** A requirement that is a path or URL to a wheel or sdist: its name and version from the file name. */
function archiveName(text: string): { name: string; version: string | null } | null {
  const looksLikePath = /^(\.{1,2}[\\/]|[\\/]|[A-Za-z][A-Za-z0-9+.-]*:\/\/|file:)/.test(text);
  if (!looksLikePath) return null;
  const file = decodeURIComponent(text.split(/[?#]/, 1)[0]?.split('/').pop() ?? '');
  try {
    if (file.endsWith('.whl')) {
      const w = parseWheelFilename(file);
      return { name: w.name, version: w.version.toString() };
    }
    const s = parseSdistFilename(file);
    return { name: s.name, version: s.version.toString() };
  } catch {
    return { name: text, version: null };
  }
}
