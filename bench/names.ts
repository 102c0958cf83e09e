/**
 * Name gate throughput, index build time and memory, with the full corpus.
 *
 *   node --import tsx bench/names.ts [--sample N]
 *
 * Throughput is single-threaded checks over names drawn evenly from every
 * project name on the index (the realistic worst case: most are unranked, so
 * every rule runs). Two baselines are measured in the same run:
 * - naive: the same question answered by computing the edit distance from the
 *   requested name to each of the ~15,000 popular names (what a simple
 *   typosquatting checker does);
 * - lookup: a bare membership test in the all-names set, the least any check
 *   must do.
 */
import { loadNameCorpus } from '../src/analyze/names/corpus.js';
import { boundedEditDistance } from '../src/analyze/names/edits.js';
import { createNameGate } from '../src/analyze/names/gate.js';

const sampleArg = process.argv.indexOf('--sample');
const sampleSize = sampleArg === -1 ? 200_000 : Number(process.argv[sampleArg + 1]);
const mb = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

const rssBefore = process.memoryUsage().rss;
let t = performance.now();
const corpus = loadNameCorpus();
const loadMs = performance.now() - t;
t = performance.now();
const gate = createNameGate(corpus);
const buildMs = performance.now() - t;
globalThis.gc?.();
const rssLoaded = process.memoryUsage().rss;
const heapLoaded = process.memoryUsage().heapUsed;

const step = Math.max(1, Math.floor(corpus.all.size / sampleSize));
const sample: string[] = [];
let i = 0;
for (const name of corpus.all) if (i++ % step === 0 && sample.length < sampleSize) sample.push(name);

/** Names per second of one pass of `check` over `names`. */
function rate(names: readonly string[], check: (name: string) => unknown): number {
  const start = performance.now();
  for (const name of names) check(name);
  return names.length / ((performance.now() - start) / 1000);
}

const popularNames = corpus.popular.map((p) => p.name);
const naive = (name: string): string | undefined => popularNames.find((p) => p !== name && boundedEditDistance(name, p, 2) <= 2);

// The machine is shared: rounds alternate between the gate and the lookup
// baseline, and each keeps its best round, so both see the same load.
const ROUNDS = 5;
let gateRate = 0;
let lookupRate = 0;
for (let r = 0; r < ROUNDS; r++) {
  gateRate = Math.max(gateRate, rate(sample, (n) => gate.check(n)));
  lookupRate = Math.max(lookupRate, rate(sample, (n) => corpus.all.has(n)));
}
const naiveRate = rate(sample.slice(0, 300), naive);
globalThis.gc?.();
const rssAfter = process.memoryUsage().rss;
const heapAfter = process.memoryUsage().heapUsed;

const out = [
  `corpus: ${corpus.popular.length} ranked names, ${corpus.all.size} names in all; deletion index: ${gate.stats.deletionEntries.toLocaleString('en-US')} entries, ${mb(gate.stats.deletionBytes)}`,
  `load (gunzip + parse): ${loadMs.toFixed(0)} ms; index build: ${buildMs.toFixed(0)} ms`,
  `RSS: ${mb(rssBefore)} before loading, ${mb(rssLoaded)} after load and build, ${mb(rssAfter)} after the run` +
    ` (live heap ${mb(heapLoaded)} after build, ${mb(heapAfter)} after the run)`,
  `gate.check: ${Math.round(gateRate).toLocaleString('en-US')} names/s over ${sample.length.toLocaleString('en-US')} names (best of ${ROUNDS})`,
  `naive scan baseline: ${Math.round(naiveRate).toLocaleString('en-US')} names/s (gate is ${(gateRate / naiveRate).toFixed(0)}x faster)`,
  `membership lookup baseline: ${Math.round(lookupRate).toLocaleString('en-US')} names/s (gate costs ${(lookupRate / gateRate).toFixed(1)}x a lookup)`,
];
process.stdout.write(out.join('\n') + '\n');
