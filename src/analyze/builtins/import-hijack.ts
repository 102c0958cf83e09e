/**
 * An artifact that installs a top-level import name that belongs to another
 * popular project (`reqeusts` shipping `requests/`) replaces that project's
 * code for every program that imports it. The table of owners is derived from
 * real PyPI wheels by imports/make-popular-imports.py.
 */
import { readFileSync } from 'node:fs';
import type { Hit, TopLevelNames } from '../subjects.js';

let owners: Record<string, string[]> | undefined;

function popularImports(): Record<string, string[]> {
  owners ??= JSON.parse(readFileSync(new URL('../imports/popular-imports.json', import.meta.url), 'utf8')) as Record<string, string[]>;
  return owners;
}

export function importHijack(subject: TopLevelNames): Hit[] {
  const table = popularImports();
  return subject.names.flatMap((name) => {
    const projects = Object.hasOwn(table, name) ? table[name] : undefined;
    if (projects === undefined || projects.includes(subject.project)) return [];
    return [{ snippet: `${name}/`, message: `installs the import name \`${name}\`, which belongs to ${projects.join(', ')}` }];
  });
}
