/**
 * Refreshing the name corpus from newer lists:
 * - a top-packages list in the format hugovk/top-pypi-packages publishes
 *   (JSON `{"last_update", "rows": [{"download_count", "project"}]}`, or the
 *   CSV with a `download_count,project` header), ranked by download count;
 * - a list of every project name: one name a line, PyPI's `/simple/` page
 *   (HTML, PEP 503) or its JSON form (PEP 691); gzip'd or not.
 * Both are written to the corpus directory in the shipped format (corpus.ts).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { isValidName, normalizeName } from '../../pep/name.js';
import { ALL_NAMES_FILE, TOP_PACKAGES_FILE, TOP_PACKAGES_HEADER, type PopularName } from './corpus.js';
import { NameListFormatError } from './errors.js';
import { NameSet } from './name-set.js';

/** gzip's magic bytes. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function decode(bytes: Uint8Array, source: string): string {
  try {
    return (isGzip(bytes) ? gunzipSync(bytes) : Buffer.from(bytes)).toString('utf8');
  } catch (err) {
    throw new NameListFormatError(`${source}: not a readable gzip file`, { cause: err });
  }
}

interface Ranked {
  project: string;
  downloads: number;
}

/** Ranks by download count (most first; ties keep the list's order), normalizing names and keeping each name's first row. */
function rank(rows: Ranked[], source: string): PopularName[] {
  const seen = new Set<string>();
  const out: PopularName[] = [];
  rows
    .map((row, order) => ({ ...row, order }))
    .sort((a, b) => b.downloads - a.downloads || a.order - b.order)
    .forEach((row) => {
      if (!isValidName(row.project)) throw new NameListFormatError(`${source}: '${row.project}' is not a valid project name`);
      const name = normalizeName(row.project);
      if (seen.has(name)) return;
      seen.add(name);
      out.push({ name, rank: out.length + 1 });
    });
  if (out.length === 0) throw new NameListFormatError(`${source}: no projects listed`);
  return out;
}

/** Parses a hugovk/top-pypi-packages list, JSON or CSV. */
export function parseTopPackagesList(bytes: Uint8Array, source: string): PopularName[] {
  const text = decode(bytes, source).replace(/^\uFEFF/, '');
  if (text.trimStart().startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      throw new NameListFormatError(`${source}: not valid JSON`, { cause: err });
    }
    const rows = (doc as { rows?: unknown }).rows;
    if (!Array.isArray(rows)) throw new NameListFormatError(`${source}: expected an object with a "rows" array`);
    return rank(
      rows.map((row: unknown, i) => {
        const { project, download_count: downloads } = (row ?? {}) as { project?: unknown; download_count?: unknown };
        if (typeof project !== 'string' || typeof downloads !== 'number') {
          throw new NameListFormatError(`${source}: rows[${i}] needs a string "project" and a number "download_count"`);
        }
        return { project, downloads };
      }),
      source,
    );
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  const projectColumn = header.indexOf('project');
  const downloadsColumn = header.indexOf('download_count');
  if (projectColumn === -1 || downloadsColumn === -1) {
    throw new NameListFormatError(`${source}: expected JSON, or CSV with a header naming 'download_count' and 'project'`);
  }
  return rank(
    lines.slice(1).map((line, i) => {
      const cells = line.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
      const downloads = Number(cells[downloadsColumn]);
      const project = cells[projectColumn] ?? '';
      if (!Number.isFinite(downloads) || project === '') throw new NameListFormatError(`${source} line ${i + 2}: expected a download count and a project`);
      return { project, downloads };
    }),
    source,
  );
}

/** Parses a list of every project name: plain lines, a PEP 503 `/simple/` page, or a PEP 691 JSON index. */
export function parseAllNamesList(bytes: Uint8Array, source: string): NameSet {
  const text = decode(bytes, source);
  let names: string[];
  if (text.trimStart().startsWith('{')) {
    let projects: unknown;
    try {
      projects = (JSON.parse(text) as { projects?: unknown }).projects;
    } catch (err) {
      throw new NameListFormatError(`${source}: not valid JSON`, { cause: err });
    }
    if (!Array.isArray(projects)) throw new NameListFormatError(`${source}: expected a PEP 691 index with a "projects" array`);
    names = projects.map((p: unknown) => String((p as { name?: unknown } | null)?.name ?? ''));
  } else if (/<a[\s>]/i.test(text)) {
    names = [...text.matchAll(/<a\b[^>]*>([^<]*)<\/a>/gi)].map((m) => (m[1] ?? '').trim());
  } else {
    names = text.split(/\r?\n/).map((l) => l.trim()).filter((l) => l !== '');
  }
  for (const name of names) {
    if (!isValidName(name)) throw new NameListFormatError(`${source}: '${name}' is not a valid project name`);
  }
  if (names.length === 0) throw new NameListFormatError(`${source}: no names listed`);
  return NameSet.fromNames(names.map(normalizeName));
}

export function formatTopPackagesTsv(popular: readonly PopularName[]): string {
  return `${TOP_PACKAGES_HEADER}\n${popular.map((p) => `${p.rank}\t${p.name}\t`).join('\n')}\n`;
}

/** Writes both corpus files into `dir`, each through a temporary file and a rename, so a reader never sees half a file. */
export function writeNameCorpus(dir: string, popular: readonly PopularName[], all: NameSet): void {
  mkdirSync(dir, { recursive: true });
  const files: Array<[string, Buffer]> = [
    [TOP_PACKAGES_FILE, Buffer.from(formatTopPackagesTsv(popular), 'utf8')],
    [ALL_NAMES_FILE, gzipSync(Buffer.from(all.toText(), 'latin1'), { level: 9 })],
  ];
  for (const [file, bytes] of files) {
    const path = join(dir, file);
    writeFileSync(`${path}.tmp`, bytes);
    renameSync(`${path}.tmp`, path);
  }
}
