/**
 * `uv.lock`: `[[package]]` with `name`, `version` and `source`. Packages with
 * an `editable`, `virtual` or `directory` source are the project's own local
 * code, not releases from an index, so they are reported as unauditable.
 */
import { addLocked, emptySet, type DependencySet } from './dependency.js';
import { AuditInputError } from './errors.js';
import { parseTomlFile, str, table, tables } from './toml.js';

const LOCAL_SOURCES = ['editable', 'virtual', 'directory', 'path'] as const;

export function parseUvLock(text: string, origin: string): DependencySet {
  const doc = parseTomlFile(text, origin);
  if (doc.version === undefined) throw new AuditInputError(`${origin}: a uv.lock needs a top-level \`version\``);
  const set = emptySet();
  for (const pkg of tables(doc.package)) {
    const name = str(pkg.name);
    if (name === undefined) throw new AuditInputError(`${origin}: a [[package]] entry has no name`);
    const source = table(pkg.source) ?? {};
    const local = LOCAL_SOURCES.find((k) => k in source);
    if (local !== undefined) {
      set.unauditable.push({ name, requirement: `${name} (${local} = ${String(source[local])})`, reason: `local ${local} source, not a release from an index`, origin });
      continue;
    }
    addLocked(set, name, str(pkg.version), origin);
  }
  return set;
}
