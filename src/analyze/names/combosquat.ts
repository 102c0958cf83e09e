/**
 * Combosquats: a very popular name plus words that promise a better, newer or
 * platform-specific build of it (`requests-darwin-lite`, `pytz3-dev`,
 * `urllib3-fixed`). Honest plugins are named the same way (`requests-oauthlib`,
 * `pytest-cov`, `pandas-flavor`), so the extra words must all come from the
 * short list below, the words that make such a promise, and the gate only
 * applies this to names that are not themselves ranked. Measured on the
 * 2026-11-25 snapshot in docs/name-gate.md.
 */

/**
 * Words attackers add to a popular name. Each suggests the same project in
 * another edition. Not `fast`, `async`, `utils`, `tools`, `cli` or `client`:
 * those are how honest forks and helpers are named.
 */
export const COMBO_WORDS: ReadonlySet<string> = new Set([
  'lite', 'dev', 'plus', 'pro', 'fix', 'fixed', 'patch', 'patched', 'update', 'updated', 'upgrade', 'latest', 'new',
  'official', 'secure', 'darwin', 'win', 'win32', 'win64', 'windows', 'linux', 'macos',
]);

/** Targets must be among this many most downloaded: the names worth dressing up. */
export const COMBO_TOP = 300;

/**
 * The one word of `name` that is not a combo word, with the combo words it
 * carries, or undefined when the name is not one core word plus combo words.
 */
export function comboCore(name: string): { core: string; extras: string[] } | undefined {
  const firstDash = name.indexOf('-');
  if (firstDash === -1) return undefined;
  // With a single core word, the first or the last word is a combo word:
  // most names fail this without being split.
  if (!COMBO_WORDS.has(name.slice(0, firstDash)) && !COMBO_WORDS.has(name.slice(name.lastIndexOf('-') + 1))) return undefined;
  let core: string | undefined;
  const extras: string[] = [];
  for (const word of name.split('-')) {
    if (COMBO_WORDS.has(word)) extras.push(word);
    else if (core === undefined) core = word;
    else return undefined;
  }
  return core === undefined ? undefined : { core, extras };
}
