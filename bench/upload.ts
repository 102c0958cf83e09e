/**
 * Hosted upload latency with the default policy: a real `gatehouse serve` process (SQLite, default settings, so
 * every upload is checked, scanned in a scanning thread, judged and recorded) receives small wheels one at a time,
 * as twine sends them; the median is the figure. Baseline, in the same run: a bare node:http server that reads the
 * same multipart body and answers 200, which is what the network and the client cost alone.
 *
 *   node --import tsx bench/upload.ts [--uploads 60] [--rounds 3]
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openStorage } from '../src/store/index.js';
import { buildWheel } from '../test/helpers/wheels.js';

const { values } = parseArgs({ options: { uploads: { type: 'string', default: '60' }, rounds: { type: 'string', default: '3' } } });
const UPLOADS = Number(values.uploads);
const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function form(name: string, version: string, wheel: ReturnType<typeof buildWheel>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries({ ':action': 'file_upload', protocol_version: '1', name, version, filetype: 'bdist_wheel', sha256_digest: wheel.sha256 })) f.append(k, v);
  f.append('content', new Blob([new Uint8Array(wheel.data)]), wheel.filename);
  return f;
}

async function timeUploads(url: string, token: string, round: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < UPLOADS; i++) {
    const version = `${round}.${i}`;
    const wheel = buildWheel('bench-upload', version, { files: { 'bench_upload/core.py': `def f(x):\n    return x * ${i}\n`.repeat(50) } });
    const body = form('bench-upload', version, wheel);
    const started = performance.now();
    const res = await fetch(`${url}/legacy/`, { method: 'POST', headers: { authorization: `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}` }, body });
    await res.text();
    times.push(performance.now() - started);
    if (res.status !== 200) throw new Error(`upload ${version}: ${res.status} ${res.statusText}`);
  }
  return times;
}

const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-upload-'));
const storage = await openStorage({ dataDir });
const { secret } = await storage.tokens.create({ scope: 'upload', projects: [], allProjects: true, description: 'bench', expiresAt: null });
await storage.close();
const gateway = spawn(process.execPath, ['--import', 'tsx', cli, 'serve', '--port', '0', '--data', dataDir, '--no-upstream'], { stdio: ['ignore', 'pipe', 'inherit'] });
const gatewayUrl = await new Promise<string>((resolve, reject) => {
  gateway.on('exit', (code) => reject(new Error(`gateway exited ${code}`)));
  createInterface({ input: gateway.stdout! }).on('line', (l) => {
    const e = JSON.parse(l) as { address?: string };
    if (e.address) resolve(e.address);
  });
});
const bare = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.end('{"ok":true}'));
});
await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;

try {
  // One upload first: it starts the scanning thread and loads the rules, once per gateway process.
  await timeUploads(gatewayUrl, secret, 999).catch(() => undefined);
  const g: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    const baseline = median(await timeUploads(bareUrl, secret, 100 + round));
    const gate = median(await timeUploads(gatewayUrl, secret, round));
    b.push(baseline);
    g.push(gate);
    console.error(`round ${round + 1}: bare ${baseline.toFixed(1)} ms, gatehouse ${gate.toFixed(1)} ms (median of ${UPLOADS}); load ${loadavg()[0]!.toFixed(1)}`);
  }
  console.log(
    JSON.stringify({
      uploads_per_round: UPLOADS,
      gatehouse_median_ms: Number(median(g).toFixed(1)),
      bare_median_ms: Number(median(b).toFixed(1)),
      ratio: Number((median(g) / median(b)).toFixed(1)),
      target_ms: 50,
      load: Number(loadavg()[0]!.toFixed(1)),
    }),
  );
} finally {
  bare.close();
  gateway.kill('SIGTERM');
  await new Promise((r) => gateway.once('exit', r));
  await rm(dataDir, { recursive: true, force: true });
}
