/**
 * Several gateway replicas append at once: separate processes (SQLite and PostgreSQL) and two storages in one process
 * (PostgreSQL, where each has its own pool of connections). The log must come out gap-free and fork-free: numbers 1..N
 * each once, every entry chained to the one before, every replica's entries all there.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { NewLogEntry, Storage } from '../../../src/store/index.js';
import { DATABASES } from '../../helpers/postgres.js';
import { openTestStorage, sampleEntries } from '../../helpers/decision-log.js';
import { repoRoot } from '../../helpers/cli.js';

const appender = fileURLToPath(new URL('../../helpers/append-log-entries.ts', import.meta.url));

/** Entries that name a project: `sampleEntries` names the replica's label there, so they tell whose entries are in. */
const withProject = (entries: NewLogEntry[]) => entries.filter((e) => e.subject?.project).length;

/** Checks the log holds exactly `total` entries, numbered 1..total, chained, and intact. */
async function assertGapFreeChain(storage: Storage, total: number, labels: Map<string, number>): Promise<void> {
  const seqs: number[] = [];
  const prevs = new Set<string>();
  const perProject = new Map<string, number>();
  let prev = '0'.repeat(64);
  for await (const e of storage.decisionLog.entries()) {
    seqs.push(e.seq);
    assert.equal(e.prev, prev, `entry ${e.seq} follows the entry before it`);
    assert.ok(!prevs.has(e.prev), `no two entries share a predecessor (a fork) at ${e.seq}`);
    prevs.add(e.prev);
    prev = e.hash;
    if (e.subject.project) perProject.set(e.subject.project, (perProject.get(e.subject.project) ?? 0) + 1);
  }
  assert.deepEqual(seqs, Array.from({ length: total }, (_, i) => i + 1), 'numbers 1..N, each once');
  for (const [label, count] of labels) assert.equal(perProject.get(`demo-${label}`), count, `every entry of replica ${label} is there`);
  const verified = await storage.decisionLog.verify();
  assert.deepEqual(verified, { intact: true, head: { count: total, hash: prev } });
}

function startAppender(args: string[]): Promise<{ go(): void; done: Promise<number[]> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', appender, ...args], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const lines = createInterface({ input: child.stdout });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve, reject) => {
    lines.on('line', (line) => {
      output.push(line);
      if (line === 'ready') {
        resolve({
          go: () => child.stdin.end('go\n'),
          done: exited.then((code) => {
            if (code !== 0) throw new Error(`appender exited ${code}: ${stderr}`);
            return JSON.parse(output.at(-1)!) as number[];
          }),
        });
      }
    });
    void exited.then((code) => reject(new Error(`appender exited ${code} before it was ready: ${stderr}`)));
  });
}

for (const kind of DATABASES) {
  test(`${kind}: 4 processes appending 50 entries each at once leave one gap-free chain of 200`, async () => {
    const t = await openTestStorage(kind);
    try {
      const labels = ['p', 'q', 'r', 's'];
      const appenders = await Promise.all(labels.map((label) => startAppender([t.dataDir, t.databaseUrl ?? '-', '50', label])));
      for (const a of appenders) a.go();
      const numbered = await Promise.all(appenders.map((a) => a.done));
      const all = numbered.flat().sort((a, b) => a - b);
      assert.deepEqual(all, Array.from({ length: 200 }, (_, i) => i + 1), 'each process was told distinct numbers');
      await assertGapFreeChain(t.storage, 200, new Map(labels.map((l) => [l, withProject(sampleEntries(50, l))])));
    } finally {
      await t.cleanup();
    }
  });
}

test('postgres: two storages in one process, 200 parallel appends, leave one gap-free chain', async () => {
  const t = await openTestStorage('postgres');
  try {
    const other = await t.openAnother();
    const entries = [...sampleEntries(100, 'x'), ...sampleEntries(100, 'y')];
    const appended = await Promise.all(entries.map((e, i) => (i % 2 === 0 ? t.storage : other).decisionLog.append(e)));
    assert.deepEqual(appended.map((e) => e.seq).sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i + 1));
    await assertGapFreeChain(other, 200, new Map([['x', withProject(entries.slice(0, 100))], ['y', withProject(entries.slice(100))]]));
  } finally {
    await t.cleanup();
  }
});
