/** Store maintenance in a running gateway: unreferenced blobs go, abandoned temporary files go, and /metrics says so. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { runMaintenance } from '../../src/server/maintenance.js';
import { TEMP_FILE_MAX_IDLE_MS } from '../../src/store/index.js';
import { startGateway } from '../helpers/gateway.js';
import { buildWheel, upload } from '../helpers/wheels.js';

test('a maintenance run collects orphans and abandoned temporary files, and reports them', async (t) => {
  const gw = await startGateway({ listen: true });
  t.after(() => gw.close());
  const token = await gw.token();
  const wheel = buildWheel('kept', '1.0');
  assert.equal((await upload(gw.url, token, wheel, { name: 'kept', version: '1.0' })).status, 200);
  // What a crash between a blob's commit and its row leaves behind.
  const orphan = await gw.storage.blobs.writeTemp(Readable.from([Buffer.from('no row will ever point here')]));
  await gw.storage.blobs.commit(orphan);
  await writeFile(join(gw.dataDir, 'tmp', 'abandoned'), 'half an upload');
  const old = (Date.now() - TEMP_FILE_MAX_IDLE_MS - 1000) / 1000;
  await utimes(join(gw.dataDir, 'tmp', 'abandoned'), old, old);

  await runMaintenance(gw.app, gw.storage, gw.app.services.metrics);
  assert.equal(await gw.storage.blobs.has(orphan.sha256), false);
  assert.equal(await gw.storage.blobs.has(wheel.sha256), true);
  assert.deepEqual(await readdir(join(gw.dataDir, 'tmp')), []);
  const metrics = await (await fetch(`${gw.url}/metrics`)).text();
  assert.match(metrics, /^gatehouse_blobs_collected_total 1$/m);
  const stored = /^gatehouse_stored_bytes (\d+)$/m.exec(metrics)![1];
  assert.match(metrics, new RegExp(`^gatehouse_blob_store_bytes ${stored}$`, 'm'), 'after a run, the store holds exactly what rows point at');
});
