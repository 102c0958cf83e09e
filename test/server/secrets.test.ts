/**
 * No token secret, whole or in part, reaches a response (status line, headers, body), a log line or a metric,
 * whichever way it is sent wrongly.
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
import { normalizeName } from '../../src/pep/name.js';
import { buildWheel } from '../helpers/wheels.js';

test('token secrets never reach responses, logs or metrics', async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'gatehouse-secrets-'));
  const storage = await openStorage({ dataDir });
  const log: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      log.push(String(chunk));
      done();
    },
  });
  const app = await buildApp(storage, { ...DEFAULT_CONFIG, dataDir }, { logger: { level: 'trace' }, loggerStream: stream });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(async () => {
    await app.close();
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const upload = await storage.tokens.create({ scope: 'upload', projects: ['demo'], allProjects: false, description: 't', expiresAt: null });
  const admin = await storage.tokens.create({ scope: 'admin', projects: [], allProjects: true, description: 't', expiresAt: null });
  const secrets = [upload.secret, admin.secret];
  // A real secret with one character changed: an unknown token, as precious to its owner as the real one.
  const mistyped = upload.secret.slice(0, -1) + (upload.secret.endsWith('A') ? 'B' : 'A');
  secrets.push(mistyped);

  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const wheel = buildWheel('demo', '1.0');
  const form = (fields: Record<string, string>, filename = wheel.filename) => {
    const f = new FormData();
    for (const [k, v] of Object.entries({ ':action': 'file_upload', name: 'demo', version: '1.0', ...fields })) f.append(k, v);
    f.append('content', new Blob([new Uint8Array(wheel.data)]), filename);
    return f;
  };
  const requests: Array<{ what: string; path: string; init?: RequestInit }> = [];
  for (const secret of secrets) {
    const auths = [
      basic(secret, ''), // curl -u "$TOKEN:"
      basic(secret, secret),
      basic('__token__', secret), // right way, wrong scope for the admin route below
      basic('someone', secret),
      `Bearer ${secret}`,
      `bearer  ${secret}`,
      `Token ${secret}`,
      secret,
      `Basic ${Buffer.from(secret).toString('base64')}`, // no colon
      `Basic ${secret}`, // not base64 at all
    ];
    for (const [i, authorization] of auths.entries()) {
      requests.push({ what: `upload, authorization #${i}`, path: '/legacy/', init: { method: 'POST', headers: { authorization }, body: form({}) } });
      requests.push({
        what: `yank, authorization #${i}`,
        path: '/admin/api/projects/demo/yank',
        init: { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: JSON.stringify({ version: '1.0' }) },
      });
    }
    // Pasted where no token belongs.
    requests.push({ what: 'in a project URL', path: `/simple/${secret}/` });
    requests.push({ what: 'in a normalized project URL', path: `/simple/${normalizeName(secret)}/` });
    requests.push({ what: 'in a file URL', path: `/files/${secret}/x.whl` });
    requests.push({ what: 'in a query', path: `/simple/?token=${secret}` });
    requests.push({ what: 'in an unknown path', path: `/${secret}` });
    requests.push({ what: 'as the project name', path: '/legacy/', init: { method: 'POST', headers: { authorization: basic('__token__', upload.secret) }, body: form({ name: secret }) } });
    requests.push({ what: 'as the version', path: '/legacy/', init: { method: 'POST', headers: { authorization: basic('__token__', upload.secret) }, body: form({ version: secret }) } });
    requests.push({ what: 'as the file name', path: '/legacy/', init: { method: 'POST', headers: { authorization: basic('__token__', upload.secret) }, body: form({}, `${secret}.whl`) } });
    requests.push({
      what: 'as a yank reason and version',
      path: '/admin/api/projects/demo/yank',
      init: { method: 'POST', headers: { authorization: `Bearer ${admin.secret}`, 'content-type': 'application/json' }, body: JSON.stringify({ version: secret, reason: secret }) },
    });
  }
  requests.push({ what: 'metrics', path: '/metrics' });

  const seen: string[] = [];
  for (const r of requests) {
    const res = await fetch(url + r.path, { redirect: 'manual', ...r.init });
    const headers = [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
    seen.push(`${r.what}\n${res.status} ${res.statusText}\n${headers}\n${await res.text()}`);
  }
  const metrics = await (await fetch(`${url}/metrics`)).text();
  seen.push(metrics);
  await new Promise((r) => setTimeout(r, 50));
  const everything = [...seen, ...log];
  assert.ok(log.length > 20, 'the log recorded the requests');

  // Any 8 characters of a secret's random part, in any case, with `_` or `-`: "whole or in part".
  const leaks: string[] = [];
  for (const secret of secrets) {
    const body = secret.slice('gh1_'.length);
    for (let i = 0; i + 8 <= body.length; i++) {
      const part = body.slice(i, i + 8).toLowerCase();
      for (const text of everything) {
        const hay = text.toLowerCase();
        if (hay.includes(part) || hay.includes(part.replace(/_/g, '-'))) leaks.push(`${part} in: ${text.slice(0, 300)}`);
      }
    }
  }
  assert.deepEqual(leaks.slice(0, 5), []);
  // The refusals still say what is wrong.
  assert.ok(seen.some((s) => s.includes('403 the user name must be __token__')));
  assert.ok(seen.some((s) => s.includes('403 invalid API token')));
});
