/**
 * `gatehouse log verify|head|export` as an operator runs them, on SQLite and PostgreSQL: a log changed in the
 * database fails `log verify` naming the entry, a head kept elsewhere catches a whole rewrite, and the export is
 * verified by an outside verifier written in Python from the documented format.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import { DATABASES } from '../helpers/postgres.js';
import { runCli } from '../helpers/cli.js';
import { dropLogGuards, openTestStorage, overwrite, rewriteFrom, row, sampleEntries, type LogEntry, type TestStorage } from '../helpers/decision-log.js';

const outsideVerifier = fileURLToPath(new URL('../store/decision-log/oracle/verify_log.py', import.meta.url));

async function withLog(kind: (typeof DATABASES)[number], entries: number, work: (t: TestStorage) => Promise<void>): Promise<void> {
  const t = await openTestStorage(kind);
  try {
    await t.storage.decisionLog.appendAll(sampleEntries(entries));
    await work(t);
  } finally {
    await t.cleanup();
  }
}

const TAMPERINGS: Array<{ name: string; tamper(db: Kysely<Database>): Promise<unknown>; stderr: RegExp }> = [
  {
    name: 'a payload edited',
    tamper: (db) => db.updateTable('decision_log').set({ payload: '{"outcome":"allow"}' }).where('seq', '=', 4).execute(),
    stderr: /decision log: entry 4 was edited: its content no longer matches its hash .* \[log\.edited\]\ngatehouse: intact up to entry 3 \(head 3:[0-9a-f]{64}\)\n$/,
  },
  {
    name: 'a row deleted',
    tamper: (db) => db.deleteFrom('decision_log').where('seq', '=', 6).execute(),
    stderr: /decision log: entry 6 is missing: the log goes from entry 5 to entry 7 \[log\.missing\]/,
  },
  {
    name: 'two rows swapped',
    tamper: async (db) => {
      const { seq: _3, ...three } = await row(db, 3);
      const { seq: _8, ...eight } = await row(db, 8);
      await overwrite(db, 3, eight);
      await overwrite(db, 8, three);
    },
    stderr: /decision log: entry 3 follows the entry now numbered 7: entries were reordered .*\[log\.reordered\]/,
  },
];

for (const kind of DATABASES) {
  test(`${kind}: log head, verify and export of an intact log; the export passes an outside verifier`, async () => {
    await withLog(kind, 10, async (t) => {
      const head = await runCli(['log', 'head', ...t.cliArgs]);
      assert.equal(head.code, 0, head.stderr);
      const expected = await t.storage.decisionLog.head();
      assert.equal(head.stdout, `${expected.count}:${expected.hash}\n`);

      const verify = await runCli(['log', 'verify', '--expect-head', head.stdout.trim(), ...t.cliArgs]);
      assert.equal(verify.code, 0, verify.stderr);
      assert.equal(verify.stdout, `intact: 10 entries, head ${head.stdout}`);

      const exported = await runCli(['log', 'export', ...t.cliArgs]);
      assert.equal(exported.code, 0, exported.stderr);
      const lines = exported.stdout.trimEnd().split('\n');
      assert.equal(lines.length, 10);
      const entries: LogEntry[] = [];
      for await (const e of t.storage.decisionLog.entries()) entries.push(e);
      lines.forEach((line, i) => {
        const parsed = JSON.parse(line) as Record<string, unknown>;
        const e = entries[i]!;
        assert.deepEqual(parsed, { seq: e.seq, at: e.at, kind: e.kind, actor: e.actor, subject: e.subject, payload: e.payload, prev: e.prev, hash: e.hash }, `line ${i + 1} is entry ${i + 1}`);
      });
      const outside = spawnSync('python3', [outsideVerifier], { input: exported.stdout, encoding: 'utf8' });
      assert.equal(outside.status, 0, outside.stdout + outside.stderr);
      assert.equal(outside.stdout, head.stdout, 'an outside verifier reaches the same head');

      const since = await runCli(['log', 'export', '--since', '7', ...t.cliArgs]);
      assert.equal(since.code, 0, since.stderr);
      assert.equal(since.stdout, `${lines.slice(7).join('\n')}\n`, '--since 7 exports entries 8 to 10');
      const none = await runCli(['log', 'export', '--since', '10', ...t.cliArgs]);
      assert.equal(none.stdout, '');
    });
  });

  test(`${kind}: log verify fails naming the entry for an edited, a deleted and a swapped row`, async () => {
    for (const c of TAMPERINGS) {
      await withLog(kind, 10, async (t) => {
        await dropLogGuards(t.storage.database.db, t.storage.database.dialect);
        await c.tamper(t.storage.database.db);
        const r = await runCli(['log', 'verify', ...t.cliArgs]);
        assert.equal(r.code, 1, `${c.name}: ${r.stdout}${r.stderr}`);
        assert.equal(r.stdout, '');
        assert.match(r.stderr, c.stderr, c.name);
      });
    }
  });

  test(`${kind}: log verify --expect-head catches a rewrite of the whole log`, async () => {
    await withLog(kind, 10, async (t) => {
      const kept = (await runCli(['log', 'head', ...t.cliArgs])).stdout.trim();
      await t.storage.decisionLog.appendAll(sampleEntries(2, 'later'));
      const grown = await runCli(['log', 'verify', '--expect-head', kept, ...t.cliArgs]);
      assert.equal(grown.code, 0, `a log that grew since is fine: ${grown.stderr}`);

      const db = t.storage.database.db;
      await dropLogGuards(db, t.storage.database.dialect);
      await rewriteFrom(db, 1, (r) => (r.seq === 1 ? { payload: r.payload.replace('"quarantine"', '"allow"') } : {}));
      const plain = await runCli(['log', 'verify', ...t.cliArgs]);
      assert.equal(plain.code, 0, 'rewritten with fresh hashes and a fresh head, the log is consistent in itself');
      const caught = await runCli(['log', 'verify', '--expect-head', kept, '--format', 'json', ...t.cliArgs]);
      assert.equal(caught.code, 1, caught.stderr);
      const report = JSON.parse(caught.stdout) as { intact: boolean; verified: { count: number }; problem: { seq: number; reason: string; message: string } };
      assert.equal(report.intact, false);
      assert.equal(report.problem.seq, 10);
      assert.equal(report.problem.reason, 'rewritten');
      assert.match(report.problem.message, /the log up to entry 10 was rewritten/);
      assert.equal(report.verified.count, 0, 'a rewrite leaves no entry that can be vouched for');
    });
  });
}

test('log commands refuse bad options with the reason, and teach in --help', async () => {
  const t = await openTestStorage('sqlite');
  try {
    const cases: Array<[string[], RegExp]> = [
      [['log', 'verify', '--expect-head', '12'], /--expect-head must be COUNT:HASH as `gatehouse log head` prints it/],
      [['log', 'verify', '--format', 'xml'], /--format must be text or json, not "xml"/],
      [['log', 'export', '--format', 'csv'], /--format must be jsonl, not "csv"/],
      [['log', 'export', '--since', '-1'], /--since must be a sequence number \(0 or more\), not "-1"/],
      [['log', 'export', '--since', 'yesterday'], /--since must be a sequence number/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli([...args, ...t.cliArgs]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
  } finally {
    await t.cleanup();
  }
  const help = await runCli(['log', 'verify', '--help']);
  assert.equal(help.code, 0);
  for (const text of ['--expect-head', 'Exits 0 when the log is intact', 'gatehouse log verify --expect-head "$(cat']) assert.ok(help.stdout.includes(text), text);
  const listed = await runCli(['--help']);
  assert.match(listed.stdout, /^ {2}log\b/m, 'gatehouse --help lists log');
});
