/**
 * Every request gets an access line at debug level (method, URL, status, time) and none at the default level,
 * where the log says what the gateway decided rather than every GET.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { DEFAULT_CONFIG } from '../../src/config/gateway.js';
import { buildApp } from '../../src/server/app.js';
import { openStorage } from '../../src/store/index.js';

for (const level of ['debug', 'info'] as const) {
  test(`access lines at log level ${level}`, async (t) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-access-log-'));
    const storage = await openStorage({ dataDir });
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
        done();
      },
    });
    const app = await buildApp(storage, { ...DEFAULT_CONFIG, upstreams: [], dataDir }, { logger: { level }, loggerStream: stream, maintenanceIntervalMs: 0 });
    t.after(async () => {
      await app.close();
      await storage.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    await app.inject({ url: '/healthz' });
    await app.inject({ url: '/simple/not-here/' });
    const access = lines.filter((l) => l['msg'] === 'request');
    if (level === 'info') {
      assert.deepEqual(access, []);
      return;
    }
    assert.deepEqual(
      access.map((l) => [l['method'], l['url'], l['status']]),
      [
        ['GET', '/healthz', 200],
        ['GET', '/simple/not-here/', 404],
      ],
    );
    assert.ok(access.every((l) => typeof l['ms'] === 'number'));
  });
}
