/**
 * An artifact that installs a top-level import name that belongs to another
 * popular project (`reqeusts` shipping `requests/`) replaces that project's
 * code for every program that imports it. The table of owners is derived from
 * real PyPI wheels by imports/make-popular-imports.py.
 */
// Imported (not read from disk) so that the build copies the table into dist/ with the code.
import popularImports from '../imports/popular-imports.json' with { type: 'json' };
import type { Hit, TopLevelNames } from '../subjects.js';

const table: Readonly<Record<string, readonly string[]>> = popularImports;

export function importHijack(subject: TopLevelNames): Hit[] {
  return subject.names.flatMap((name) => {
    const projects = Object.hasOwn(table, name) ? table[name] : undefined;
    if (projects === undefined || projects.includes(subject.project)) return [];
    return [{ snippet: `${name}/`, message: `installs the import name \`${name}\`, which belongs to ${projects.join(', ')}` }];
  });
}
