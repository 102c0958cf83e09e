/**
 * The caching proxy against its baselines, each measured in the same run (issue 10). The upstream is /opt/pypi (real
 * PyPI wheels, a static PEP 503 tree) served by `python3 -m http.server`; the gateway is the shipped bundle
 * (`scripts/build.mjs`) run as `npm start` runs it (`gatehouse serve` in a process of its own, with the Node flags of
 * src/cli/serve-flags.ts), SQLite, default settings but for the policy's analyzers and cooldown, which are off (the
 * proxy's own cost is measured here).
 *
 *   (a) page:    a proxied project page from the warm cache under `wrk -t2 -c50`, against a bare node:http server
 *                returning the same bytes and headers from memory. Target >= 0.5.
 *   (b) install: `pip install` (--isolated, no pip cache) of 20 pure-Python projects (39 wheels with their
 *                dependencies, all in /opt/pypi) through the gateway with everything cached, against the same install
 *                straight from the static upstream. Target: overhead <= 10%.
 *   (c) cold:    the first request for a large wheel through the gateway (a fresh data directory per round, so
 *                nothing is cached: fetched, verified, written and served at once), against fetching it from the
 *                upstream directly; both with curl. Target >= 0.8. Each fresh gateway first serves one other wheel
 *                cold (about 50 MB), then waits for V8's next full collection (the memory reducer's, seconds later),
 *                so that what is measured is the cold path of a gateway that has been running: its code compiled, its
 *                heap sized from what is live (a process measured straight after its start is neither). The full
 *                collections during each cold file are counted. The same file again from the cache is reported too,
 *                the gateway's CPU seconds per GB, and the client that matters: `pip download` of the largest wheel
 *                from a fresh (warmed) gateway against the same straight from the upstream (throughput ratio: direct
 *                time / gateway's). Two yardsticks are measured in the same rounds, with curl: the least any caching
 *                proxy must do with a cold file (receive, sha256, write, send), written as plainly as possible in
 *                Python (one thread, 1 MiB reads) and in Node (bench/floor/): what the machine and the runtime allow.
 *
 * Rounds alternate the two sides (and which goes first), so background load hits both alike; medians are reported,
 * with the load average seen during each part.
 *
 *   (m) memory:  not a target of its own (the e2e test checks the 274 MB wheel under 150 MiB): the peak RSS of a
 *                fresh gateway whose first file is the largest wheel, with Node's default flags, with those of
 *                `npm start`, and with others that bound it. Only with `--parts m`.
 *
 *   (p) parts:   what bounds (c): the CPU seconds per GB, in this process, of each part of the gateway's work on the
 *                largest wheel, alone: undici receiving it from the static upstream and dropping it (as a body
 *                stream, as the gateway reads it, and with a dispatch handler, the leanest undici API), plus sha256,
 *                plus writing it to a temporary file in batches as upstream/shared-download.ts does. Sending is
 *                what (c) measures as the gateway's cost of a cached file. Only with `--parts p`.
 *
 *   node --import tsx bench/proxy.ts [--parts a,b,c,m,p] [--rounds 5] [--duration 10] [--files 3] [--page numpy]
 *                                    ["--node-flags=--max-semi-space-size=2 ..."]   (the gateway's, instead of npm start's)
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, open, rm, unlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs, promisify } from 'node:util';
import { Agent } from 'undici';
import { SERVE_NODE_FLAGS } from '../src/cli/serve-flags.js';
import { buildShippedCommand } from '../test/helpers/built.js';
import { isolatedPipEnv } from '../test/helpers/packages.js';
import { proxyOnlyConfig, serveDirectory } from '../test/helpers/static-index.js';

const { values } = parseArgs({
  options: {
    parts: { type: 'string', default: 'a,b,c' },
    rounds: { type: 'string', default: '5' },
    duration: { type: 'string', default: '10' },
    files: { type: 'string', default: '3' },
    page: { type: 'string', default: 'numpy' },
    /** The gateway's Node flags, space-separated, instead of those of `npm start` (for comparing them). */
    'node-flags': { type: 'string' },
  },
});
const PYPI = '/opt/pypi';
const parts = new Set(values.parts!.split(','));
const rounds = Number(values.rounds);
const JSON_V1 = 'application/vnd.pypi.simple.v1+json';
/** 20 pure-Python projects whose dependencies are all in /opt/pypi, and pure Python too: 39 wheels, 31.5 MB. */
const INSTALL_SET = [
  'arrow', 'attrs', 'babel', 'beautifulsoup4', 'bleach', 'boto3', 'cachetools', 'cattrs', 'click', 'colorama',
  'decorator', 'docutils', 'httpx', 'packaging', 'pyparsing', 'pytest', 'python-dateutil', 'rich', 'toml', 'tqdm',
];

