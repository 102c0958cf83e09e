/**
 * Writing a revision of the stored database (the layout is described in
 * store.ts), and reading one back whole for an incremental update.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Version } from '../pep/version.js';
import type { Advisory, ConvertedAdvisory } from './advisory.js';
import { prepareStored } from './convert.js';
import { indexPackage, type PreparedAffected } from './matcher.js';
import { VulnDbStorageError } from './errors.js';
import {
  STORE_FORMAT,
  readCurrentRevision,
  readMeta,
  readMetaOfAnyFormat,
  type AdvisoryHead,
  type AdvisoryTexts,
  type StoredEntry,
  type StoredPackage,
  type RevisionCounts,
  type RevisionMeta,
} from './store.js';

export function revisionOf(advisories: Iterable<ConvertedAdvisory>): string {
  const keys = [...advisories].map((c) => `${c.advisory.id}\t${c.advisory.modified}\t${c.advisory.withdrawn ?? ''}`);
  keys.sort();
  return createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 16);
}

/** Every advisory of a revision, for an incremental update. */
export function readAllAdvisories(dir: string, revision: string): Map<string, ConvertedAdvisory> {
  const lines = (file: string): string[] => readFileSync(join(dir, revision, file), 'utf8').split('\n');
  const heads = lines('advisories.ndjson');
  const texts = lines('texts.ndjson');
  const affected = lines('affected.ndjson');
  const out = new Map<string, ConvertedAdvisory>();
  heads.forEach((line, i) => {
    if (line.length === 0) return;
    const { textAt: _, ...head } = JSON.parse(line) as AdvisoryHead;
    const advisory: Advisory = { ...head, ...(JSON.parse(texts[i] as string) as AdvisoryTexts) };
    out.set(advisory.id, { advisory, ...(JSON.parse(affected[i] as string) as Omit<ConvertedAdvisory, 'advisory'>) });
  });
  return out;
}

