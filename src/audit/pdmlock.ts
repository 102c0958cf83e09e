/**
 * `pdm.lock`: `[[package]]` with `name` and `version`; a package locked once
 * per extra (`extras = [...]`) appears several times and is audited once.
 * `editable` / `path` packages are local code, reported as unauditable.
 */
import { addLocked, emptySet, type DependencySet } from './dependency.js';
import { AuditInputError } from './errors.js';
import { parseTomlFile, str, table, tables } from './toml.js';

export function parsePdmLock(text: string, origin: string): DependencySet {
  const doc = parseTomlFile(text, origin);
  if (table(doc.metadata) === undefined) throw new AuditInputError(`${origin}: a pdm.lock needs a [metadata] table`);
  const set = emptySet();
  const seen = new Set<string>();
  for (const pkg of tables(doc.package)) {
    const name = str(pkg.name);
    if (name === undefined) throw new AuditInputError(`${origin}: a [[package]] entry has no name`);
    const version = str(pkg.version);
    const key = `${name}\0${version ?? ''}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const path = str(pkg.path);
    if (pkg.editable === true || path !== undefined) {
      set.unauditable.push({ name, requirement: `${name} (${path ?? 'editable'})`, reason: 'local path source, not a release from an index', origin });
      continue;
    }
    addLocked(set, name, version, origin);
  }
  return set;
}
