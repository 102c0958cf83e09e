/**
 * The entry points file format (packaging.python.org, "Entry points specification"): an INI file of `[group]`
 * sections holding `name = object reference [extras]` lines; `#` and `;` start comments. Read leniently, as
 * importlib.metadata does: lines that are neither a section nor a `name = value` pair are skipped.
 */

export interface EntryPoint {
  group: string;
  name: string;
  /** The object reference as written, trimmed (`pkg.mod:func [extra]`). */
  value: string;
}

export function parseEntryPoints(text: string): EntryPoint[] {
  const entries: EntryPoint[] = [];
  let group = '';
  for (const raw of text.split(/\r\n|\r|\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      group = section[1]!.trim();
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0) entries.push({ group, name: line.slice(0, eq).trim(), value: line.slice(eq + 1).trim() });
  }
  return entries;
}
