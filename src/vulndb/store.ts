/**
 * The on-disk form of the database, one directory per revision:
 *
 *   <data>/vulndb/CURRENT            the current revision's name
 *   <data>/vulndb/<rev>/meta.json    counts, sources, and byte offsets of each package and advisory line
 *   <data>/vulndb/<rev>/packages.ndjson    one line per package: its StoredAffected[] (withdrawn left out)
 *   <data>/vulndb/<rev>/advisories.ndjson  one line per advisory: its ConvertedAdvisory without the long texts
 *   <data>/vulndb/<rev>/texts.ndjson       one line per advisory: its `details` and `references`
 *
 * An audit reads meta.json and then only the lines of the packages it asks
 * about, so it never parses the thousands of advisories it does not need; the
 * long texts (three quarters of the bytes) are read only by the reports that
 * print them.
 * A revision is written to a temporary directory and renamed into place, and
 * CURRENT is swapped by rename, so a reader never sees half a revision.
 * The revision name is a hash of every (id, modified, withdrawn): the same
 * advisories always give the same revision, which keys policy decisions.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Advisory, ConvertedAdvisory, StoredAffected } from './advisory.js';
import { VulnDbStorageError } from './errors.js';

export const STORE_FORMAT = 2;

export interface RevisionCounts {
  advisories: number;
  withdrawn: number;
  malware: number;
  packages: number;
  invalidEvents: number;
}

export interface RevisionMeta {
  format: number;
  revision: string;
  builtAt: string;
  /** Where the advisories came from, newest update last. */
  sources: string[];
  counts: RevisionCounts;
  /** Normalized package name -> [byte offset, byte length] in packages.ndjson. */
  packages: Record<string, [number, number]>;
  /** Advisory id -> [offset, length] in advisories.ndjson, then [offset, length] in texts.ndjson. */
  advisories: Record<string, [number, number, number, number]>;
}

export function vulndbDir(dataDir: string): string {
  return join(dataDir, 'vulndb');
}

export function revisionOf(advisories: Iterable<ConvertedAdvisory>): string {
  const keys = [...advisories].map((c) => `${c.advisory.id}\t${c.advisory.modified}\t${c.advisory.withdrawn ?? ''}`);
  keys.sort();
  return createHash('sha256').update(keys.join('\n')).digest('hex').slice(0, 16);
}

export function readCurrentRevision(dir: string): string | null {
  try {
    const name = readFileSync(join(dir, 'CURRENT'), 'utf8').trim();
    return name.length > 0 ? name : null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new VulnDbStorageError(`cannot read ${join(dir, 'CURRENT')}`, { cause: err });
  }
}

export function readMeta(dir: string, revision: string): RevisionMeta {
  const path = join(dir, revision, 'meta.json');
  let meta: RevisionMeta;
  try {
    meta = JSON.parse(readFileSync(path, 'utf8')) as RevisionMeta;
  } catch (err) {
    throw new VulnDbStorageError(`cannot read the vulnerability database at ${path}; rebuild it with \`gatehouse vulndb rebuild\``, { cause: err });
  }
  if (meta.format !== STORE_FORMAT) {
    throw new VulnDbStorageError(`${path} has format ${meta.format}, this gatehouse reads format ${STORE_FORMAT}; run \`gatehouse vulndb rebuild\``);
  }
  return meta;
}

/** Every advisory of a revision, for an incremental update. */
export function readAllAdvisories(dir: string, revision: string): Map<string, ConvertedAdvisory> {
  const heads = readFileSync(join(dir, revision, 'advisories.ndjson'), 'utf8').split('\n');
  const texts = readFileSync(join(dir, revision, 'texts.ndjson'), 'utf8').split('\n');
  const out = new Map<string, ConvertedAdvisory>();
  heads.forEach((line, i) => {
    if (line.length === 0) return;
    const c = JSON.parse(line) as ConvertedAdvisory;
    Object.assign(c.advisory, JSON.parse(texts[i] as string) as AdvisoryTexts);
    out.set(c.advisory.id, c);
  });
  return out;
}

/** The parts of an advisory that only some reports print. */
export type AdvisoryTexts = Pick<Advisory, 'details' | 'references'>;

/** Writes a revision (unless it already exists), makes it CURRENT, and removes revisions older than the previous one. */
export function writeRevision(dir: string, advisories: Map<string, ConvertedAdvisory>, sources: string[]): RevisionMeta {
  mkdirSync(dir, { recursive: true });
  const revision = revisionOf(advisories.values());
  const target = join(dir, revision);
  if (!existsSync(join(target, 'meta.json'))) {
    const tmp = join(dir, `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(tmp);
    buildFiles(tmp, revision, advisories, sources);
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
    if (name === revision || name === previous || name === 'CURRENT' || name.startsWith('.')) continue;
    rmSync(join(dir, name), { recursive: true, force: true });
  }
  return readMeta(dir, revision);
}

function buildFiles(tmp: string, revision: string, advisories: Map<string, ConvertedAdvisory>, sources: string[]): void {
  const ids = [...advisories.keys()].sort();
  const byPackage = new Map<string, StoredAffected[]>();
  const advisoryOffsets: Record<string, [number, number, number, number]> = {};
  const advisoryChunks: Buffer[] = [];
  const textChunks: Buffer[] = [];
  let offset = 0;
  let textOffset = 0;
  const counts: RevisionCounts = { advisories: 0, withdrawn: 0, malware: 0, packages: 0, invalidEvents: 0 };
  for (const id of ids) {
    const c = advisories.get(id) as ConvertedAdvisory;
    const { details, references, ...head } = c.advisory;
    const line = Buffer.from(JSON.stringify({ ...c, advisory: head }) + '\n');
    const texts: AdvisoryTexts = { details, references };
    const textLine = Buffer.from(JSON.stringify(texts) + '\n');
    advisoryOffsets[id] = [offset, line.length - 1, textOffset, textLine.length - 1];
    advisoryChunks.push(line);
    textChunks.push(textLine);
    offset += line.length;
    textOffset += textLine.length;
    counts.advisories++;
    counts.invalidEvents += c.invalidEvents.length;
    if (c.advisory.withdrawn !== undefined) {
      counts.withdrawn++;
      continue;
    }
    if (c.advisory.malware) counts.malware++;
    for (const a of c.affected) {
      let list = byPackage.get(a.name);
      if (!list) byPackage.set(a.name, (list = []));
      list.push(a);
    }
  }
  const packageOffsets: Record<string, [number, number]> = {};
  const packageChunks: Buffer[] = [];
  offset = 0;
  for (const name of [...byPackage.keys()].sort()) {
    const line = Buffer.from(JSON.stringify(byPackage.get(name)) + '\n');
    packageOffsets[name] = [offset, line.length - 1];
    packageChunks.push(line);
    offset += line.length;
  }
  counts.packages = byPackage.size;
  writeFileSync(join(tmp, 'advisories.ndjson'), Buffer.concat(advisoryChunks));
  writeFileSync(join(tmp, 'texts.ndjson'), Buffer.concat(textChunks));
  writeFileSync(join(tmp, 'packages.ndjson'), Buffer.concat(packageChunks));
  const meta: RevisionMeta = {
    format: STORE_FORMAT,
    revision,
    builtAt: new Date().toISOString(),
    sources,
    counts,
    packages: packageOffsets,
    advisories: advisoryOffsets,
  };
  writeFileSync(join(tmp, 'meta.json'), JSON.stringify(meta));
}
