/**
 * The gateway in front of a real index: /opt/pypi (real PyPI wheels, a static PEP 503 tree with no JSON API) served
 * by `python3 -m http.server`, which answers HTTP/1.0 and closes every connection. The gateway runs as shipped (the
 * built bundle, `gatehouse serve` in a process of its own, so its memory is its own), and pip (`--isolated`, no
 * cache) talks to it alone:
 * - `pip install requests` installs requests and its four dependencies, each file fetched, verified and cached;
 * - `pip download` of the largest wheel (tensorflow_cpu, 274 MB) arrives with the sha256 the static tree lists,
 *   while the gateway's resident memory stays under 150 MiB (its peak, VmHWM, over its whole life).
 * Fails, not skips, where /opt/pypi is missing.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildShippedCommand } from '../helpers/built.js';
import { SERVE_NODE_FLAGS } from '../../src/cli/serve-flags.js';
import { startServeProcess, type ServeProcess } from '../helpers/cli.js';
import { isolatedPipEnv, runCommand } from '../helpers/packages.js';
import { proxyOnlyConfig, serveDirectory, type StaticIndex } from '../helpers/static-index.js';

const PYPI = '/opt/pypi';
const RSS_LIMIT_KIB = 150 * 1024;

let work: string;
let index: StaticIndex;
let gateway: ServeProcess;

before(async () => {
  index = await serveDirectory(PYPI);
  work = await mkdtemp(join(tmpdir(), 'gatehouse-real-upstream-'));
  const config = join(work, 'gatehouse.toml');
  // The policy's analyzers off: this measures the proxy's own memory while a file streams through it.
  await writeFile(config, proxyOnlyConfig(index.origin));
  const env: NodeJS.ProcessEnv = { GATEHOUSE_UPSTREAMS: undefined, GATEHOUSE_CONFIG: undefined, GATEHOUSE_DATA: undefined, GATEHOUSE_DATABASE: undefined };
  // The Node flags `npm start` runs the gateway with (src/cli/serve-flags.ts).
  gateway = await startServeProcess(['--config', config, '--data', join(work, 'data')], { entry: buildShippedCommand(work), env, nodeFlags: [...SERVE_NODE_FLAGS] });
});

after(async () => {
  if (gateway !== undefined && gateway.child.exitCode === null) {
    const exited = new Promise((resolve) => gateway.child.once('exit', resolve));
    gateway.child.kill('SIGTERM');
    await exited;
  }
  await index?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

function pip(...args: string[]) {
  return runCommand('python3', ['-m', 'pip', '--isolated', ...args, '--no-cache-dir', '--disable-pip-version-check', '--index-url', `${gateway.url}/simple/`], {
    env: isolatedPipEnv(),
  });
}

/** `VmRSS` or `VmHWM` of a process, in KiB. */
function memoryOf(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (match === null) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(match[1]);
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

test('pip install requests through the gateway: requests and its four dependencies, each fetched, verified and cached', async () => {
  const target = join(work, 'requests');
  const r = await pip('install', '--target', target, 'requests');
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const installed = (await readdir(target)).filter((f) => f.endsWith('.dist-info')).map((f) => f.replace(/-[^-]+\.dist-info$/, '').toLowerCase());
  assert.deepEqual(installed.sort(), ['certifi', 'charset_normalizer', 'idna', 'requests', 'urllib3']);
  const cached = gateway.logs.filter((l) => l.msg === 'file fetched, verified and cached').map((l) => String(l.project));
  assert.deepEqual(cached.sort(), ['certifi', 'charset-normalizer', 'idna', 'requests', 'urllib3']);
});

test('pip download of the 274 MB tensorflow_cpu wheel: the listed sha256, and the gateway under 150 MiB of memory', { timeout: 180_000 }, async (t) => {
  const listing = readFileSync(join(PYPI, 'simple/tensorflow-cpu/index.html'), 'utf8');
  const [, filename, sha256] = /href="[^"]*\/([^/"#]+\.whl)#sha256=([0-9a-f]{64})"/.exec(listing) ?? [];
  assert.ok(filename !== undefined && sha256 !== undefined, 'the static tree lists the tensorflow_cpu wheel with its sha256');
  const size = statSync(join(PYPI, 'files', filename)).size;
  assert.ok(size > 250_000_000, `${filename} is the 274 MB wheel (${size} bytes)`);

  const pid = gateway.child.pid!;
  const before = memoryOf(pid, 'VmRSS');
  let peakSampled = 0;
  const sampler = setInterval(() => (peakSampled = Math.max(peakSampled, memoryOf(pid, 'VmRSS'))), 50);
  const dest = join(work, 'download');
  let r;
  try {
    r = await pip('download', '--no-deps', '--dest', dest, 'tensorflow-cpu');
  } finally {
    clearInterval(sampler);
  }
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.deepEqual(await readdir(dest), [filename]);
  assert.equal(statSync(join(dest, filename)).size, size);
  assert.equal(await sha256Of(join(dest, filename)), sha256);
  assert.ok(gateway.logs.some((l) => l.msg === 'file fetched, verified and cached' && l.filename === filename), 'fetched from the upstream, not served from elsewhere');

  // VmHWM catches peaks between samples; the kernel updates it lazily, so a sample can be a little higher.
  const peak = Math.max(memoryOf(pid, 'VmHWM'), peakSampled);
  t.diagnostic(`gateway RSS: ${(before / 1024).toFixed(0)} MiB before the download, ${(peak / 1024).toFixed(0)} MiB at its peak`);
  assert.ok(peak < RSS_LIMIT_KIB, `the gateway's resident memory peaked at ${(peak / 1024).toFixed(0)} MiB (${(before / 1024).toFixed(0)} MiB before the download)`);
});
