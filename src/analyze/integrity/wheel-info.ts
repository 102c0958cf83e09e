/**
 * The WHEEL file of a wheel (binary distribution format spec, "The .dist-info
 * directory"): `Key: value` lines in email-header form, with `Tag` repeated.
 */

export interface WheelInfo {
  wheelVersion: string | undefined;
  rootIsPurelib: boolean | undefined;
  /** Every tag, with compressed tag sets (`py2.py3-none-any`) expanded and lower-cased. */
  tags: string[];
  build: string | undefined;
}

/** Expands `py2.py3-none-any` into `py2-none-any` and `py3-none-any` (PEP 425 compressed tag sets). */
export function expandTag(tag: string): string[] {
  const parts = tag.trim().toLowerCase().split('-');
  if (parts.length !== 3) return [tag.trim().toLowerCase()];
  const [pythons = '', abis = '', platforms = ''] = parts;
  const out: string[] = [];
  for (const python of pythons.split('.')) {
    for (const abi of abis.split('.')) {
      for (const platform of platforms.split('.')) out.push(`${python}-${abi}-${platform}`);
    }
  }
  return out;
}

export function parseWheelInfo(text: string): WheelInfo {
  const fields = new Map<string, string[]>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0 || /^\s/.test(line)) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    fields.set(key, [...(fields.get(key) ?? []), line.slice(colon + 1).trim()]);
  }
  const purelib = fields.get('root-is-purelib')?.[0]?.toLowerCase();
  return {
    wheelVersion: fields.get('wheel-version')?.[0],
    rootIsPurelib: purelib === undefined ? undefined : purelib === 'true',
    tags: (fields.get('tag') ?? []).flatMap(expandTag),
    build: fields.get('build')?.[0],
  };
}
