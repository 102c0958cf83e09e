/**
 * `Pipfile.lock` (pipenv): JSON with `default` and `develop` sections mapping
 * names to `{"version": "==X", "hashes": [...], "markers": ...}`. Entries
 * without a `==` version (editable paths, VCS checkouts) are unauditable.
 */
import { addLocked, emptySet, type DependencySet } from './dependency.js';
import { AuditInputError } from './errors.js';

const SECTIONS = ['default', 'develop'] as const;

export function parsePipfileLock(text: string, origin: string): DependencySet {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new AuditInputError(`${origin} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null || !('_meta' in doc)) {
    throw new AuditInputError(`${origin}: a Pipfile.lock is a JSON object with \`_meta\`, \`default\` and \`develop\``);
  }
  const set = emptySet();
  for (const section of SECTIONS) {
    const entries = (doc as Record<string, unknown>)[section];
    if (typeof entries !== 'object' || entries === null) continue;
    for (const [name, raw] of Object.entries(entries as Record<string, unknown>)) {
      const entry = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
      const version = typeof entry.version === 'string' ? entry.version : undefined;
      if (version?.startsWith('==') && !version.startsWith('===')) {
        addLocked(set, name, version.slice(2).trim(), `${origin} [${section}]`);
        continue;
      }
      const where = typeof entry.git === 'string' ? `git ${entry.git}` : typeof entry.path === 'string' ? `path ${entry.path}` : (version ?? 'no version');
      set.unauditable.push({ name, requirement: `${name} (${where})`, reason: 'not pinned to a release with ==', origin: `${origin} [${section}]` });
    }
  }
  return set;
}
