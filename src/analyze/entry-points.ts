/**
 * The scripts an artifact installs: `[console_scripts]` and `[gui_scripts]`
 * of a wheel's entry_points.txt (the entry points specification on
 * packaging.python.org; an INI file), or `[project.scripts]` /
 * `[project.gui-scripts]` of an sdist's pyproject.toml (PEP 621).
 */
import { parse as parseToml } from 'smol-toml';
import { parseEntryPoints } from '../pep/entry-points.js';

const scriptSections = new Set(['console_scripts', 'gui_scripts']);

export function scriptsFromEntryPoints(text: string): Map<string, string> {
  return new Map(parseEntryPoints(text).filter((e) => scriptSections.has(e.group)).map((e) => [e.name, e.value]));
}

/** The `[project]` table of a pyproject.toml, or undefined when there is none or the file does not parse. */
function projectTable(text: string): Record<string, unknown> | undefined {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch {
    return undefined; // an unparsable pyproject.toml fails the build anyway; nothing gets installed
  }
  const project = doc.project;
  return typeof project === 'object' && project !== null ? (project as Record<string, unknown>) : undefined;
}

/** `[project].name` (PEP 621), for source trees that have no PKG-INFO. */
export function projectNameFromPyproject(text: string): string | undefined {
  const name = projectTable(text)?.name;
  return typeof name === 'string' ? name : undefined;
}

export function scriptsFromPyproject(text: string): Map<string, string> {
  const scripts = new Map<string, string>();
  const project = projectTable(text);
  if (project === undefined) return scripts;
  for (const key of ['scripts', 'gui-scripts']) {
    const table = project[key];
    if (typeof table !== 'object' || table === null) continue;
    for (const [name, target] of Object.entries(table)) if (typeof target === 'string') scripts.set(name, target);
  }
  return scripts;
}
