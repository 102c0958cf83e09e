/**
 * Benchmark: `DecisionLog.verify()` over 1,000,000 entries (target: under 10 s), on SQLite and PostgreSQL, with the
 * floors it cannot beat measured in the same run: reading every row in the same keyset batches without checking
 * anything, and sha256 over the same number of bytes in the same number of calls. Also appends: one entry per
 * transaction against a plain INSERT of the same row in its own transaction, and batches of 10,000.
 *
 * The log is filled through `appendAll` (the real numbering, hashing and inserts) with decision-shaped entries whose
 * subjects are the real wheels of /opt/pypi/files. Rounds alternate verify and the floors so background load hits
 * all alike; the best of each is reported with the median.
 *
 *   node --import tsx bench/decision-log.ts [--entries 1000000] [--rounds 3] [--database sqlite|postgres|both]
 *
 * PostgreSQL: GATEHOUSE_TEST_POSTGRES, or a throw-away cluster started here (fsync off, as in the tests).
 */
import { hash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { openStorage, type Storage } from '../src/store/index.js';
import type { NewLogEntry } from '../src/store/decision-log/index.js';
import { canonicalEntry } from '../src/store/decision-log/entry.js';
import { allRows, openLogReader } from '../src/store/decision-log/rows.js';
import { createTestDatabase } from '../test/helpers/postgres.js';

const { values } = parseArgs({
  options: {
    entries: { type: 'string', default: '1000000' },
    rounds: { type: 'string', default: '3' },
    database: { type: 'string', default: 'both' },
  },
});
const ENTRIES = Number(values.entries);
const ROUNDS = Number(values.rounds);
const WHEELS = '/opt/pypi/files';

const wheels = readdirSync(WHEELS).filter((f) => f.endsWith('.whl'));
if (wheels.length === 0) throw new Error(`no wheels in ${WHEELS}: this benchmark takes its subjects from there`);

const OUTCOMES = ['allow', 'allow', 'allow', 'warn', 'quarantine', 'block'];
const RULES = ['scan.exec-at-import', 'scan.network-at-install', 'vuln.severity', 'cooldown.min-age', 'license.deny', 'name.typosquat'];

function entry(i: number): NewLogEntry {
  const file = wheels[i % wheels.length]!;
  const [project, version] = file.split('-');
  if (i % 50 === 49) return { kind: 'quarantine.release', actor: `token:${i % 7}`, subject: { project: project!.toLowerCase(), filename: file }, payload: { reason: `reviewed in ticket SEC-${i}` } };
  const outcome = OUTCOMES[i % OUTCOMES.length]!;
  return {
    kind: 'decision',
    actor: 'system',
    subject: { project: project!.toLowerCase(), version: version!, filename: file, sha256: hash('sha256', `${file}/${i}`, 'hex') },
    payload: {
      outcome,
      mode: 'enforce',
      policyRevision: 1 + (i >> 16),
      vulndbRevision: '2026-07-01T00:00:00Z',
      uploadTime: '2026-11-20T10:00:00.000Z',
      ageDays: 11,
      license: 'MIT',
      findings:
        outcome === 'allow'
          ? []
          : [{ rule: RULES[i % RULES.length]!, severity: outcome === 'block' ? 'critical' : 'medium', source: 'scanner', evidence: `${file}: setup.py line ${i % 400}` }],
      waivers: [],
    },
  };
}

const timeMs = async (work: () => Promise<unknown>) => {
  const start = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - start) / 1e6;
};
/** Wall time and this process's CPU time: on a shared machine under load the wall time of a busy loop inflates. */
const timeWallCpu = async (work: () => Promise<unknown>) => {
  const cpu = process.cpuUsage();
  const wall = await timeMs(work);
  const used = process.cpuUsage(cpu);
  return { wall, cpu: (used.user + used.system) / 1000 };
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

async function benchOne(kind: 'sqlite' | 'postgres'): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-bench-log-'));
  const pg = kind === 'postgres' ? await createTestDatabase() : null;
  const storage: Storage = await openStorage({ dataDir, databaseUrl: pg?.url });
  try {
    const db = storage.database.db;
    const log = storage.decisionLog;

    // Appends, one per transaction, against a plain INSERT of the same row into a table of the same shape.
    await sql`create table bench_plain as select * from decision_log where 1 = 0`.execute(db);
    const single = 2000;
    const singles = Array.from({ length: single }, (_, i) => entry(i));
    const appendMs = await timeMs(async () => {
      for (const e of singles) await log.append(e);
    });
    const rows = await db.selectFrom('decision_log').selectAll().orderBy('seq').execute();
    const plainMs = await timeMs(async () => {
      for (const r of rows) await db.transaction().execute((tx) => tx.insertInto('bench_plain' as 'decision_log').values(r).execute());
    });

    // Fill to ENTRIES in batches of 10,000, one transaction each.
    const fillStart = process.hrtime.bigint();
    for (let done = single; done < ENTRIES; ) {
      const n = Math.min(10_000, ENTRIES - done);
      await log.appendAll(Array.from({ length: n }, (_, k) => entry(done + k)));
      done += n;
    }
    const fillMs = Number(process.hrtime.bigint() - fillStart) / 1e6;
    if (kind === 'postgres') await sql`vacuum analyze decision_log`.execute(db);

    // The bytes verify hashes: measured once, for the sha256 floor.
    const reader = openLogReader(storage.database);
    let bytes = 0;
    let count = 0;
    for await (const batch of allRows(reader)) {
      for (const r of batch) {
        bytes += Buffer.byteLength(canonicalEntry(r), 'utf8');
        count++;
      }
    }
    const avg = Math.round(bytes / count);
    const sample = Buffer.alloc(avg, 'x');

    const verify: Array<{ wall: number; cpu: number }> = [];
    const read: Array<{ wall: number; cpu: number }> = [];
    const sha: Array<{ wall: number; cpu: number }> = [];
    for (let round = 0; round < ROUNDS; round++) {
      verify.push(
        await timeWallCpu(async () => {
          const r = await log.verify();
          if (!r.intact || r.head.count !== ENTRIES) throw new Error(`verify: ${JSON.stringify(r)}`);
        }),
      );
      read.push(
        await timeWallCpu(async () => {
          let n = 0;
          for await (const batch of allRows(reader)) n += batch.length;
          if (n !== ENTRIES) throw new Error(`read ${n}`);
        }),
      );
      sha.push(
        await timeWallCpu(async () => {
          for (let i = 0; i < count; i++) hash('sha256', sample, 'hex');
        }),
      );
    }
    reader.close();
    const best = (xs: Array<{ wall: number; cpu: number }>) => ({ wall: Math.min(...xs.map((x) => x.wall)), cpu: Math.min(...xs.map((x) => x.cpu)) });
    const line = (label: string, xs: Array<{ wall: number; cpu: number }>) =>
      console.log(`  ${label.padEnd(38)} wall best ${fmt(best(xs).wall)} median ${fmt(median(xs.map((x) => x.wall)))}; our CPU best ${fmt(best(xs).cpu)}`);
    console.log(`\n${kind}: ${ENTRIES.toLocaleString('en')} entries, ${(bytes / 1e6).toFixed(0)} MB canonical (${avg} bytes on average); load average ${loadavg()[0]!.toFixed(1)}`);
    line('verify() (target < 10 s)', verify);
    line('floor: read all rows, same reader', read);
    line(`floor: sha256 of ${avg} bytes x ${count.toLocaleString('en')}`, sha);
    const b = { verify: best(verify), read: best(read), sha: best(sha) };
    console.log(`  verify / (read + sha256): wall ${(b.verify.wall / (b.read.wall + b.sha.wall)).toFixed(2)}x, CPU ${(b.verify.cpu / (b.read.cpu + b.sha.cpu)).toFixed(2)}x`);
    console.log(`  append, one per transaction       ${(single / (appendMs / 1000)).toFixed(0)}/s; plain INSERT transaction ${(single / (plainMs / 1000)).toFixed(0)}/s; ratio ${(plainMs / appendMs).toFixed(2)}`);
    console.log(`  appendAll, batches of 10,000      ${((ENTRIES - single) / (fillMs / 1000)).toFixed(0)}/s`);
  } finally {
    await storage.close();
    await pg?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

let cluster: { stop(): void } | null = null;
const kinds = values.database === 'both' ? (['sqlite', 'postgres'] as const) : [values.database as 'sqlite' | 'postgres'];
if (kinds.includes('postgres') && !process.env.GATEHOUSE_TEST_POSTGRES) {
  const script = '../scripts/test-postgres.mjs';
  const { startTestPostgres } = (await import(script)) as { startTestPostgres(): Promise<{ url: string; stop(): void } | null> };
  cluster = await startTestPostgres();
  if (!cluster) throw new Error('PostgreSQL binaries not found; set GATEHOUSE_TEST_POSTGRES or run with --database sqlite');
  process.env.GATEHOUSE_TEST_POSTGRES = (cluster as unknown as { url: string }).url;
}
try {
  console.log(`decision log benchmark, ${new Date().toISOString().slice(0, 10)}, ${ROUNDS} rounds`);
  for (const kind of kinds) await benchOne(kind);
} finally {
  cluster?.stop();
}
