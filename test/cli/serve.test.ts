import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SERVE_NODE_FLAGS } from '../../src/cli/serve-flags.js';
import { cliEntry, repoRoot, startServeProcess } from '../helpers/cli.js';

test('serve with no config uses ./gatehouse-data, logs where it listens, and shuts down gracefully on SIGTERM', async (t) => {
  const cwd = await mkdtemp(join(tmpdir(), 'gatehouse-serve-'));
  t.after(() => rm(cwd, { recursive: true, force: true }));
  const child = spawn(process.execPath, ['--import', join(repoRoot, 'node_modules/tsx/dist/esm/index.mjs'), cliEntry, 'serve', '--port', '0'], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<{ msg: string; address?: string; data?: string; database?: string }> = [];
  const listening = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as (typeof logs)[number];
      logs.push(entry);
      if (entry.address) resolve(entry.address);
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}`)));
  });
  const url = await listening;
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const start = logs.find((l) => l.address)!;
  assert.equal(start.data, join(cwd, 'gatehouse-data'));
  assert.match(start.database!, /^sqlite .*gatehouse-data\/gatehouse\.sqlite$/);
  assert.match(start.msg, /index: http:\/\/127\.0\.0\.1:\d+\/simple\/, uploads: .*\/legacy\//);
  assert.ok((await stat(join(cwd, 'gatehouse-data', 'gatehouse.sqlite'))).isFile());

  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.ok(logs.some((l) => l.msg === 'stopped'), 'logs that it stopped');
  // Started without the flags `npm start` passes: the log says which, and how to pass them.
  const warning = logs.find((l) => /started without the Node flags/.test(l.msg)) as { msg: string; missing?: string[] } | undefined;
  assert.ok(warning, 'warns that the Node flags are missing');
  assert.deepEqual(warning.missing, [...SERVE_NODE_FLAGS]);
  assert.match(warning.msg, /npm start/);
});

test('serve started with the Node flags of npm start does not warn about them', async (t) => {
  const data = await mkdtemp(join(tmpdir(), 'gatehouse-serve-flags-'));
  t.after(() => rm(data, { recursive: true, force: true }));
  const gateway = await startServeProcess(['--data', data, '--no-upstream'], { nodeFlags: [...SERVE_NODE_FLAGS] });
  const exited = new Promise((resolve) => gateway.child.once('close', resolve));
  gateway.child.kill('SIGTERM');
  await exited;
  assert.ok(gateway.logs.some((l) => String(l.msg).startsWith('Gatehouse listening')));
  assert.ok(!gateway.logs.some((l) => /started without the Node flags/.test(String(l.msg))), 'no warning about the flags');
});