/** Writes a revision (unless it already exists), makes it CURRENT, and removes revisions older than the previous one. */
export function writeRevision(dir: string, advisories: Map<string, ConvertedAdvisory>, sources: string[]): RevisionMeta {
  mkdirSync(dir, { recursive: true });
  const revision = revisionOf(advisories.values());
  const target = join(dir, revision);
  const stored = existsSync(join(target, 'meta.json')) ? readMetaOfAnyFormat(dir, revision).format : null;
  if (stored !== STORE_FORMAT) {
    const tmp = join(dir, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(tmp);
    buildFiles(tmp, revision, advisories, sources);
    if (stored !== null) {
      // The same advisories, written by a Gatehouse with another store format: set that copy aside first.
      const old = join(dir, `.old-${process.pid}-${randomBytes(4).toString('hex')}`);
      try {
        renameSync(target, old);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; // another process set it aside first
      }
      rmSync(old, { recursive: true, force: true });
    }
    try {
      renameSync(tmp, target);
    } catch (err) {
      // Another process wrote the same revision first: its files are identical by construction.
      rmSync(tmp, { recursive: true, force: true });
      if (!existsSync(join(target, 'meta.json'))) throw new VulnDbStorageError(`cannot store revision ${revision}`, { cause: err });
    }
  }
  const previous = readCurrentRevision(dir);
  const pointer = join(dir, `.CURRENT-${process.pid}-${randomBytes(4).toString('hex')}`);
  writeFileSync(pointer, `${revision}\n`);
  renameSync(pointer, join(dir, 'CURRENT'));
  for (const name of readdirSync(dir)) {
    if (name === revision || name === previous || name === 'CURRENT') continue;
    // Temporary files of another writer may be in use; an hour-old one was left by a writer that died.
    if (name.startsWith('.') && modifiedWithin(join(dir, name), 3_600_000)) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
  }
  return readMeta(dir, revision);
}

function modifiedWithin(path: string, ms: number): boolean {
  try {
    return Date.now() - statSync(path).mtimeMs < ms;
  } catch {
    return true; // gone already: another writer is tidying up
  }
}

/**
 * JSON with every character outside ASCII written as a `\u` escape: readers take the whole file as a one-byte
 * string and parse slices of it at byte offsets, with no decoding per line (store.ts).
 */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Appends lines to one file of a revision, keeping the byte offset of each. */
class LineWriter {
  readonly chunks: Buffer[] = [];
  offset = 0;

  /** Adds a line (without its newline) and returns its [offset, length]. */
  add(text: string): [number, number] {
    const line = Buffer.from(text + '\n');
    const at: [number, number] = [this.offset, line.length - 1];
    this.chunks.push(line);
    this.offset += line.length;
    return at;
  }

  write(path: string): void {
    writeFileSync(path, Buffer.concat(this.chunks));
  }
}

function buildFiles(tmp: string, revision: string, advisories: Map<string, ConvertedAdvisory>, sources: string[]): void {
  const ids = [...advisories.keys()].sort();
  const byPackage = new Map<string, Array<{ line: number; advisory: Advisory; prepared: PreparedAffected }>>();
  const heads = new LineWriter();
  const headIndex = Buffer.alloc(ids.length * 8);
  const texts = new LineWriter();
  const affected = new LineWriter();
  const idIndex: Record<string, number> = {};
  const counts: RevisionCounts = { advisories: 0, withdrawn: 0, malware: 0, packages: 0, invalidEvents: 0 };
  const versionCache = new Map<string, Version | null>();
  const parse = (text: string): Version | null => {
    let v = versionCache.get(text);
    if (v === undefined) versionCache.set(text, (v = Version.tryParse(text)));
    return v;
  };
  ids.forEach((id, line) => {
    const c = advisories.get(id) as ConvertedAdvisory;
    const { details, references, ...rest } = c.advisory;
    const textAt = texts.add(JSON.stringify({ details, references } satisfies AdvisoryTexts));
    const [offset, length] = heads.add(asciiJson({ ...rest, textAt } satisfies AdvisoryHead));
    headIndex.writeUInt32LE(offset, line * 8);
    headIndex.writeUInt32LE(length, line * 8 + 4);
    idIndex[id] = line;
    affected.add(JSON.stringify({ affected: c.affected, invalidEvents: c.invalidEvents }));
    counts.advisories++;
    counts.invalidEvents += c.invalidEvents.length;
    if (c.advisory.withdrawn !== undefined) {
      counts.withdrawn++;
      return;
    }
    if (c.advisory.malware) counts.malware++;
    for (const a of c.affected) {
      let list = byPackage.get(a.name);
      if (!list) byPackage.set(a.name, (list = []));
      list.push({ line, advisory: c.advisory, prepared: prepareStored(a, parse) });
    }
  });
  if (heads.offset > 0xffffffff) throw new VulnDbStorageError('advisories.ndjson would exceed 4 GiB, more than its index can address');
  const packageOffsets: Record<string, [number, number]> = {};
  const packages = new LineWriter();
  for (const name of [...byPackage.keys()].sort()) {
    const list = byPackage.get(name) as Array<{ line: number; advisory: Advisory; prepared: PreparedAffected }>;
    const { table, entries } = indexPackage(list.map((e) => e.prepared));
    const stored: StoredPackage = [
      table.keys,
      table.texts,
      entries.map((e, i): StoredEntry => {
        const { line, advisory } = list[i] as (typeof list)[number];
        const rating = advisory.highestSeverity;
        return [line, e.ranges, e.versions, e.fixes, advisory.id, advisory.malware ? 1 : 0, rating?.score ?? null, rating?.level ?? null];
      }),
    ];
    packageOffsets[name] = packages.add(asciiJson(stored));
  }
  counts.packages = byPackage.size;
  heads.write(join(tmp, 'advisories.ndjson'));
  writeFileSync(join(tmp, 'advisories.idx'), headIndex);
  texts.write(join(tmp, 'texts.ndjson'));
  affected.write(join(tmp, 'affected.ndjson'));
  packages.write(join(tmp, 'packages.ndjson'));
  writeFileSync(join(tmp, 'ids.json'), JSON.stringify(idIndex));
  const meta: RevisionMeta = { format: STORE_FORMAT, revision, builtAt: new Date().toISOString(), sources, counts, packages: packageOffsets };
  writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta));
}