const run = promisify(execFile);

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** CPU seconds process `pid` has used so far, all its threads: utime + stime, fields 14 and 15 of /proc/<pid>/stat. */
function cpuSecondsOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks, 100 a second on Linux
}

/** The 1-minute load average, sampled through a part: the machine is shared. */
class LoadSampler {
  private readonly seen: number[] = [];
  sample(): void {
    this.seen.push(loadavg()[0]!);
  }
  get range(): string {
    return `${Math.min(...this.seen).toFixed(1)}-${Math.max(...this.seen).toFixed(1)}`;
  }
}

interface Gateway {
  url: string;
  /** V8's full collections (mark-compact) so far. */
  fullCollections(): number; // (with traceGc)
  /**
   * Resolves at V8's next full collection. An idle process has one some seconds after its work (the memory reducer),
   * and from then on sizes its heap from what is live: the state of a gateway that has been running for a while,
   * which a process measured straight after its start is not.
   */
  settled(): Promise<void>;
  /** `VmHWM`: the process's peak resident memory so far, in MiB. */
  peakRssMiB(): number;
  /** CPU seconds the gateway process has used so far (user + system). */
  cpuSeconds(): number;
  logs: Array<Record<string, unknown>>;
  /** Resolves once the log says the file is stored. */
  stored(filename: string): Promise<void>;
  stop(): Promise<void>;
}

const work = await mkdtemp(join(tmpdir(), 'gatehouse-bench-proxy-'));
const main = buildShippedCommand(work);
const upstream = await serveDirectory(PYPI);
const config = join(work, 'gatehouse.toml');
// The policy's analyzers off, as in test/e2e/real-upstream.test.ts: this measures the proxy itself.
await writeFile(config, proxyOnlyConfig(upstream.origin));
let dirs = 0;

/**
 * Starts the gateway as `npm start` does (its Node flags, src/cli/serve-flags.ts), or with `--node-flags`, or
 * `nodeFlags`; with `traceGc`, also with `--trace-gc`, whose lines (the only ones on stdout that are not JSON) count
 * V8's full collections.
 */
const gatewayFlags: readonly string[] = values['node-flags'] === undefined ? SERVE_NODE_FLAGS : values['node-flags'].split(' ').filter(Boolean);

