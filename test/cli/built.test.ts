/**
 * The command as shipped: `scripts/build.mjs` bundles src/cli/main.ts into dist/ (split into chunks that load on
 * demand), and the bundle must find what ships next to it (package.json, data/, rules/) and the npm packages it
 * leaves outside. The other CLI tests run from source; this one builds into a copy of the package layout and runs
 * every command that reads a shipped file or loads an outside package.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { buildShippedCommand } from '../helpers/built.js';
import { packArtifacts } from '../analyze/corpus/pack.js';
import { labelledCorpus } from '../analyze/corpus/labelled.js';

const work = mkdtempSync(join(tmpdir(), 'gatehouse-built-'));
test.after(() => rmSync(work, { recursive: true, force: true }));
const app = join(work, 'app');
const main = join(app, 'dist/cli/main.js');

function gatehouse(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [main, ...args], { cwd: work, encoding: 'utf8', maxBuffer: 1 << 26 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

test('the build writes one entry point and on-demand chunks', () => {
  assert.equal(buildShippedCommand(work), main);
  assert.ok(existsSync(main));
  assert.ok(readdirSync(join(app, 'dist/chunks')).some((f) => f.endsWith('.js')), 'lazily loaded modules are split out');
});

test('the built command lists its subcommands and audits against the shipped snapshot', () => {
  const help = gatehouse(['--help']);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^ {2}audit\b/m);
  const audit = gatehouse(['audit', 'django==3.2', '--data', join(work, 'data'), '--format', 'json']);
  assert.equal(audit.code, 1, audit.stderr);
  const report = JSON.parse(audit.stdout) as { dependencies: Array<{ name: string; vulns: Array<{ id: string; fix_versions: string[] }> }> };
  assert.ok((report.dependencies[0]?.vulns.length ?? 0) > 10, 'django 3.2 has many advisories in the shipped snapshot');
  const status = gatehouse(['vulndb', 'status', '--data', join(work, 'data'), '--json']);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /"shipped:pypa-advisories-[^"]+\.jsonl\.gz"/);
});

test('the built command finds the name corpus and the scanner rules', () => {
  const name = gatehouse(['check-name', 'urlib3']);
  assert.equal(name.code, 1, name.stderr);
  assert.match(name.stdout, /urlib3\s+typosquat\s+urllib3/);
  const [malicious] = packArtifacts(join(work, 'wheels'), labelledCorpus.filter((a) => a.verdict === 'malicious').slice(0, 1));
  const scan = gatehouse(['scan', malicious as string, '--format', 'json']);
  assert.equal(scan.code, 1, scan.stderr);
  assert.match(scan.stdout, /"verdict": "malicious"/);
});

test('the built gateway starts, answers and stops', async () => {
  const child = spawn(process.execPath, [main, 'serve', '--port', '0', '--data', join(work, 'gateway')], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  const address = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      const entry = JSON.parse(line) as { address?: string };
      if (entry.address) resolve(entry.address);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}`)));
  });
  assert.equal((await fetch(`${address}/healthz`)).status, 200);
  assert.equal((await fetch(`${address}/simple/`)).status, 200);
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});
