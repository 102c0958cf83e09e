/**
 * Differential test: our PEP 440 versions against packaging 26.2 on the real `latest_version` corpus plus
 * generated spellings, edge cases and near misses (test/pep/oracle/). Zero disagreement is required.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runPythonJsonLines } from '../helpers/python.js';
import { Version } from '../../src/pep/version.js';
import { generateVersions, seedFromEnv } from './oracle/generate.js';

interface OracleVersion {
  valid: boolean;
  str?: string;
  public?: string;
  base?: string;
  canonical?: string;
  epoch?: number;
  release?: string[];
  pre?: [string, string] | null;
  post?: string | null;
  dev?: string | null;
  local?: string | null;
  isPre?: boolean;
  isPost?: boolean;
  isDev?: boolean;
}
interface OracleOrder {
  order: number[];
  reverse: number[];
  ties: boolean[];
}

const seed = seedFromEnv();
const texts = generateVersions(seed, 22000);
const oracle = runPythonJsonLines(
  fileURLToPath(new URL('./oracle/versions.py', import.meta.url)),
  texts.map((text) => ({ text })),
);
const rows = oracle.slice(0, texts.length) as OracleVersion[];
const order = oracle[texts.length] as OracleOrder;
const parsed = texts.map((t) => Version.tryParse(t));
const validCount = rows.filter((r) => r.valid).length;

function describe(v: Version): OracleVersion {
  return {
    valid: true,
    str: v.toString(),
    public: v.public,
    base: v.baseVersion,
    canonical: v.canonical,
    epoch: v.epoch,
    release: v.release.map(String),
    pre: v.pre === null ? null : [v.pre[0], String(v.pre[1])],
    post: v.post === null ? null : String(v.post),
    dev: v.dev === null ? null : String(v.dev),
    local: v.local,
    isPre: v.isPrerelease,
    isPost: v.isPostrelease,
    isDev: v.isDevrelease,
  };
}

test(`validity and normalized form agree with packaging on ${texts.length} versions (${validCount} valid, seed ${seed})`, () => {
  assert.ok(texts.length >= 20000);
  const disagreements: string[] = [];
  texts.forEach((text, i) => {
    const ours = parsed[i];
    const theirs = rows[i] as OracleVersion;
    const mine = ours == null ? { valid: false } : describe(ours);
    // Epochs beyond 2**53 are exact in text and order, not in the `epoch` number.
    if (theirs.epoch !== undefined && !Number.isSafeInteger(theirs.epoch)) {
      delete mine.epoch;
      delete theirs.epoch;
    }
    try {
      assert.deepEqual(mine, theirs);
    } catch {
      disagreements.push(`${JSON.stringify(text)}: ours ${JSON.stringify(mine)} packaging ${JSON.stringify(theirs)}`);
    }
  });
  assert.deepEqual(disagreements.slice(0, 20), []);
});

test(`ordering agrees with packaging: ${validCount} versions sorted ascending and descending, ties included`, () => {
  const valid = texts.map((_, i) => i).filter((i) => parsed[i] !== null);
  const key = (i: number): Version => parsed[i] as Version;
  const asc = [...valid].sort((a, b) => key(a).compare(key(b)));
  const desc = [...valid].sort((a, b) => key(b).compare(key(a)));
  assert.deepEqual(asc, order.order);
  assert.deepEqual(desc, order.reverse);
  const ties = asc.slice(1).map((i, k) => key(asc[k] as number).equals(key(i)));
  assert.deepEqual(ties, order.ties);
});

test('every version round-trips through its normalized form', () => {
  for (const v of parsed) {
    if (v === null) continue;
    const again = Version.parse(v.toString());
    assert.equal(again.toString(), v.toString());
    assert.ok(again.equals(v));
  }
});