async function startGateway(nodeFlags: readonly string[] = gatewayFlags, traceGc = false): Promise<Gateway> {
  const dataDir = join(work, `data-${++dirs}`);
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'production' };
  for (const name of ['GATEHOUSE_UPSTREAMS', 'GATEHOUSE_CONFIG', 'GATEHOUSE_DATA', 'GATEHOUSE_DATABASE', 'NODE_OPTIONS']) delete env[name];
  const child: ChildProcess = spawn(process.execPath, [...nodeFlags, ...(traceGc ? ['--trace-gc'] : []), main, 'serve', '--port', '0', '--data', dataDir, '--config', config], { stdio: ['ignore', 'pipe', 'inherit'], env });
  const logs: Array<Record<string, unknown>> = [];
  const waiting = new Map<string, () => void>();
  let fullCollections = 0;
  let onFullCollection = (): void => {};
  const url = await new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => reject(new Error(`gateway exited ${code}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) {
        if (/: Mark-Compact/.test(line)) {
          fullCollections++;
          onFullCollection();
        }
        return;
      }
      const entry = JSON.parse(line) as Record<string, unknown>;
      logs.push(entry);
      if (typeof entry.address === 'string') resolve(entry.address);
      if (entry.msg === 'file fetched, verified and cached') waiting.get(String(entry.filename))?.();
    });
  });
  return {
    url,
    logs,
    fullCollections: () => fullCollections,
    settled: () =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no full collection within 60 s of the warm-up')), 60_000);
        onFullCollection = () => {
          clearTimeout(timer);
          onFullCollection = () => {};
          resolve();
        };
      }),
    peakRssMiB: () => Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024,
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    stored: (filename) =>
      logs.some((l) => l.msg === 'file fetched, verified and cached' && l.filename === filename)
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiting.set(filename, resolve)),
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

async function wrk(url: string, accept: string): Promise<number> {
  const { stdout } = await run('wrk', ['-t2', '-c50', `-d${values.duration}s`, '-H', `Accept: ${accept}`, url], { encoding: 'utf8' });
  const m = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  if (!m) throw new Error(`cannot read wrk output:\n${stdout}`);
  if (/Non-2xx or 3xx responses/.test(stdout)) throw new Error(`errors during the run:\n${stdout}`);
  return Number(m[1]);
}

/** GET with curl: seconds and bytes, checked to be a 200 of `size` bytes. */
async function curl(url: string, size: number): Promise<number> {
  const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code} %{size_download} %{time_total}', url], { encoding: 'utf8' });
  const [status, bytes, seconds] = stdout.trim().split(' ');
  if (status !== '200' || Number(bytes) !== size) throw new Error(`${url}: ${status}, ${bytes} bytes of ${size}`);
  return Number(seconds);
}

async function pipInstall(indexUrl: string): Promise<number> {
  const target = await mkdtemp(join(work, 'target-'));
  const started = performance.now();
  try {
    await run(
      'python3',
      ['-m', 'pip', '--isolated', 'install', '--no-cache-dir', '--disable-pip-version-check', '--quiet', '--only-binary', ':all:', '--target', target, '--index-url', indexUrl, ...INSTALL_SET],
      { env: isolatedPipEnv(), maxBuffer: 1 << 26 },
    );
    return (performance.now() - started) / 1000;
  } finally {
    await rm(target, { recursive: true, force: true });
  }
}

/** `pip download --no-deps` of one project: seconds, checked to have saved `filename` whole. */
async function pipDownload(indexUrl: string, project: string, filename: string, size: number): Promise<number> {
  const dest = await mkdtemp(join(work, 'download-'));
  const started = performance.now();
  try {
    await run('python3', ['-m', 'pip', '--isolated', 'download', '--no-deps', '--no-cache-dir', '--disable-pip-version-check', '--quiet', '--dest', dest, '--index-url', indexUrl, project], {
      env: isolatedPipEnv(),
      maxBuffer: 1 << 26,
    });
    const seconds = (performance.now() - started) / 1000;
    if (statSync(join(dest, filename)).size !== size) throw new Error(`pip saved a ${filename} of another size`);
    return seconds;
  } finally {
    await rm(dest, { recursive: true, force: true });
  }
}

const results: Record<string, unknown>[] = [];

async function pagePart(): Promise<void> {
  const load = new LoadSampler();
  const gateway = await startGateway();
  try {
    const pageUrl = `${gateway.url}/simple/${values.page}/`;
    const res = await fetch(pageUrl, { headers: { accept: JSON_V1 } });
    if (res.status !== 200) throw new Error(`${pageUrl}: ${res.status}`);
    const body = Buffer.from(await res.arrayBuffer());
    const warm = await fetch(pageUrl, { headers: { accept: JSON_V1 } });
    await warm.arrayBuffer();
    if (warm.headers.get('x-cache-status') !== 'HIT') throw new Error(`the page is not served from the cache: ${warm.headers.get('x-cache-status')}`);
    const kept = ['content-type', 'etag', 'vary', 'cache-control', 'x-content-type-options', 'x-gatehouse-source', 'x-cache-status', 'age'];
    const headers = Object.fromEntries([...warm.headers].filter(([k]) => kept.includes(k)));
    const bare = createServer((_req, reply) => {
      reply.writeHead(200, { ...headers, 'content-length': body.length });
      reply.end(body);
    });
    await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
    const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}/simple/${values.page}/`;
    const g: number[] = [];
    const b: number[] = [];
    for (let round = 0; round < rounds; round++) {
      load.sample();
      if (round % 2 === 0) {
        b.push(await wrk(bareUrl, JSON_V1));
        g.push(await wrk(pageUrl, JSON_V1));
      } else {
        g.push(await wrk(pageUrl, JSON_V1));
        b.push(await wrk(bareUrl, JSON_V1));
      }
      load.sample();
      console.error(`(a) round ${round + 1}: bare node:http ${b.at(-1)!.toFixed(0)} req/s, gatehouse ${g.at(-1)!.toFixed(0)} req/s, load ${loadavg()[0]!.toFixed(1)}`);
    }
    bare.close();
    results.push({
      part: 'a: warm project page under wrk -t2 -c50',
      page: `/simple/${values.page}/ (PEP 691 JSON, ${body.length} bytes)`,
      gatehouse_rps: Math.round(median(g)),
      bare_node_http_rps: Math.round(median(b)),
      ratio: Number((median(g) / median(b)).toFixed(3)),
      target: '>= 0.5',
      load: load.range,
    });
  } finally {
    await gateway.stop();
  }
}

