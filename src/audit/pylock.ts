/**
 * `pylock.toml` (PEP 751): `[[packages]]` with `name` and `version`. The
 * version is optional for packages that come from a VCS, a directory or an
 * archive URL; those cannot be audited by version.
 */
import { addLocked, emptySet, type DependencySet } from './dependency.js';
import { AuditInputError } from './errors.js';
import { parseTomlFile, str, table, tables } from './toml.js';

export function parsePylock(text: string, origin: string): DependencySet {
  const doc = parseTomlFile(text, origin);
  const lockVersion = str(doc['lock-version']);
  if (lockVersion === undefined) throw new AuditInputError(`${origin}: a pylock.toml needs \`lock-version\` (PEP 751)`);
  if (!lockVersion.startsWith('1.')) throw new AuditInputError(`${origin}: lock-version ${lockVersion} is not supported (PEP 751 defines 1.x)`);
  const set = emptySet();
  for (const pkg of tables(doc.packages)) {
    const name = str(pkg.name);
    if (name === undefined) throw new AuditInputError(`${origin}: a [[packages]] entry has no name`);
    const source = table(pkg.vcs) ? 'a VCS checkout' : table(pkg.directory) ? 'a local directory' : table(pkg.archive) ? 'an archive URL' : 'an unknown source';
    addLocked(set, name, str(pkg.version), origin, `no version: it comes from ${source}`);
  }
  return set;
}
