/**
 * The name corpus: the most-downloaded project names with their ranks, and the
 * set of every project name on the index. Shipped in data/names/ (see its
 * README for the source and date) and refreshed with `gatehouse names update`.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { shippedPath } from '../../paths.js';
import { isNormalizedName } from '../../pep/name.js';
import { NameCorpusError } from './errors.js';
import { NameSet } from './name-set.js';

export interface PopularName {
  /** PEP 503-normalized. */
  readonly name: string;
  /** 1 = most downloaded. Ranks may have gaps. */
  readonly rank: number;
}

export interface NameCorpus {
  /** Sorted by rank, best first. */
  readonly popular: readonly PopularName[];
  /** How many names the ranked list covers (its highest rank), for reasons like "not among the 15,000 most downloaded". */
  readonly topSize: number;
  /** Every project name on the index on the snapshot's day. */
  readonly all: NameSet;
}

export const TOP_PACKAGES_FILE = 'top-packages.tsv';
export const ALL_NAMES_FILE = 'all-names.txt.gz';
export const TOP_PACKAGES_HEADER = 'rank\tname\tlatest_version';

/** data/names/ in this checkout or package. */
export const DEFAULT_CORPUS_DIR = shippedPath('data', 'names');

/** Parses `top-packages.tsv`: a `rank<TAB>name<TAB>latest_version` header, then one row per project. */
export function parseTopPackagesTsv(text: string, source = TOP_PACKAGES_FILE): PopularName[] {
  const lines = text.split('\n');
  if (lines[0] !== TOP_PACKAGES_HEADER) {
    throw new NameCorpusError(`${source}: the first line must be '${TOP_PACKAGES_HEADER.replace(/\t/g, '<TAB>')}'`);
  }
  const popular: PopularName[] = [];
  const seenNames = new Set<string>();
  const seenRanks = new Set<number>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const [rankText = '', name = ''] = line.split('\t');
    const rank = Number(rankText);
    if (!/^[1-9]\d*$/.test(rankText)) throw new NameCorpusError(`${source} line ${i + 1}: rank '${rankText}' is not a positive integer`);
    if (!isNormalizedName(name)) {
      throw new NameCorpusError(`${source} line ${i + 1}: '${name}' is not a normalized project name`);
    }
    if (seenNames.has(name)) throw new NameCorpusError(`${source} line ${i + 1}: '${name}' is listed twice`);
    if (seenRanks.has(rank)) throw new NameCorpusError(`${source} line ${i + 1}: rank ${rank} is listed twice`);
    seenNames.add(name);
    seenRanks.add(rank);
    popular.push({ name, rank });
  }
  return popular.sort((a, b) => a.rank - b.rank);
}

/** Parses the all-names list: normalized names, one a line, in byte order, no duplicates. */
export function parseAllNames(text: string, source = ALL_NAMES_FILE): NameSet {
  const set = NameSet.fromSortedLines(text);
  if (!(set instanceof NameSet)) {
    throw new NameCorpusError(`${source} line ${set.outOfOrderLine}: names must be unique and sorted in byte order`);
  }
  return set;
}

export function createNameCorpus(popular: readonly PopularName[], all: NameSet): NameCorpus {
  const sorted = [...popular].sort((a, b) => a.rank - b.rank);
  return { popular: sorted, topSize: sorted.at(-1)?.rank ?? 0, all };
}

/** Reads the corpus from `dir` (default: the shipped data/names/). */
export function loadNameCorpus(dir: string = DEFAULT_CORPUS_DIR): NameCorpus {
  const read = (file: string): Buffer => {
    try {
      return readFileSync(join(dir, file));
    } catch (err) {
      throw new NameCorpusError(`cannot read the name corpus file ${join(dir, file)}`, { cause: err });
    }
  };
  const popular = parseTopPackagesTsv(read(TOP_PACKAGES_FILE).toString('utf8'));
  let allText: string;
  try {
    allText = gunzipSync(read(ALL_NAMES_FILE)).toString('latin1');
  } catch (err) {
    if (err instanceof NameCorpusError) throw err;
    throw new NameCorpusError(`${join(dir, ALL_NAMES_FILE)} is not a gzip file`, { cause: err });
  }
  return createNameCorpus(popular, parseAllNames(allText));
}