async function installPart(): Promise<void> {
  const load = new LoadSampler();
  const gateway = await startGateway();
  try {
    const direct = `${upstream.origin}/simple/`;
    const through = `${gateway.url}/simple/`;
    // Warm-up: fills the gateway's cache (every page and file) and the static server's page cache.
    await pipInstall(through);
    await pipInstall(direct);
    const cached = gateway.logs.filter((l) => l.msg === 'file fetched, verified and cached').length;
    if (cached !== 39) throw new Error(`expected the 39 wheels of the set to be cached after the warm-up, found ${cached}`);
    const g: number[] = [];
    const d: number[] = [];
    for (let round = 0; round < rounds; round++) {
      load.sample();
      if (round % 2 === 0) {
        d.push(await pipInstall(direct));
        g.push(await pipInstall(through));
      } else {
        g.push(await pipInstall(through));
        d.push(await pipInstall(direct));
      }
      load.sample();
      console.error(`(b) round ${round + 1}: straight from the upstream ${d.at(-1)!.toFixed(2)} s, through the gateway ${g.at(-1)!.toFixed(2)} s, load ${loadavg()[0]!.toFixed(1)}`);
    }
    const refetched = gateway.logs.filter((l) => l.msg === 'file fetched, verified and cached').length - cached;
    results.push({
      part: 'b: warm pip install of 20 projects (39 wheels, 31.5 MB)',
      gatehouse_s: Number(median(g).toFixed(2)),
      upstream_direct_s: Number(median(d).toFixed(2)),
      // Each round's two installs ran back to back, under the same load: the median of their ratios is the figure;
      // the ratio of the two medians is given too.
      overhead: `${((median(g.map((x, i) => x / d[i]!)) - 1) * 100).toFixed(1)}%`,
      overhead_of_medians: `${((median(g) / median(d) - 1) * 100).toFixed(1)}%`,
      target: '<= 10%',
      load: load.range,
      ...(refetched > 0 ? { warning: `${refetched} files fetched again during the rounds` } : {}),
    });
  } finally {
    await gateway.stop();
  }
}

/** A reference proxy of bench/floor/ in a process of its own, in front of the static upstream. */
interface Floor {
  label: string;
  url: string;
  cpuSeconds(): number;
  stop(): void;
}

