/**
 * Bad uploads: each is refused with a 4xx that names its reason, nothing is
 * stored (no blob, no temporary file, no row), and the server stays up.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway, type TestGateway } from '../helpers/gateway.js';
import { DATABASES } from '../helpers/postgres.js';
import { wheelEntries, writeTarGz, writeZip, type ZipEntrySpec } from '../helpers/zip.js';

const work = await mkdtemp(join(tmpdir(), 'gatehouse-refusals-'));
process.on('exit', () => void rm(work, { recursive: true, force: true }));

function makeZip(name: string, entries: ZipEntrySpec[]): Promise<Buffer> {
  const path = join(work, `${Math.random().toString(36).slice(2)}-${name}`);
  writeZip(path, entries);
  return readFile(path);
}

function form(fields: Record<string, string>, file?: { name: string; data: Buffer }): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries({ ':action': 'file_upload', protocol_version: '1', ...fields })) f.append(k, v);
  if (file) f.append('content', new Blob([new Uint8Array(file.data)]), file.name);
  return f;
}

async function post(gw: TestGateway, token: string | null, body: FormData | string | Blob, contentType?: string) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`;
  if (contentType) headers['content-type'] = contentType;
  const res = await fetch(`${gw.url}/legacy/`, { method: 'POST', headers, body });
  return { status: res.status, reason: res.statusText, text: await res.text() };
}

/** A multipart body written by hand, for file names a FormData would not send as given. */
async function postRaw(gw: TestGateway, token: string, fields: Record<string, string>, file: { disposition: string; data: Buffer }) {
  const boundary = 'gatehouse-raw-boundary';
  const parts = Object.entries({ ':action': 'file_upload', protocol_version: '1', ...fields }).map(
    ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
  );
  const body = Buffer.concat([
    Buffer.from(parts.join('') + `--${boundary}\r\nContent-Disposition: form-data; name="content"; ${file.disposition}\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file.data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return post(gw, token, new Blob([new Uint8Array(body)]), `multipart/form-data; boundary=${boundary}`);
}

async function assertNothingStored(gw: TestGateway) {
  const files = await gw.storage.database.db.selectFrom('file').select('filename').execute();
  assert.deepEqual(files, [], 'no file row');
  assert.deepEqual(await readdir(join(gw.dataDir, 'tmp')), [], 'no temporary file left');
  const blobs = [];
  for await (const blob of gw.storage.blobs.list()) blobs.push(blob.sha256);
  assert.deepEqual(blobs, [], 'no blob');
  const health = await fetch(`${gw.url}/healthz`);
  assert.equal(health.status, 200, 'the server is still up');
}

for (const database of DATABASES) {
  test(`${database}: refused uploads name their reason and store nothing`, async (t) => {
    const gw = await startGateway({ database, listen: true, config: { upload: { maxFileSize: 256 * 1024 } } });
    t.after(() => gw.close());
    const token = await gw.token({ projects: ['demo'] });
    const otherProject = await gw.token({ projects: ['other'] });
    const expired = await gw.token({ projects: ['demo'], expiresAt: new Date(Date.now() - 1000) });
    const revokedSecret = await gw.token({ projects: ['demo'] });
    const revokedId = (await gw.storage.tokens.find(revokedSecret))!.id;
    await gw.storage.tokens.revoke(revokedId);

    const good = await makeZip('demo-1.0-py3-none-any.whl', wheelEntries('demo', '1.0'));
    const fields = { name: 'demo', version: '1.0', filetype: 'bdist_wheel' };
    const wheel = (data = good, name = 'demo-1.0-py3-none-any.whl') => ({ name, data });

    const cases: Array<{ what: string; send: () => Promise<{ status: number; reason: string; text: string }>; status: number; reason: RegExp }> = [
      { what: 'no credentials', send: () => post(gw, null, form(fields, wheel())), status: 401, reason: /authentication required/ },
      { what: 'a wrong token', send: () => post(gw, 'gh1_wrong', form(fields, wheel())), status: 403, reason: /invalid API token/ },
      { what: 'an expired token', send: () => post(gw, expired, form(fields, wheel())), status: 403, reason: /expired/ },
      { what: 'a revoked token', send: () => post(gw, revokedSecret, form(fields, wheel())), status: 403, reason: /revoked/ },
      { what: "another project's token", send: () => post(gw, otherProject, form(fields, wheel())), status: 403, reason: /may upload to other, not to 'demo'/ },
      { what: 'not multipart', send: () => post(gw, token, '{"name":"demo"}', 'application/json'), status: 415, reason: /multipart/ },
      {
        what: 'malformed multipart',
        send: () => post(gw, token, '--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\ndemo\r\n--xyz\r\nContent-Disp', 'multipart/form-data; boundary=xyz'),
        status: 400,
        reason: /malformed or truncated multipart/,
      },
      { what: 'no file', send: () => post(gw, token, form(fields)), status: 400, reason: /has no file/ },
      { what: 'an invalid project name', send: () => post(gw, token, form({ ...fields, name: '-demo-' }, wheel())), status: 400, reason: /invalid project name/ },
      { what: 'an invalid version', send: () => post(gw, token, form({ ...fields, version: '1.0-beta!' }, wheel())), status: 400, reason: /invalid version/ },
      { what: 'an unsupported extension', send: () => post(gw, token, form(fields, wheel(good, 'demo-1.0.exe'))), status: 400, reason: /invalid file extension/ },
      { what: 'an invalid wheel filename', send: () => post(gw, token, form(fields, wheel(good, 'demo-1.0.whl'))), status: 400, reason: /invalid distribution filename/ },
      { what: 'a filename for another project', send: () => post(gw, token, form(fields, wheel(good, 'other-1.0-py3-none-any.whl'))), status: 400, reason: /is for project 'other'/ },
      { what: 'a filename with another version', send: () => post(gw, token, form(fields, wheel(good, 'demo-2.0-py3-none-any.whl'))), status: 400, reason: /version in filename should be '1.0'/ },
      {
        what: 'metadata that contradicts the filename',
        send: async () => post(gw, token, form(fields, wheel(await makeZip('x.whl', wheelEntries('demo', '1.0', { version: '9.9' }))))),
        status: 400,
        reason: /METADATA has version '9.9'/,
      },
      {
        what: 'a wheel without RECORD',
        send: async () => post(gw, token, form(fields, wheel(await makeZip('x.whl', wheelEntries('demo', '1.0').filter((e) => !e.name.endsWith('RECORD')))))),
        status: 400,
        reason: /RECORD not found/,
      },
      {
        what: '../ inside the archive',
        send: async () => post(gw, token, form(fields, wheel(await makeZip('x.whl', [...wheelEntries('demo', '1.0'), { name: '../../evil.py', text: 'x' }])))),
        status: 400,
        reason: /invalid distribution file: .*\[archive\.path-traversal\]/,
      },
      {
        what: 'an absolute path inside the archive',
        send: async () => post(gw, token, form(fields, wheel(await makeZip('x.whl', [...wheelEntries('demo', '1.0'), { name: '/etc/cron.d/evil', text: 'x' }])))),
        status: 400,
        reason: /invalid distribution file: .*\[archive\.absolute-path\]/,
      },
      {
        what: 'a zip bomb',
        send: async () => post(gw, token, form(fields, wheel(await makeZip('x.whl', [...wheelEntries('demo', '1.0'), { name: 'demo/bomb.bin', zeros: 200 * 1024 * 1024 }])))),
        status: 400,
        reason: /invalid distribution file: .*\[archive\.(zip-bomb|file-too-large|total-too-large)\]/,
      },
      {
        what: 'a digest that does not match',
        send: () => post(gw, token, form({ ...fields, sha256_digest: '0'.repeat(64) }, wheel())),
        status: 400,
        reason: /sha256_digest supplied does not match/,
      },
      { what: 'a body over the size limit', send: () => post(gw, token, form(fields, wheel(Buffer.alloc(300 * 1024, 1)))), status: 413, reason: /file too large: the limit is 256 KiB/ },
      {
        what: 'a symlink to /etc/passwd in an sdist',
        send: async () => {
          const path = join(work, `${Math.random().toString(36).slice(2)}-demo-1.0.tar.gz`);
          writeTarGz(path, [
            { name: 'demo-1.0/PKG-INFO', text: 'Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n' },
            { name: 'demo-1.0/passwd', symlink: '/etc/passwd' },
          ]);
          return post(gw, token, form({ ...fields, filetype: 'sdist' }, { name: 'demo-1.0.tar.gz', data: await readFile(path) }));
        },
        status: 400,
        reason: /invalid distribution file: symlink to "\/etc\/passwd", outside the archive .*\[archive\.symlink\]/,
      },
      {
        what: 'an sdist without PKG-INFO',
        send: async () => {
          const path = join(work, `${Math.random().toString(36).slice(2)}-demo-1.0.tar.gz`);
          writeTarGz(path, [{ name: 'demo-1.0/setup.py', text: 'from setuptools import setup\nsetup()\n' }]);
          return post(gw, token, form({ ...fields, filetype: 'sdist' }, { name: 'demo-1.0.tar.gz', data: await readFile(path) }));
        },
        status: 400,
        reason: /PKG-INFO not found at demo-1\.0\/PKG-INFO/,
      },
      {
        what: 'form fields over the total limit',
        send: () => {
          const f = form(fields, wheel());
          for (let i = 0; i < 5; i++) f.append(`description_${i}`, 'x'.repeat(2 * 1024 * 1024));
          return post(gw, token, f);
        },
        status: 413,
        reason: /the form fields exceed 8 MiB in total/,
      },
      {
        what: 'entries that differ only in case',
        send: async () => post(gw, token, form(fields, wheel(await makeZip('x.whl', wheelEntries('demo', '1.0', undefined, [{ name: 'DEMO/__init__.py', text: 'evil = 1\n' }]))))),
        status: 400,
        reason: /invalid distribution file: .*only in case .*\[archive\.case-duplicate-name\]/,
      },
      {
        what: 'a link inside an sdist, even one that stays inside',
        send: async () => {
          const path = join(work, `${Math.random().toString(36).slice(2)}-demo-1.0.tar.gz`);
          writeTarGz(path, [
            { name: 'demo-1.0/PKG-INFO', text: 'Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n' },
            { name: 'demo-1.0/setup.py', symlink: 'PKG-INFO' },
          ]);
          return post(gw, token, form({ ...fields, filetype: 'sdist' }, { name: 'demo-1.0.tar.gz', data: await readFile(path) }));
        },
        status: 400,
        reason: /invalid distribution file: symlink to "PKG-INFO" .*\[archive\.symlink\]/,
      },
      {
        what: 'a second .dist-info directory (a decoy)',
        send: async () => {
          const decoy = [{ name: 'aaa-0.1.dist-info/METADATA', text: 'Metadata-Version: 2.1\nName: aaa\nVersion: 0.1\n' }];
          return post(gw, token, form(fields, wheel(await makeZip('x.whl', wheelEntries('demo', '1.0', undefined, decoy)))));
        },
        status: 400,
        reason: /invalid wheel: the wheel has 2 \*\.dist-info directories/,
      },
      {
        what: 'a file changed after RECORD was written',
        send: async () => {
          const entries = wheelEntries('demo', '1.0').map((e) => (e.name === 'demo/__init__.py' ? { ...e, text: 'X = 2  # changed\n' } : e));
          return post(gw, token, form(fields, wheel(await makeZip('x.whl', entries))));
        },
        status: 400,
        reason: /invalid wheel: .*\[integrity\.record-(hash|size)-mismatch\]/,
      },
      {
        what: 'a file RECORD does not list',
        send: async () => post(gw, token, form(fields, wheel(await makeZip('x.whl', [...wheelEntries('demo', '1.0'), { name: 'demo/added.py', text: 'import os\n' }])))),
        status: 400,
        reason: /invalid wheel: demo\/added\.py is in the wheel but not in RECORD \[integrity\.unlisted-file\]/,
      },
      ...['../demo-1.0-py3-none-any.whl', '/etc/demo-1.0-py3-none-any.whl', '..\\demo-1.0-py3-none-any.whl', 'x/../demo-1.0-py3-none-any.whl'].map((name) => ({
        what: `a path in the file name: ${name}`,
        send: () => postRaw(gw, token, fields, { disposition: `filename="${name.replace(/\\/g, '\\\\')}"`, data: good }),
        status: 400,
        reason: /invalid filename .*: it must not contain a path/,
      })),
      {
        what: "a path in an RFC 5987 file name (filename*=UTF-8''..%2F..)",
        send: () => postRaw(gw, token, fields, { disposition: "filename*=UTF-8''..%2F..%2Fdemo-1.0-py3-none-any.whl", data: good }),
        status: 400,
        reason: /invalid filename .*: it must not contain a path/,
      },
      {
        what: 'one form field over the 4 MiB field limit',
        send: () => post(gw, token, form({ ...fields, description: 'x'.repeat(5 * 1024 * 1024) }, wheel())),
        status: 413,
        reason: /the form field "description" is over the 4 MiB limit/,
      },
      { what: 'random bytes as a wheel', send: () => post(gw, token, form(fields, wheel(Buffer.from('not a zip at all')))), status: 400, reason: /invalid distribution file/ },
    ];
    for (const c of cases) {
      const r = await c.send();
      assert.equal(r.status, c.status, `${c.what}: ${r.status} ${r.text}`);
      assert.match(r.text, c.reason, c.what);
      assert.match(r.reason, c.reason, `${c.what}: the status line carries the reason for twine`);
      await assertNothingStored(gw);
    }

    // The good wheel is accepted after all that. The same file again changes nothing (warehouse answers 200);
    // other bytes under its name are refused.
    const ok = await post(gw, token, form(fields, wheel()));
    assert.equal(ok.status, 200, ok.text);
    const again = await post(gw, token, form(fields, wheel()));
    assert.equal(again.status, 200, again.text);
    assert.match(again.text, /"existing":true/);
    const other = await makeZip('demo-1.0-py3-none-any.whl', wheelEntries('demo', '1.0', undefined, [{ name: 'demo/extra.py', text: 'Y = 2\n' }]));
    const dup = await post(gw, token, form(fields, wheel(other)));
    assert.equal(dup.status, 400);
    assert.match(dup.text, /File already exists/);
    assert.equal((await gw.storage.database.db.selectFrom('file').selectAll().execute()).length, 1);
  });
}

test('a truncated upload (client disconnects mid-body) stores nothing and the server stays up', async (t) => {
  const gw = await startGateway({ listen: true });
  t.after(() => gw.close());
  const token = await gw.token({ projects: ['demo'] });
  const boundary = 'gatehouse-test-boundary';
  const head = Buffer.from(
    [':action', 'file_upload', 'name', 'demo', 'version', '1.0']
      .reduce<string[]>((acc, v, i, a) => (i % 2 ? acc : [...acc, `--${boundary}\r\nContent-Disposition: form-data; name="${v}"\r\n\r\n${a[i + 1]}\r\n`]), [])
      .join('') + `--${boundary}\r\nContent-Disposition: form-data; name="content"; filename="demo-1.0-py3-none-any.whl"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const url = new URL(gw.url);
  await new Promise<void>((resolve) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      method: 'POST',
      path: '/legacy/',
      headers: {
        authorization: `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + 1_000_000),
      },
    });
    req.on('error', () => resolve());
    req.on('response', () => resolve());
    req.write(head);
    req.write(Buffer.alloc(100_000, 7), () => setTimeout(() => { req.destroy(); resolve(); }, 200));
  });
  // Give the server a moment to notice the disconnect and clean up.
  for (let i = 0; i < 50 && (await readdir(join(gw.dataDir, 'tmp'))).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  await assertNothingStored(gw);
});
