/**
 * Serves a Simple API page under load with wrk (50 connections) from a real `gatehouse serve` process, and compares
 * it with a bare node:http server returning the same bytes from memory, in the same run. Rounds alternate between
 * the two so background load hits both alike.
 *
 *   node --import tsx bench/simple-page.ts [--duration 10] [--rounds 3]                       # one project, 50 files
 *   node --import tsx bench/simple-page.ts --page index --projects 100000 [--accept text/html]   # the project list
 */
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { SERVE_NODE_FLAGS } from '../src/cli/serve-flags.js';
import { openStorage } from '../src/store/index.js';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    page: { type: 'string', default: 'project' },
    projects: { type: 'string', default: '100000' },
    accept: { type: 'string', default: 'application/vnd.pypi.simple.v1+json' },
  },
});
const ACCEPT = values.accept!;
if (values.page !== 'project' && values.page !== 'index') throw new Error('--page is project or index');
const cli = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));

// Asynchronous, so the bare server in this process keeps serving while wrk runs.
async function wrk(url: string): Promise<number> {
  const { stdout: out } = await promisify(execFile)('wrk', ['-t2', '-c50', `-d${values.duration}s`, '-H', `Accept: ${ACCEPT}`, url], { encoding: 'utf8' });
  const m = /Requests\/sec:\s+([\d.]+)/.exec(out);
  if (!m) throw new Error(`cannot read wrk output:\n${out}`);
  if (/Non-2xx or 3xx responses/.test(out)) throw new Error(`errors during the run:\n${out}`);
  return Number(m[1]);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-'));
const storage = await openStorage({ dataDir });
for (let i = 0; i < 50; i++) {
  const version = `1.${Math.floor(i / 2)}.0`;
  const kind = i % 2 ? 'sdist' : 'wheel';
  await storage.hosted.addFile({
    projectName: 'bench-project',
    displayName: 'bench-project',
    filename: kind === 'wheel' ? `bench_project-${version}-py3-none-any.whl` : `bench_project-${version}.tar.gz`,
    version,
    canonicalVersion: version.replace(/\.0$/, ''),
    identity: kind === 'wheel' ? 'wheel -py3-none-any' : 'sdist',
    kind,
    sha256: i.toString(16).padStart(64, '0'),
    md5: '0'.repeat(32),
    blake2b_256: '0'.repeat(64),
    size: 10_000 + i,
    requiresPython: '>=3.8',
    metadataSha256: kind === 'wheel' ? 'f'.repeat(64) : null,
    metadataSize: kind === 'wheel' ? 900 : null,
    uploadedBy: null,
  });
}
if (values.page === 'index') {
  // Rows straight into the table, in one transaction: uploading 100,000 projects would only time the uploads.
  const count = Number(values.projects);
  await storage.database.db.transaction().execute(async (tx) => {
    for (let start = 0; start < count; start += 500) {
      const rows = Array.from({ length: Math.min(500, count - start) }, (_, k) => {
        const name = `project-${(start + k).toString(36).padStart(5, '0')}`;
        return { name, display_name: name, created_at: new Date().toISOString(), serial: 1 };
      });
      await tx.insertInto('project').values(rows).execute();
    }
    await tx.updateTable('serial').set({ value: count }).where('name', '=', 'projects').execute();
  });
}
await storage.close();

// With the Node flags `npm start` passes (src/cli/serve-flags.ts): the gateway as it ships.
const gateway: ChildProcess = spawn(process.execPath, [...SERVE_NODE_FLAGS, '--import', 'tsx', cli, 'serve', '--port', '0', '--data', dataDir], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, NODE_ENV: 'production' },
});
const gatewayUrl = await new Promise<string>((resolve, reject) => {
  gateway.on('exit', (code) => reject(new Error(`gateway exited ${code}`)));
  const lines = createInterface({ input: gateway.stdout! });
  lines.on('line', (l) => {
    const e = JSON.parse(l) as { address?: string };
    if (e.address) resolve(e.address);
  });
});

try {
  const path = values.page === 'index' ? '/simple/' : '/simple/bench-project/';
  const pageUrl = `${gatewayUrl}${path}`;
  const res = await fetch(pageUrl, { headers: { accept: ACCEPT } });
  const body = Buffer.from(await res.arrayBuffer());
  const headers = Object.fromEntries([...res.headers].filter(([k]) => ['content-type', 'etag', 'vary', 'cache-control', 'x-content-type-options'].includes(k)));
  const bare = createServer((_req, reply) => {
    reply.writeHead(200, { ...headers, 'content-length': body.length });
    reply.end(body);
  });
  await new Promise<void>((r) => bare.listen(0, '127.0.0.1', r));
  const bareUrl = `http://127.0.0.1:${(bare.address() as AddressInfo).port}${path}`;

  const g: number[] = [];
  const b: number[] = [];
  for (let round = 0; round < Number(values.rounds); round++) {
    b.push(await wrk(bareUrl));
    g.push(await wrk(pageUrl));
    console.error(`round ${round + 1}: bare node:http ${b.at(-1)!.toFixed(0)} req/s, gatehouse ${g.at(-1)!.toFixed(0)} req/s`);
  }
  bare.close();
  const ratio = median(g) / median(b);
  console.log(
    JSON.stringify({
      page: values.page,
      ...(values.page === 'index' ? { projects: Number(values.projects) } : {}),
      accept: ACCEPT,
      page_bytes: body.length,
      gatehouse_rps: Math.round(median(g)),
      bare_node_http_rps: Math.round(median(b)),
      ratio: Number(ratio.toFixed(3)),
      target: 0.5,
    }),
  );
} finally {
  gateway.kill('SIGTERM');
  await rm(dataDir, { recursive: true, force: true });
}
