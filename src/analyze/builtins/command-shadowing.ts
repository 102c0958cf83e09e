/**
 * A console script named like a command people type every day (pip, python,
 * sudo, ls, git) lands on PATH in front of, or instead of, the real one. Only
 * the project that really owns the command may install it.
 */
import type { Hit, InstalledScripts } from '../subjects.js';

export function commandShadowing(subject: InstalledScripts, params: Record<string, unknown>): Hit[] {
  const commands = params.commands;
  if (typeof commands !== 'object' || commands === null) return [];
  const owners = commands as Record<string, unknown>;
  const hits: Hit[] = [];
  for (const [script, target] of subject.scripts) {
    const name = script.toLowerCase().replace(/\.exe$/, '');
    if (!Object.hasOwn(owners, name)) continue;
    const allowed = owners[name];
    if (Array.isArray(allowed) && allowed.includes(subject.project)) continue;
    hits.push({ snippet: `${script} = ${target}`, message: `installs a \`${script}\` command that shadows the common command of that name` });
  }
  return hits;
}
