/** Splits an origin such as `requirements.txt:12` or `Pipfile.lock [develop]` into a file and a line. */
export function originLocation(origin: string): { file: string; line?: number } {
  const section = / \[[^\]]+\]$/.exec(origin);
  const base = section ? origin.slice(0, section.index) : origin;
  const m = /^(.*):(\d+)$/.exec(base);
  return m ? { file: m[1] as string, line: Number(m[2]) } : { file: base };
}
