/**
 * Upload races leave no orphan blobs: 20 clients upload different bytes under one file name, 10 rounds; one
 * wins each round, and the losers' blobs are gone when the race is over. What /metrics reports as stored is what
 * the blob store holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startGateway } from '../helpers/gateway.js';
import { DATABASES } from '../helpers/postgres.js';
import { buildWheel, upload } from '../helpers/wheels.js';

const CLIENTS = 20;
const ROUNDS = 10;

for (const database of DATABASES) {
  test(`${database}: ${CLIENTS} clients x ${ROUNDS} rounds of racing uploads leave one file per round and no orphan blob`, async (t) => {
    const gw = await startGateway({ database, listen: true });
    t.after(() => gw.close());
    const token = await gw.token();
    for (let round = 0; round < ROUNDS; round++) {
      const version = `1.${round}`;
      const files = Array.from({ length: CLIENTS }, (_, c) => buildWheel('race', version, { salt: `client ${c}` }));
      const results = await Promise.all(files.map((f) => upload(gw.url, token, f, { name: 'race', version })));
      const won = results.filter((r) => r.status === 200);
      assert.equal(won.length, 1, results.map((r) => `${r.status} ${r.reason}`).join('\n'));
      for (const r of results) if (r.status !== 200) assert.match(r.reason, /File already exists/);
    }
    const rows = await gw.storage.database.db.selectFrom('file').select(['sha256', 'metadata_sha256', 'size', 'metadata_size']).execute();
    assert.equal(rows.length, ROUNDS);
    const referenced = new Map<string, number>();
    for (const r of rows) {
      referenced.set(r.sha256, r.size);
      if (r.metadata_sha256) referenced.set(r.metadata_sha256, r.metadata_size!);
    }
    const stored = new Map<string, number>();
    for await (const blob of gw.storage.blobs.list()) stored.set(blob.sha256, blob.size);
    assert.deepEqual([...stored.keys()].sort(), [...referenced.keys()].sort(), 'every stored blob is referenced, every referenced blob stored');
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    const total = [...stored.values()].reduce((a, b) => a + b, 0);
    assert.match(metrics, new RegExp(`^gatehouse_stored_bytes ${total}$`, 'm'), 'the metric counts what the blob store holds');
  });
}
