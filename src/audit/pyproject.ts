/**
 * Pinned dependencies declared in `pyproject.toml`:
 * - PEP 621 `[project] dependencies` and `[project.optional-dependencies]`,
 *   and PEP 735 `[dependency-groups]` (PEP 508 strings; `{include-group}`
 *   entries only point at other groups, which are read anyway);
 * - Poetry's `[tool.poetry.dependencies]`, `dev-dependencies` and
 *   `group.<name>.dependencies`, where a bare version ("2.31.0") or "==2.31.0"
 *   is an exact pin, and `^`, `~`, ranges, `*` are not.
 * `python` in Poetry tables is the interpreter constraint, not a package.
 */
import { normalizeName } from '../pep/name.js';
import { parseRequirement } from '../pep/requirement.js';
import { Version } from '../pep/version.js';
import { addLocked, emptySet, type DependencySet } from './dependency.js';
import { AuditInputError } from './errors.js';
import { pinnedVersion } from './requirements.js';
import { parseTomlFile, str, table, type TomlTable } from './toml.js';

export function parsePyproject(text: string, origin: string): DependencySet {
  const doc = parseTomlFile(text, origin);
  const set = emptySet();
  const lines = text.split(/\r?\n/);
  /** The line that first mentions `needle`, so reports point into the file. */
  const at = (needle: string): string => {
    const i = lines.findIndex((l) => l.includes(needle));
    return i >= 0 ? `${origin}:${i + 1}` : origin;
  };
  const project = table(doc.project);
  const pep508: string[] = [];
  if (project) {
    pep508.push(...strings(project.dependencies));
    for (const group of Object.values(table(project['optional-dependencies']) ?? {})) pep508.push(...strings(group));
  }
  for (const group of Object.values(table(doc['dependency-groups']) ?? {})) pep508.push(...strings(group));
  for (const text508 of pep508) addPep508(set, text508, at(text508));

  const poetry = table(table(doc.tool)?.poetry);
  if (poetry) {
    const groups: TomlTable[] = [];
    for (const key of ['dependencies', 'dev-dependencies']) {
      const t = table(poetry[key]);
      if (t) groups.push(t);
    }
    for (const g of Object.values(table(poetry.group) ?? {})) {
      const t = table(table(g)?.dependencies);
      if (t) groups.push(t);
    }
    for (const deps of groups) {
      for (const [name, spec] of Object.entries(deps)) {
        if (normalizeName(name) === 'python') continue;
        addPoetry(set, name, spec, at(name));
      }
    }
  }
  return set;
}

function strings(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [];
}

function addPep508(set: DependencySet, text: string, origin: string): void {
  let req;
  try {
    req = parseRequirement(text);
  } catch (err) {
    throw new AuditInputError(`${origin}: ${(err as Error).message}`, { cause: err });
  }
  if (req.url) {
    set.unauditable.push({ name: req.name, requirement: text, reason: 'direct reference to a URL, not a release from an index', origin });
    return;
  }
  const pin = pinnedVersion(req.specifier);
  if (pin !== null) addLocked(set, req.name, pin, origin);
  else set.unauditable.push({ name: req.name, requirement: text, reason: 'not pinned to one version with ==', origin });
}

/** Poetry's dependency specification: a version constraint string, or a table with `version`, `git`, `path`, `url`. */
function addPoetry(set: DependencySet, name: string, spec: unknown, origin: string): void {
  const t = table(spec);
  const constraint = typeof spec === 'string' ? spec : str(t?.version);
  if (constraint === undefined) {
    const where = ['git', 'path', 'url'].find((k) => t !== undefined && k in t) ?? 'no version';
    set.unauditable.push({ name, requirement: `${name} (${where})`, reason: `${where === 'no version' ? 'no version' : `a ${where} source`}, not a release from an index`, origin });
    return;
  }
  const trimmed = constraint.trim();
  const exact = trimmed.startsWith('==') ? trimmed.slice(2).trim() : trimmed;
  if (!/[<>=!~^*,|\s]/.test(exact) && Version.tryParse(exact) !== null) addLocked(set, name, exact, origin);
  else set.unauditable.push({ name, requirement: `${name} = "${constraint}"`, reason: 'not pinned to one version', origin });
}
