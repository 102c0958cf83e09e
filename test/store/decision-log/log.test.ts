/**
 * The decision log on SQLite and PostgreSQL: appends (alone and in a caller's transaction), reading, the database's
 * own guards, and verification naming the first entry that someone with write access to the database changed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../../src/store/schema.js';
import { entryHash } from '../../../src/store/decision-log/entry.js';
import { GENESIS_HASH, type LogHead, type LogProblemReason } from '../../../src/store/decision-log/index.js';
import { DATABASES } from '../../helpers/postgres.js';
import { dropLogGuards, openTestStorage, overwrite, renumber, rewriteFrom, row, sampleEntries } from '../../helpers/decision-log.js';

interface Tampering {
  name: string;
  tamper(db: Kysely<Database>): Promise<void>;
  seq: number;
  reason: LogProblemReason;
  message: RegExp;
}

/** Each runs on a log of 10 entries. */
const TAMPERINGS: Tampering[] = [
  {
    name: 'edit the payload of entry 5',
    tamper: (db) => db.updateTable('decision_log').set({ payload: '{"outcome":"allow"}' }).where('seq', '=', 5).execute().then(() => undefined),
    seq: 5,
    reason: 'edited',
    message: /entry 5 was edited: its content no longer matches its hash/,
  },
  {
    name: 'edit the actor of entry 1',
    tamper: (db) => db.updateTable('decision_log').set({ actor: 'token:99' }).where('seq', '=', 1).execute().then(() => undefined),
    seq: 1,
    reason: 'edited',
    message: /entry 1 was edited/,
  },
  {
    name: 'edit the time of the last entry',
    tamper: (db) => db.updateTable('decision_log').set({ at: '2020-01-01T00:00:00.000Z' }).where('seq', '=', 10).execute().then(() => undefined),
    seq: 10,
    reason: 'edited',
    message: /entry 10 was edited/,
  },
  {
    name: 'edit entry 5 and give it the matching hash',
    tamper: async (db) => {
      const { seq, hash: _old, ...content } = await row(db, 5);
      const edited = { ...content, payload: '{"outcome":"allow"}' };
      await overwrite(db, seq, { ...edited, hash: entryHash({ ...edited, seq }) });
    },
    seq: 6,
    reason: 'unlinked',
    message: /entry 6 does not follow entry 5: .*entry 5 was rewritten with a new hash/,
  },
  {
    name: 'delete entry 5',
    tamper: (db) => db.deleteFrom('decision_log').where('seq', '=', 5).execute().then(() => undefined),
    seq: 5,
    reason: 'missing',
    message: /entry 5 is missing: the log goes from entry 4 to entry 6/,
  },
  {
    name: 'delete entry 1',
    tamper: (db) => db.deleteFrom('decision_log').where('seq', '=', 1).execute().then(() => undefined),
    seq: 1,
    reason: 'missing',
    message: /entry 1 is missing: the log goes from its start to entry 2/,
  },
  {
    name: 'delete entries 3 and 4',
    tamper: (db) => db.deleteFrom('decision_log').where('seq', 'in', [3, 4]).execute().then(() => undefined),
    seq: 3,
    reason: 'missing',
    message: /entries 3–4 are missing/,
  },
  {
    name: 'delete the last entry',
    tamper: (db) => db.deleteFrom('decision_log').where('seq', '=', 10).execute().then(() => undefined),
    seq: 10,
    reason: 'truncated',
    message: /the log ends at entry 9, but its head row records 10 entries: entries 10–10 were removed/,
  },
  {
    name: 'swap the contents of entries 4 and 7',
    tamper: async (db) => {
      const { seq: _4, ...four } = await row(db, 4);
      const { seq: _7, ...seven } = await row(db, 7);
      await overwrite(db, 4, seven);
      await overwrite(db, 7, four);
    },
    seq: 4,
    reason: 'reordered',
    message: /entry 4 follows the entry now numbered 6: entries were reordered/,
  },
  {
    name: 'swap the numbers of entries 5 and 6',
    tamper: async (db) => {
      await renumber(db, 5, 1000);
      await renumber(db, 6, 5);
      await renumber(db, 1000, 6);
    },
    seq: 5,
    reason: 'reordered',
    message: /entry 5 follows the entry now numbered 6/,
  },
  {
    name: 'delete entry 5, renumber the rest and move the head back',
    tamper: async (db) => {
      await db.deleteFrom('decision_log').where('seq', '=', 5).execute();
      for (let seq = 6; seq <= 10; seq++) await renumber(db, seq, seq - 1);
      await db.updateTable('decision_log_head').set({ seq: 9, hash: (await row(db, 9)).hash }).where('id', '=', 1).execute();
    },
    seq: 5,
    reason: 'unlinked',
    message: /entry 5 does not follow entry 4/,
  },
  {
    name: 'change the head row\'s hash',
    tamper: (db) => db.updateTable('decision_log_head').set({ hash: 'f'.repeat(64) }).where('id', '=', 1).execute().then(() => undefined),
    seq: 10,
    reason: 'head-mismatch',
    message: /the head row records 10:f{64}, but entry 10's hash is/,
  },
  {
    name: 'insert a row numbered 0',
    tamper: async (db) => {
      const { seq: _1, ...first } = await row(db, 1);
      await db.insertInto('decision_log').values({ ...first, seq: 0 }).execute();
    },
    seq: 0,
    reason: 'misnumbered',
    message: /a row numbered 0 sits before entry 1/,
  },
  {
    name: 'append a well-formed entry without the head',
    tamper: async (db) => {
      const { hash: last, ...content } = await row(db, 10);
      const forged = { ...content, seq: 11, prev_hash: last, payload: '{"outcome":"allow"}' };
      await db.insertInto('decision_log').values({ ...forged, hash: entryHash(forged) }).execute();
    },
    seq: 11,
    reason: 'unrecorded',
    message: /entries 11–11 lie beyond the head row's 10 entries/,
  },
  {
    name: 'insert a row numbered far ahead',
    tamper: async (db) => {
      const { seq: _10, ...last } = await row(db, 10);
      await db.insertInto('decision_log').values({ ...last, seq: 1_000_000_000 }).execute();
    },
    seq: 1_000_000_000,
    reason: 'unrecorded',
    message: /a row numbered 1000000000 lies beyond the head row's 10 entries/,
  },
];

