/**
 * PEP 440 throughput: versions parsed, versions compared, and specifier-set checks per second, for our
 * src/pep modules and for packaging 26.2 doing the same work on the same inputs in the same run.
 *
 *   node --import tsx bench/pep440.ts
 *
 * Inputs: the seeded version corpus of the differential tests (real `latest_version`s plus generated
 * spellings); the valid ones are compared in fixed pseudo-random pairs and checked against specifier sets
 * shaped like OSV ranges. Each figure is the best of 5 timed rounds after a warm-up round.
 */
import { spawnSync } from 'node:child_process';
import { SpecifierSet } from '../src/pep/specifier.js';
import { Version } from '../src/pep/version.js';
import { generateVersions } from '../test/pep/oracle/generate.js';

const ROUNDS = 5;
const PAIRS = 1_000_000;
const RANGES = ['>=1.0,<2.0', '>=0,<0.9.1', '==1.2.*', '~=2.2', '<4.2.1,>=4.0.0a1,!=4.1.*'];

const texts = generateVersions(20261125, 22000).filter((t) => Version.tryParse(t) !== null);
const left = Int32Array.from({ length: PAIRS }, (_, i) => i % texts.length);
const right = Int32Array.from({ length: PAIRS }, (_, i) => (i * 7919 + 13) % texts.length);

function best(fn: () => void): number {
  fn();
  let fastest = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const start = process.hrtime.bigint();
    fn();
    fastest = Math.min(fastest, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return fastest;
}

let sink = 0;
const versions = texts.map((t) => Version.parse(t));
const sets = RANGES.map((r) => SpecifierSet.parse(r));
const ours = {
  parse: texts.length / best(() => {
    for (const t of texts) sink += Version.parse(t).toString().length;
  }),
  compare: PAIRS / best(() => {
    // A fresh parse each round would measure parsing; keys are built once per version, as in the matcher.
    for (let i = 0; i < PAIRS; i++) {
      if ((versions[left[i] as number] as Version).compare(versions[right[i] as number] as Version) < 0) sink++;
    }
  }),
  contains: (versions.length * sets.length) / best(() => {
    for (const s of sets) for (const v of versions) if (s.contains(v)) sink++;
  }),
};

const PYTHON = `
import json, sys, time
from packaging.version import Version
from packaging.specifiers import SpecifierSet
texts = json.loads(sys.stdin.read())
PAIRS, ROUNDS = ${PAIRS}, ${ROUNDS}
n = len(texts)
pairs = [(i % n, (i * 7919 + 13) % n) for i in range(PAIRS)]
def best(fn):
    fn()
    fastest = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter(); fn(); fastest = min(fastest, time.perf_counter() - start)
    return fastest
def parse():
    for t in texts: str(Version(t))
versions = [Version(t) for t in texts]
for v in versions: hash(v)  # build every comparison key once, as ours are
def compare():
    vs = versions
    for a, b in pairs: vs[a] < vs[b]
sets = [SpecifierSet(r) for r in ${JSON.stringify(RANGES)}]
def contains():
    for s in sets:
        for v in versions: s.contains(v)
print(json.dumps({"parse": n / best(parse), "compare": PAIRS / best(compare), "contains": n * len(sets) / best(contains)}))
`;
const run = spawnSync('python3', ['-c', PYTHON], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 1 << 26 });
if (run.status !== 0) throw new Error(`packaging baseline failed: ${run.stderr}`);
const packaging = JSON.parse(run.stdout) as typeof ours;

const fmt = (n: number): string => `${(n / 1e6).toFixed(2)} M/s`;
console.log(`${texts.length} valid versions, ${PAIRS} comparisons, ${RANGES.length} specifier sets (sink ${sink % 10})`);
for (const k of ['parse', 'compare', 'contains'] as const) {
  console.log(`${k.padEnd(9)} ours ${fmt(ours[k]).padStart(10)}   packaging ${fmt(packaging[k]).padStart(10)}   ratio ${(ours[k] / packaging[k]).toFixed(1)}x`);
}
