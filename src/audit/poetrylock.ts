/**
 * `poetry.lock`, lock-version 1.x (`[metadata.files]`, `category`) and 2.x
 * (`files` inline, `groups`): `[[package]]` with `name` and `version`.
 * `directory` and `file` sources are local code, reported as unauditable;
 * `git`, `url` and `legacy` (another index) sources keep their version.
 */
import { addLocked, emptySet, type DependencySet } from './dependency.js';
import { AuditInputError } from './errors.js';
import { parseTomlFile, str, table, tables } from './toml.js';

export function parsePoetryLock(text: string, origin: string): DependencySet {
  const doc = parseTomlFile(text, origin);
  const lockVersion = str(table(doc.metadata)?.['lock-version']);
  if (lockVersion === undefined) throw new AuditInputError(`${origin}: a poetry.lock needs [metadata] lock-version`);
  if (!/^[12]\./.test(lockVersion)) throw new AuditInputError(`${origin}: poetry lock-version ${lockVersion} is not supported (1.x and 2.x are)`);
  const set = emptySet();
  for (const pkg of tables(doc.package)) {
    const name = str(pkg.name);
    if (name === undefined) throw new AuditInputError(`${origin}: a [[package]] entry has no name`);
    const sourceType = str(table(pkg.source)?.type);
    if (sourceType === 'directory' || sourceType === 'file') {
      const url = str(table(pkg.source)?.url) ?? '';
      set.unauditable.push({ name, requirement: `${name} (${sourceType} ${url})`, reason: `local ${sourceType} source, not a release from an index`, origin });
      continue;
    }
    addLocked(set, name, str(pkg.version), origin);
  }
  return set;
}
