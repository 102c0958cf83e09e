/**
 * The sandbox holds: an sdist whose setup.py connects to a listener on the host's 127.0.0.1, reads a file planted
 * in the host's real HOME, writes outside its tree, forks without end, or sleeps past the time limit. Each attempt
 * is stopped and reported, and the host is unchanged.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildSdist } from '../../src/sandbox/build.js';
import { buildFixture, makeSdist, setupRunning, type BuildFixture } from './fixtures.js';

let fx: BuildFixture;
let listener: Server;
let port: number;
const connections: string[] = [];
const tag = randomBytes(6).toString('hex');
const homeSecret = join(homedir(), `.gatehouse-holds-${tag}`);
const hostTmpTarget = join(tmpdir(), `gatehouse-escape-${tag}`);
const homeWriteTarget = join(homedir(), `gatehouse-escape-${tag}`);
const secretText = `host secret ${tag}`;

before(async () => {
  fx = await buildFixture();
  listener = createServer((socket) => {
    connections.push(String(socket.remoteAddress));
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as { port: number }).port;
  writeFileSync(homeSecret, secretText);
});

after(() => {
  fx.index.stop();
  listener.close();
  rmSync(homeSecret, { force: true });
  rmSync(hostTmpTarget, { force: true });
  rmSync(homeWriteTarget, { force: true });
});

function build(name: string, payload: string, limits = {}) {
  return buildSdist(makeSdist({ name, setupPy: setupRunning(payload, name) }), { host: fx.host, indexUrl: fx.index.url, cacheDir: fx.cacheDir, outDir: fx.outDir, limits });
}

test('connecting to the host, reading its HOME, writing outside the tree: each refused and reported, the host unchanged', async () => {
  const homeBefore = readdirSync(homedir()).sort();
  const secretMtime = statSync(homeSecret).mtimeMs;
  const payload = `
import os, socket
try:
    socket.create_connection(("127.0.0.1", ${port}), timeout=2).sendall(b"escaped")
    print("CONNECTED")
except OSError as e:
    print("connect refused:", e)
try:
    print("READ:", open(${JSON.stringify(homeSecret)}).read())
except OSError as e:
    print("home read refused:", e)
for path in [${JSON.stringify(hostTmpTarget)}, ${JSON.stringify(homeWriteTarget)}, "/usr/local/lib/gatehouse-escape", ${JSON.stringify(homeSecret)}]:
    try:
        with open(path, "w") as f:
            f.write("escaped")
        print("WROTE", path)
    except OSError as e:
        print("write refused:", path, e)
`;
  const result = await build('holds-reach', payload);
  assert.equal(result.status, 'built', result.reason);
  const rules = (rule: string): string[] => result.findings.filter((f) => f.rule === rule).map((f) => f.snippet ?? '');

  // The host: nobody connected, nothing was written, the secret was not read.
  assert.deepEqual(connections, []);
  assert.doesNotMatch(result.log, /CONNECTED/);
  assert.match(result.log, /connect refused/);
  assert.ok(!result.log.includes(secretText), 'the planted secret reached the build');
  assert.equal(existsSync(hostTmpTarget), false);
  assert.equal(existsSync(homeWriteTarget), false);
  assert.equal(readFileSync(homeSecret, 'utf8'), secretText);
  assert.equal(statSync(homeSecret).mtimeMs, secretMtime);
  assert.deepEqual(readdirSync(homedir()).sort(), homeBefore);

  // And each attempt reported, with its evidence.
  assert.equal(rules('sandbox.network-connect').length, 1);
  assert.match(rules('sandbox.network-connect')[0]!, new RegExp(`^127\\.0\\.0\\.1:${port} \\((ECONNREFUSED|EINPROGRESS)\\)$`));
  assert.ok(rules('sandbox.host-home-read').some((s) => s.startsWith(`read ${homeSecret} (`)), JSON.stringify(rules('sandbox.host-home-read')));
  assert.ok(rules('sandbox.host-home-read').some((s) => s.startsWith(`write ${homeWriteTarget} (`)));
  assert.ok(rules('sandbox.write-outside-tree').some((s) => s.startsWith('write /usr/local/lib/gatehouse-escape (')), JSON.stringify(result.findings));
});

test('a fork bomb in setup.py is stopped at the process limit and reported', async () => {
  const result = await build('holds-fork', 'import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n', { processes: 64, wallTimeMs: 30_000 });
  assert.equal(result.status, 'failed');
  assert.equal(result.failure, 'limit');
  assert.deepEqual(result.limitsHit.map((h) => h.limit), ['processes']);
  assert.ok(result.findings.some((f) => f.rule === 'sandbox.limit-processes' && f.severity === 'high'));
  assert.ok(result.run.wallTimeMs < 15_000, `stopped after ${result.run.wallTimeMs} ms`);
});

test('sleeping past the time limit is stopped and reported', async () => {
  const result = await build('holds-sleep', 'import time\ntime.sleep(600)\n', { wallTimeMs: 3000 });
  assert.equal(result.failure, 'limit');
  assert.deepEqual(result.limitsHit.map((h) => h.limit), ['wall-time']);
  assert.ok(result.findings.some((f) => f.rule === 'sandbox.limit-wall-time'));
  assert.ok(result.run.wallTimeMs < 6000, `stopped after ${result.run.wallTimeMs} ms`);
});