async function startFloor(label: string, command: string, script: string): Promise<Floor> {
  const temp = await mkdtemp(join(work, 'floor-'));
  const { hostname, port } = new URL(upstream.origin);
  const child = spawn(command, [join(import.meta.dirname, 'floor', script), hostname, port, temp], { stdio: ['ignore', 'pipe', 'inherit'] });
  const listening = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`bench/floor/${script} exited ${code}`)));
    createInterface({ input: child.stdout! }).once('line', resolve);
  });
  return {
    label,
    url: `http://127.0.0.1:${listening.trim()}`,
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    stop: () => child.kill(),
  };
}

async function coldPart(): Promise<void> {
  const load = new LoadSampler();
  const all = readdirSync(join(PYPI, 'files'))
    .filter((f) => f.endsWith('.whl'))
    .map((name) => ({ name, size: statSync(join(PYPI, 'files', name)).size }))
    .sort((a, b) => b.size - a.size);
  const wheels = all.slice(0, Number(values.files));
  /** What each fresh gateway serves cold first: the wheel nearest 50 MB. */
  const warmUp = all.slice(wheels.length).reduce((best, w) => (Math.abs(w.size - 50e6) < Math.abs(best.size - 50e6) ? w : best));
  const projects = readdirSync(join(PYPI, 'simple')).filter((p) => statSync(join(PYPI, 'simple', p)).isDirectory());
  const projectOf = new Map([...wheels, warmUp].map((w) => [w.name, projects.find((p) => readFileSync(join(PYPI, 'simple', p, 'index.html'), 'utf8').includes(`/${w.name}#`))!]));
  /** The URL a gateway's page lists the file at (which fetches and caches the page). */
  const listedUrl = async (gateway: Gateway, filename: string): Promise<string> => {
    const pageUrl = `${gateway.url}/simple/${projectOf.get(filename)}/`;
    const page = (await (await fetch(pageUrl, { headers: { accept: JSON_V1 } })).json()) as { files: Array<{ filename: string; url: string }> };
    return new URL(page.files.find((f) => f.filename === filename)!.url, pageUrl).href;
  };
  const freshGateway = async (): Promise<Gateway> => {
    const gateway = await startGateway(gatewayFlags, true);
    await curl(await listedUrl(gateway, warmUp.name), warmUp.size);
    await gateway.stored(warmUp.name);
    await gateway.settled();
    return gateway;
  };
  const series = () => new Map<string, number[]>(wheels.map((w) => [w.name, []]));
  const cold = series();
  const warm = series();
  const direct = series();
  /** The gateway's CPU seconds per GB, cold and from the cache: how much work a byte costs, whatever the load. */
  const coldCpu: number[] = [];
  const warmCpu: number[] = [];
  /** V8's full collections while a cold file came through. */
  const coldCollections: number[] = [];
  const floors = [await startFloor('python', 'python3', 'proxy.py'), await startFloor('node', process.execPath, 'proxy.mjs')];
  const floorRate = new Map(floors.map((f) => [f.label, [] as number[]]));
  const floorCpu = new Map(floors.map((f) => [f.label, [] as number[]]));
  try {
    for (const w of wheels) await curl(`${upstream.origin}/files/${w.name}`, w.size); // the static server's page cache
    for (let round = 0; round < rounds; round++) {
      // A fresh data directory: nothing cached.
      const gateway = await freshGateway();
      try {
        for (const w of wheels) {
          const fileUrl = await listedUrl(gateway, w.name);
          const directUrl = `${upstream.origin}/files/${w.name}`;
          load.sample();
          if (round % 2 === 0) direct.get(w.name)!.push(w.size / (await curl(directUrl, w.size)));
          let cpu = gateway.cpuSeconds();
          const collections = gateway.fullCollections();
          cold.get(w.name)!.push(w.size / (await curl(fileUrl, w.size)));
          await gateway.stored(w.name);
          coldCpu.push((gateway.cpuSeconds() - cpu) / (w.size / 1e9));
          coldCollections.push(gateway.fullCollections() - collections);
          for (const floor of round % 2 === 0 ? floors : [...floors].reverse()) {
            const before = floor.cpuSeconds();
            floorRate.get(floor.label)!.push(w.size / (await curl(`${floor.url}/files/${w.name}`, w.size)));
            floorCpu.get(floor.label)!.push((floor.cpuSeconds() - before) / (w.size / 1e9));
          }
          if (round % 2 === 1) direct.get(w.name)!.push(w.size / (await curl(directUrl, w.size)));
          cpu = gateway.cpuSeconds();
          warm.get(w.name)!.push(w.size / (await curl(fileUrl, w.size)));
          warmCpu.push((gateway.cpuSeconds() - cpu) / (w.size / 1e9));
          load.sample();
          const mbps = (xs: number[]) => `${(xs.at(-1)! / 1e6).toFixed(0)} MB/s`;
          console.error(
            `(c) round ${round + 1} ${w.name}: direct ${mbps(direct.get(w.name)!)}, gatehouse cold ${mbps(cold.get(w.name)!)} (${coldCpu.at(-1)!.toFixed(2)} CPU s/GB, ${coldCollections.at(-1)} full GCs), cached ${mbps(warm.get(w.name)!)} (${warmCpu.at(-1)!.toFixed(2)} CPU s/GB), ` +
              `${floors.map((f) => `${f.label} floor ${mbps(floorRate.get(f.label)!)} (${floorCpu.get(f.label)!.at(-1)!.toFixed(2)})`).join(', ')}, load ${loadavg()[0]!.toFixed(1)}`,
          );
        }
      } finally {
        await gateway.stop();
      }
    }
  } finally {
    for (const floor of floors) floor.stop();
  }
  // The client that matters: pip, downloading the largest wheel from a fresh gateway and straight from the upstream.
  const largest = wheels[0]!;
  const pipCold: number[] = [];
  const pipDirect: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const gateway = await freshGateway();
    try {
      load.sample();
      const direct = () => pipDownload(`${upstream.origin}/simple/`, projectOf.get(largest.name)!, largest.name, largest.size);
      const through = () => pipDownload(`${gateway.url}/simple/`, projectOf.get(largest.name)!, largest.name, largest.size);
      if (round % 2 === 0) pipDirect.push(await direct());
      pipCold.push(await through());
      await gateway.stored(largest.name);
      if (round % 2 === 1) pipDirect.push(await direct());
      load.sample();
      console.error(`(c) round ${round + 1} pip download ${largest.name}: direct ${pipDirect.at(-1)!.toFixed(2)} s, gatehouse cold ${pipCold.at(-1)!.toFixed(2)} s, load ${loadavg()[0]!.toFixed(1)}`);
    } finally {
      await gateway.stop();
    }
  }
  const flat = (m: Map<string, number[]>) => [...m.values()].flat();
  const directMedian = median(flat(direct));
  results.push({
    part: 'c: cold file throughput (first request, nothing cached), curl',
    files: wheels.map((w) => `${w.name} (${(w.size / 1e6).toFixed(0)} MB)`),
    warm_up: `${warmUp.name} (${(warmUp.size / 1e6).toFixed(0)} MB), cold, on each fresh gateway first`,
    per_file: wheels.map((w) => ({
      file: w.name,
      direct_MBps: Math.round(median(direct.get(w.name)!) / 1e6),
      gatehouse_cold_MBps: Math.round(median(cold.get(w.name)!) / 1e6),
      gatehouse_cached_MBps: Math.round(median(warm.get(w.name)!) / 1e6),
    })),
    direct_MBps: Math.round(directMedian / 1e6),
    gatehouse_cold_MBps: Math.round(median(flat(cold)) / 1e6),
    gatehouse_cached_MBps: Math.round(median(flat(warm)) / 1e6),
    ratio: Number((median(flat(cold)) / directMedian).toFixed(3)),
    cached_ratio: Number((median(flat(warm)) / directMedian).toFixed(3)),
    gatehouse_cpu_s_per_GB: { cold: Number(median(coldCpu).toFixed(2)), cached: Number(median(warmCpu).toFixed(2)) },
    gatehouse_full_gcs_per_cold_file: median(coldCollections),
    node_flags: gatewayFlags.join(' '),
    floors: Object.fromEntries(
      floors.map((f) => [
        f.label,
        { MBps: Math.round(median(floorRate.get(f.label)!) / 1e6), ratio: Number((median(floorRate.get(f.label)!) / directMedian).toFixed(3)), cpu_s_per_GB: Number(median(floorCpu.get(f.label)!).toFixed(2)) },
      ]),
    ),
    pip_download: {
      file: largest.name,
      direct_s: Number(median(pipDirect).toFixed(2)),
      gatehouse_cold_s: Number(median(pipCold).toFixed(2)),
      ratio: Number((median(pipDirect) / median(pipCold)).toFixed(3)),
    },
    target: '>= 0.8',
    load: load.range,
  });
}

