/** Groups a killed run left behind are removed by the next process that makes one. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const repo = new URL('../../', import.meta.url).pathname;

function ownDir(controller: string): string {
  const line = readFileSync('/proc/self/cgroup', 'utf8').split('\n').find((l) => l.split(':')[1]?.split(',').includes(controller))!;
  return join('/sys/fs/cgroup', controller, line.split(':').slice(2).join(':'));
}

test('an orphaned group (its owner is dead) is swept when a new one is made', () => {
  const dead = 4_000_000 + (process.pid % 100_000);
  const dirs = ['memory', 'pids', 'cpuacct'].map((c) => join(ownDir(c), `gatehouse-sandbox-${dead}-1`));
  for (const dir of dirs) mkdirSync(dir);
  const script = "const { ProcessGroup } = await import('./src/sandbox/cgroup.ts'); await ProcessGroup.create({ memoryBytes: 64 * 1024 ** 2, processes: 8 })?.remove();";
  execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repo });
  for (const dir of dirs) assert.equal(existsSync(dir), false, `${dir} is still there`);
});
