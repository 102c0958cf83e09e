/**
 * Benchmark (d) of the sandbox: what isolation and tracing cost, and how long building and tracing a small sdist
 * takes. In the same run, alternating, each a median over --rounds:
 * - `python3 -c pass` started directly (the floor of any Python run) against the same in the sandbox, without and
 *   with strace: the sandbox's start-up cost and the tracer's;
 * - the small sdist's wheel built directly on the host by the same backend in the same environment (PEP 517
 *   build_wheel, no isolation, no tracing: the baseline) against `buildSdist` (unpack, hooks, wheel, trace, findings),
 *   with the dependencies resolved and the build environment made once before (warm);
 * and once, cold: the first build with an empty cache (resolving with pip, fetching, making the environment).
 *
 * Run: node --import tsx bench/sandbox-startup.ts [--rounds 15]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSdist } from '../src/sandbox/build.js';
import { resolveWheels } from '../src/sandbox/dependencies.js';
import { driverSource } from '../src/sandbox/driver-result.js';
import { buildEnvironment } from '../src/sandbox/environment.js';
import { sandboxHost } from '../src/sandbox/host.js';
import { resolveSandboxLimits } from '../src/sandbox/limits.js';
import { runSandboxed } from '../src/sandbox/run.js';
import { argValue, median, serveIndex, smallSdist } from './sandbox-common.js';

const rounds = Number(argValue('--rounds', '15'));
const host = await sandboxHost();
const index = await serveIndex();
const limits = resolveSandboxLimits();
const sdist = smallSdist();

// Cold: an empty cache.
const coldCache = mkdtempSync(join(tmpdir(), 'gatehouse-bench-cold-'));
let t = performance.now();
const cold = await buildSdist(sdist, { host, indexUrl: index.url, cacheDir: coldCache, outDir: mkdtempSync(join(tmpdir(), 'gatehouse-bench-out-')) });
const coldMs = performance.now() - t;
if (cold.status !== 'built') throw new Error(`the small sdist did not build: ${cold.reason}`);
const wheels = await resolveWheels(['setuptools'], { indexUrl: index.url, python: host.python.executable, cacheDir: coldCache });
t = performance.now();
const scratchCache = mkdtempSync(join(tmpdir(), 'gatehouse-bench-env-'));
await buildEnvironment(host, wheels, scratchCache, limits);
const envMs = performance.now() - t;
rmSync(scratchCache, { recursive: true, force: true });
const env = await buildEnvironment(host, wheels, coldCache, limits);

const samples: Record<string, number[]> = { hostPython: [], sandboxPython: [], tracedPython: [], hostBuild: [], sandboxBuild: [] };
/** The same driver, backend and environment on the host: no namespaces, no read-only system, no tracing. */
const hostBuild = (): void => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-host-'));
  const r = spawnSync(join(env, 'bin', 'python3'), ['-I', driverSource, 'build', sdist, join(dir, 'out')], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, GATEHOUSE_DRIVER_WORK: join(dir, 'work'), GATEHOUSE_DRIVER_PYTHON: join(env, 'bin', 'python') },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0 || !String(r.output[3]).includes('"status": "built"')) throw new Error(`host build failed: ${r.stderr}`);
  rmSync(dir, { recursive: true, force: true });
};
const steps: [string, () => Promise<void> | void][] = [
  ['hostPython', () => void spawnSync(host.python.executable, ['-c', 'pass'])],
  ['sandboxPython', async () => void (await runSandboxed({ host, limits, command: [host.python.executable, '-c', 'pass'], trace: false }))],
  ['tracedPython', async () => void (await runSandboxed({ host, limits, command: [host.python.executable, '-c', 'pass'], trace: true }))],
  ['hostBuild', hostBuild],
  ['sandboxBuild', async () => {
    const r = await buildSdist(sdist, { host, indexUrl: index.url, cacheDir: coldCache, outDir: mkdtempSync(join(tmpdir(), 'gatehouse-bench-out-')) });
    if (r.status !== 'built') throw new Error(r.reason);
  }],
];
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? steps : [...steps].reverse();
  for (const [name, step] of order) {
    const start = performance.now();
    await step();
    samples[name]!.push(performance.now() - start);
  }
}
index.stop();
const m = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) as Record<string, number>;
const ms = (x: number): string => `${x.toFixed(0)} ms`;
console.log(`rounds: ${rounds}; python ${host.python.version}; bubblewrap ${host.versions.bubblewrap}; strace ${host.versions.strace}; cgroups ${host.cgroups}`);
console.log(`python -c pass: host ${ms(m.hostPython!)}, sandbox ${ms(m.sandboxPython!)} (+${ms(m.sandboxPython! - m.hostPython!)}), sandbox + strace ${ms(m.tracedPython!)} (+${ms(m.tracedPython! - m.hostPython!)})`);
console.log(`small sdist: host build ${ms(m.hostBuild!)}, gatehouse build (sandbox + trace, warm) ${ms(m.sandboxBuild!)}: ${(m.sandboxBuild! / m.hostBuild!).toFixed(2)}x the host build`);
console.log(`cold first build (pip resolution, fetch, environment): ${ms(coldMs)}; making the setuptools environment alone: ${ms(envMs)}`);
console.log(`target: median build + trace of a small sdist <= 3000 ms: ${m.sandboxBuild! <= 3000 ? 'met' : 'NOT met'}`);