for (const kind of DATABASES) {
  test(`${kind}: appends are numbered and chained; entries, filters and the head read them back`, async () => {
    const t = await openTestStorage(kind);
    try {
      const log = t.storage.decisionLog;
      assert.deepEqual(await log.head(), { count: 0, hash: GENESIS_HASH });
      assert.deepEqual(await log.verify(), { intact: true, head: { count: 0, hash: GENESIS_HASH } });
      const first = await log.append(sampleEntries(1)[0]!);
      assert.equal(first.seq, 1);
      assert.equal(first.prev, GENESIS_HASH);
      assert.match(first.hash, /^[0-9a-f]{64}$/);
      const more = await log.appendAll(sampleEntries(11).slice(1));
      assert.deepEqual(more.map((e) => e.seq), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
      assert.equal(more[0]!.prev, first.hash);
      for (let i = 1; i < more.length; i++) assert.equal(more[i]!.prev, more[i - 1]!.hash);
      assert.deepEqual(await log.head(), { count: 11, hash: more.at(-1)!.hash });
      assert.deepEqual(await log.verify({ batchSize: 3 }), { intact: true, head: { count: 11, hash: more.at(-1)!.hash } });

      const all = [];
      for await (const e of log.entries()) all.push(e);
      assert.deepEqual(all, [first, ...more], 'read back exactly as appended');
      assert.deepEqual(all[2]!.payload, { reason: 'reviewed by "sec" team\t✓ 😀' });
      assert.deepEqual(all[0]!.subject.project, 'demo-a');
      const released = [];
      for await (const e of log.entries({ kind: 'quarantine.release', project: 'demo-a' })) released.push(e.seq);
      assert.deepEqual(released, [3, 7, 11]);
      const bySha = [];
      for await (const e of log.entries({ sha256: first.subject.sha256! })) bySha.push(e.seq);
      assert.deepEqual(bySha, [1]);
      const page = [];
      for await (const e of log.entries({ after: 4, limit: 3 })) page.push(e.seq);
      assert.deepEqual(page, [5, 6, 7]);
      const lines = [];
      for await (const l of log.exportLines(9)) lines.push(JSON.parse(l) as { seq: number; hash: string });
      assert.deepEqual(lines.map((l) => [l.seq, l.hash]), [[10, all[9]!.hash], [11, all[10]!.hash]]);
      assert.deepEqual(await log.appendAll([]), []);
    } finally {
      await t.cleanup();
    }
  });

  test(`${kind}: an entry appended in a caller's transaction commits or rolls back with it, leaving no gap`, async () => {
    const t = await openTestStorage(kind);
    try {
      const { storage } = t;
      const db = storage.database.db;
      await storage.decisionLog.append({ kind: 'policy.reload', actor: 'system' });
      await assert.rejects(
        db.transaction().execute(async (tx) => {
          await tx.insertInto('serial').values({ name: 'rolled-back', value: 1 }).execute();
          const e = await storage.decisionLog.append({ kind: 'decision', actor: 'system', payload: { outcome: 'block' } }, tx);
          assert.equal(e.seq, 2);
          throw new Error('the decision failed to store');
        }),
        /the decision failed to store/,
      );
      assert.equal((await storage.decisionLog.head()).count, 1, 'the rolled-back entry is gone, and its number with it');
      assert.equal(await db.selectFrom('serial').select('name').where('name', '=', 'rolled-back').executeTakeFirst(), undefined);
      await db.transaction().execute(async (tx) => {
        await tx.insertInto('serial').values({ name: 'committed', value: 1 }).execute();
        await storage.decisionLog.appendAll(sampleEntries(2), tx);
      });
      assert.equal((await storage.decisionLog.head()).count, 3);
      assert.ok(await db.selectFrom('serial').select('name').where('name', '=', 'committed').executeTakeFirst());
      assert.equal((await storage.decisionLog.verify()).intact, true);
      await assert.rejects(storage.decisionLog.append({ kind: 'decision', actor: 'system' }, db as never), /must be a transaction/);
      await assert.rejects(storage.decisionLog.append({ kind: 'Decision!', actor: 'system' }), { code: 'log.entry-invalid' });
      assert.equal((await storage.decisionLog.head()).count, 3, 'refused entries take no number');
    } finally {
      await t.cleanup();
    }
  });

  test(`${kind}: the database refuses edits and deletions of entries, and a head that goes back`, async () => {
    const t = await openTestStorage(kind);
    try {
      const db = t.storage.database.db;
      await t.storage.decisionLog.appendAll(sampleEntries(3));
      const refused = /the decision log (is append-only|head cannot)/;
      await assert.rejects(db.updateTable('decision_log').set({ actor: 'token:1' }).where('seq', '=', 1).execute(), refused);
      await assert.rejects(db.deleteFrom('decision_log').where('seq', '=', 3).execute(), refused);
      await assert.rejects(db.updateTable('decision_log_head').set({ seq: 2 }).where('id', '=', 1).execute(), refused);
      await assert.rejects(db.deleteFrom('decision_log_head').execute(), refused);
      if (kind === 'postgres') await assert.rejects(sql`truncate decision_log`.execute(db), refused);
      await assert.rejects(db.insertInto('decision_log_head').values({ id: 2, seq: 0, hash: GENESIS_HASH }).execute(), /check|constraint/i);
      assert.deepEqual(await t.storage.decisionLog.verify().then((r) => r.intact), true);
    } finally {
      await t.cleanup();
    }
  });

  test(`${kind}: verify names the first entry that was edited, deleted, reordered or added by hand`, async () => {
    for (const c of TAMPERINGS) {
      const t = await openTestStorage(kind);
      try {
        const db = t.storage.database.db;
        const appended = await t.storage.decisionLog.appendAll(sampleEntries(10));
        await dropLogGuards(db, t.storage.database.dialect);
        await c.tamper(db);
        const result = await t.storage.decisionLog.verify({ batchSize: 4 });
        assert.equal(result.intact, false, `${c.name}: detected`);
        if (result.intact) continue;
        assert.equal(result.problem.seq, c.seq, `${c.name}: names entry ${c.seq} (${result.problem.message})`);
        assert.equal(result.problem.reason, c.reason, `${c.name}: ${result.problem.message}`);
        assert.match(result.problem.message, c.message, c.name);
        if (c.reason === 'edited' || c.reason === 'missing' || c.reason === 'reordered') {
          const good = c.seq - 1;
          assert.deepEqual(result.verified, { count: good, hash: good === 0 ? GENESIS_HASH : appended[good - 1]!.hash }, `${c.name}: intact up to ${good}`);
        }
        if (c.reason === 'head-mismatch') assert.deepEqual(result.verified, { count: 0, hash: GENESIS_HASH }, 'nothing can be vouched for');
      } finally {
        await t.cleanup();
      }
    }
  });

  test(`${kind}: a head kept elsewhere catches a rewrite of the whole log and a truncation that fixed the head`, async () => {
    const t = await openTestStorage(kind);
    try {
      const db = t.storage.database.db;
      const log = t.storage.decisionLog;
      await log.appendAll(sampleEntries(10));
      const kept: LogHead = await log.head();
      const midway = { count: 5, hash: (await row(db, 5)).hash };
      await log.appendAll(sampleEntries(2, 'b'));
      assert.equal((await log.verify({ expectHead: kept })).intact, true, 'a log that grew since its head was kept is fine');
      assert.equal((await log.verify({ expectHead: midway })).intact, true);

      await dropLogGuards(db, t.storage.database.dialect);
      // Rewrite every entry (one decision's outcome changed) and recompute every hash and the head.
      const before = (await row(db, 1)).payload;
      await rewriteFrom(db, 1, (r) => (r.seq === 1 ? { payload: r.payload.replace('"quarantine"', '"allow"') } : {}));
      assert.notEqual((await row(db, 1)).payload, before);
      const internal = await log.verify();
      assert.equal(internal.intact, true, 'consistent in itself: only an outside head can tell');
      const caught = await log.verify({ expectHead: kept });
      assert.equal(caught.intact, false);
      if (!caught.intact) {
        assert.equal(caught.problem.reason, 'rewritten');
        assert.equal(caught.problem.seq, 10);
        assert.deepEqual(caught.verified, { count: 0, hash: GENESIS_HASH });
        assert.match(caught.problem.message, new RegExp(`entry 10's hash is [0-9a-f]{64}, not the expected ${kept.hash}: the log up to entry 10 was rewritten`));
      }
      const early = await log.verify({ expectHead: midway });
      assert.equal(early.intact === false && early.problem.seq, 5);

      // Cut the log back to 8 entries and fix the head row to match.
      await db.deleteFrom('decision_log').where('seq', '>', 8).execute();
      await db.updateTable('decision_log_head').set({ seq: 8, hash: (await row(db, 8)).hash }).where('id', '=', 1).execute();
      const cut = await log.verify({ expectHead: kept });
      assert.equal(cut.intact, false);
      if (!cut.intact) {
        assert.equal(cut.problem.reason, 'truncated');
        assert.equal(cut.problem.seq, 9);
        assert.match(cut.problem.message, /the log ends at entry 8, but the expected head 10:[0-9a-f]{64} has 10/);
      }
    } finally {
      await t.cleanup();
    }
  });
}