/**
 * (m) The peak resident memory (VmHWM) of a fresh gateway whose first file is the largest wheel, cold, with Node's
 * default flags and with the V8 flags that bound what a streaming transfer adds: a young generation that stays
 * small (`--max-semi-space-size`), and undici's HTTP parser (WebAssembly) left unoptimized (`--liftoff-only`),
 * whose optimization at the start of the first large transfer is a passing spike.
 */
async function memoryPart(): Promise<void> {
  const load = new LoadSampler();
  const variants: Array<[string, readonly string[]]> = [
    ['node defaults', []],
    ['--max-semi-space-size=2', ['--max-semi-space-size=2']],
    [`${SERVE_NODE_FLAGS.join(' ')} (npm start)`, SERVE_NODE_FLAGS],
    [`${SERVE_NODE_FLAGS.join(' ')} --liftoff-only`, [...SERVE_NODE_FLAGS, '--liftoff-only']],
  ];
  if (values['node-flags'] !== undefined) variants.push([`${gatewayFlags.join(' ')} (--node-flags)`, gatewayFlags]);
  const wheel = readdirSync(join(PYPI, 'files'))
    .map((name) => ({ name, size: statSync(join(PYPI, 'files', name)).size }))
    .sort((a, b) => b.size - a.size)[0]!;
  const project = readdirSync(join(PYPI, 'simple')).find((p) => statSync(join(PYPI, 'simple', p)).isDirectory() && readFileSync(join(PYPI, 'simple', p, 'index.html'), 'utf8').includes(`/${wheel.name}#`))!;
  const peaks = new Map<string, number[]>(variants.map(([label]) => [label, []]));
  const idle = new Map<string, number[]>(variants.map(([label]) => [label, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [label, flags] of round % 2 === 0 ? variants : [...variants].reverse()) {
      const gateway = await startGateway(flags);
      try {
        load.sample();
        idle.get(label)!.push(gateway.peakRssMiB());
        const page = (await (await fetch(`${gateway.url}/simple/${project}/`, { headers: { accept: JSON_V1 } })).json()) as { files: Array<{ filename: string; url: string }> };
        const listed = page.files.find((f) => f.filename === wheel.name)!;
        await curl(new URL(listed.url, `${gateway.url}/simple/${project}/`).href, wheel.size);
        await gateway.stored(wheel.name);
        peaks.get(label)!.push(gateway.peakRssMiB());
        console.error(`(m) round ${round + 1} ${label}: ${idle.get(label)!.at(-1)!.toFixed(0)} MiB at start, peak ${peaks.get(label)!.at(-1)!.toFixed(0)} MiB, load ${loadavg()[0]!.toFixed(1)}`);
      } finally {
        await gateway.stop();
      }
    }
  }
  results.push({
    part: `m: peak RSS (VmHWM) of a fresh gateway serving ${wheel.name} (${(wheel.size / 1e6).toFixed(0)} MB) cold, curl`,
    variants: variants.map(([label]) => ({
      node_flags: label,
      start_MiB: Math.round(median(idle.get(label)!)),
      peak_median_MiB: Math.round(median(peaks.get(label)!)),
      peak_max_MiB: Math.round(Math.max(...peaks.get(label)!)),
    })),
    target: '< 150 MiB',
    load: load.range,
  });
}

/** (p) Each part of the cold path alone, in this process: CPU seconds (all threads) per GB of the largest wheel. */
async function partsPart(): Promise<void> {
  const load = new LoadSampler();
  const wheel = readdirSync(join(PYPI, 'files'))
    .map((name) => ({ name, size: statSync(join(PYPI, 'files', name)).size }))
    .sort((a, b) => b.size - a.size)[0]!;
  const agent = new Agent();
  const request = { origin: upstream.origin, path: `/files/${wheel.name}`, method: 'GET' as const };
  const asStream = async (onChunk: (chunk: Buffer) => void) => {
    const { body } = await agent.request(request);
    for await (const chunk of body) onChunk(chunk as Buffer);
  };
  const dispatched = (onChunk: (chunk: Buffer) => void) =>
    new Promise<void>((resolve, reject) => {
      agent.dispatch(request, { onRequestStart: () => {}, onResponseStart: () => {}, onResponseData: (_c, chunk) => onChunk(chunk), onResponseEnd: () => resolve(), onResponseError: (_c, error) => reject(error) });
    });
  const hashed = async () => {
    const hash = createHash('sha256');
    await asStream((chunk) => hash.update(chunk));
    hash.digest('hex');
  };
  /** As upstream/shared-download.ts writes: writev of what arrived, once 512 KiB are waiting. */
  const written = async () => {
    const path = join(work, 'parts.part');
    const handle = await open(path, 'w');
    const hash = createHash('sha256');
    let batch: Buffer[] = [];
    let bytes = 0;
    let position = 0;
    let writes = Promise.resolve();
    const write = () => {
      const [b, at] = [batch, position];
      position += bytes;
      batch = [];
      bytes = 0;
      writes = writes.then(async () => void (await handle.writev(b, at)));
    };
    await asStream((chunk) => {
      hash.update(chunk);
      batch.push(chunk);
      bytes += chunk.length;
      if (bytes >= 512 * 1024) write();
    });
    if (bytes > 0) write();
    await writes;
    await handle.close();
    await unlink(path);
  };
  const variants: Array<[string, () => Promise<void>]> = [
    ['undici receive (body stream), dropped', () => asStream(() => {})],
    ['undici receive (dispatch handler), dropped', () => dispatched(() => {})],
    ['receive + sha256', hashed],
    ['receive + sha256 + write (512 KiB writev)', written],
  ];
  const cpu = new Map<string, number[]>(variants.map(([label]) => [label, []]));
  try {
    for (let round = 0; round < rounds; round++) {
      load.sample();
      for (const [label, run] of round % 2 === 0 ? variants : [...variants].reverse()) {
        const before = process.cpuUsage();
        await run();
        const used = process.cpuUsage(before);
        cpu.get(label)!.push((used.user + used.system) / 1e6 / (wheel.size / 1e9));
      }
      load.sample();
      console.error(`(p) round ${round + 1}: ${variants.map(([label]) => `${label} ${cpu.get(label)!.at(-1)!.toFixed(2)}`).join(', ')} CPU s/GB, load ${loadavg()[0]!.toFixed(1)}`);
    }
  } finally {
    await agent.close();
  }
  results.push({
    part: `p: CPU s/GB of each part of the cold path alone, ${wheel.name} (${(wheel.size / 1e6).toFixed(0)} MB), this process`,
    cpu_s_per_GB: Object.fromEntries(variants.map(([label]) => [label, Number(median(cpu.get(label)!).toFixed(2))])),
    load: load.range,
  });
}

try {
  console.error(`bench/proxy: ${new Date().toISOString()}, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  if (parts.has('a')) await pagePart();
  if (parts.has('b')) await installPart();
  if (parts.has('c')) await coldPart();
  if (parts.has('m')) await memoryPart();
  if (parts.has('p')) await partsPart();
  for (const r of results) console.log(JSON.stringify(r));
} finally {
  await upstream.close();
  await rm(work, { recursive: true, force: true });
}
