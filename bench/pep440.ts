/**
 * PEP 440 throughput: versions parsed, versions compared, and specifier-set checks per second, for our
 * src/pep modules and for packaging 26.2 doing the same work on the same inputs in the same run.
 *
 *   node --import tsx bench/pep440.ts
 *
 * Inputs: the seeded version corpus of the differential tests (real `latest_version`s plus generated
 * spellings); the valid ones are compared in fixed pseudo-random pairs and checked against specifier sets
 * shaped like OSV ranges. The machine is shared, so rounds alternate between the two sides (one packaging
 * process per round, timed inside Python after its own warm-up) and each side keeps its best round.
 */
import { spawnSync } from 'node:child_process';
import { SpecifierSet } from '../src/pep/specifier.js';
import { Version } from '../src/pep/version.js';
import { generateVersions } from '../test/pep/oracle/generate.js';

const ROUNDS = 7;
const PAIRS = 1_000_000;
const RANGES = ['>=1.0,<2.0', '>=0,<0.9.1', '==1.2.*', '~=2.2', '<4.2.1,>=4.0.0a1,!=4.1.*'];
type Figures = { parse: number; compare: number; contains: number };

const texts = generateVersions(20261125, 22000).filter((t) => Version.tryParse(t) !== null);
const left = Int32Array.from({ length: PAIRS }, (_, i) => i % texts.length);
const right = Int32Array.from({ length: PAIRS }, (_, i) => (i * 7919 + 13) % texts.length);

function seconds(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

let sink = 0;
function oursRound(): Figures {
  let versions: Version[] = [];
  const parse = seconds(() => {
    versions = texts.map((t) => Version.parse(t));
  });
  for (const v of versions) sink += v.sortKey.length; // keys are built once per version, as in the matcher
  const sets = RANGES.map((r) => SpecifierSet.parse(r));
  const compare = seconds(() => {
    for (let i = 0; i < PAIRS; i++) {
      if ((versions[left[i] as number] as Version).compare(versions[right[i] as number] as Version) < 0) sink++;
    }
  });
  const contains = seconds(() => {
    for (const s of sets) for (const v of versions) if (s.contains(v)) sink++;
  });
  return { parse: texts.length / parse, compare: PAIRS / compare, contains: (texts.length * sets.length) / contains };
}

const PYTHON = `
import json, sys, time
from packaging.version import Version
from packaging.specifiers import SpecifierSet
texts = json.loads(sys.stdin.read())
PAIRS = ${PAIRS}
n = len(texts)
pairs = [(i % n, (i * 7919 + 13) % n) for i in range(PAIRS)]
def seconds(fn):
    start = time.perf_counter(); fn(); return time.perf_counter() - start
def run():
    global versions
    def parse():
        global versions
        versions = [Version(t) for t in texts]
    p = seconds(parse)
    for v in versions: hash(v)  # build every comparison key once, as ours are
    sets = [SpecifierSet(r) for r in ${JSON.stringify(RANGES)}]
    def compare():
        vs = versions
        for a, b in pairs: vs[a] < vs[b]
    def contains():
        for s in sets:
            for v in versions: s.contains(v)
    return {"parse": n / p, "compare": PAIRS / seconds(compare), "contains": n * len(sets) / seconds(contains)}
run()  # warm-up
print(json.dumps(run()))
`;
function packagingRound(): Figures {
  const run = spawnSync('python3', ['-c', PYTHON], { input: JSON.stringify(texts), encoding: 'utf8', maxBuffer: 1 << 26 });
  if (run.status !== 0) throw new Error(`packaging baseline failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as Figures;
}

const best = (a: Figures, b: Figures): Figures => ({
  parse: Math.max(a.parse, b.parse),
  compare: Math.max(a.compare, b.compare),
  contains: Math.max(a.contains, b.contains),
});
oursRound(); // warm-up: let the JIT settle
let ours: Figures = { parse: 0, compare: 0, contains: 0 };
let packaging: Figures = { ...ours };
for (let r = 0; r < ROUNDS; r++) {
  ours = best(ours, oursRound());
  packaging = best(packaging, packagingRound());
}

const fmt = (n: number): string => `${(n / 1e6).toFixed(2)} M/s`;
console.log(`${texts.length} valid versions, ${PAIRS} comparisons, ${RANGES.length} specifier sets, best of ${ROUNDS} alternating rounds (sink ${sink % 10})`);
for (const k of ['parse', 'compare', 'contains'] as const) {
  console.log(`${k.padEnd(9)} ours ${fmt(ours[k]).padStart(10)}   packaging ${fmt(packaging[k]).padStart(10)}   ratio ${(ours[k] / packaging[k]).toFixed(1)}x`);
}
