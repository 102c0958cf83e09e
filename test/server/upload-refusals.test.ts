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

async function post(gw: TestGateway, token: string | null, body: FormData | string, contentType?: string) {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}`;
  if (contentType) headers['content-type'] = contentType;
  const res = await fetch(`${gw.url}/legacy/`, { method: 'POST', headers, body });
  return { status: res.status, reason: res.statusText, text: await res.text() };
}

async function assertNothingStored(gw: TestGateway) {
  const files = await gw.storage.database.db.selectFrom('file').select('filename').execute();
  assert.deepEqual(files, [], 'no file row');
  assert.deepEqual(await readdir(join(gw.dataDir, 'tmp')), [], 'no temporary file left');
  assert.deepEqual(await readdir(join(gw.dataDir, 'blobs')), [], 'no blob');
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
      { what: 'random bytes as a wheel', send: () => post(gw, token, form(fields, wheel(Buffer.from('not a zip at all')))), status: 400, reason: /invalid distribution file/ },
    ];
    for (const c of cases) {
      const r = await c.send();
      assert.equal(r.status, c.status, `${c.what}: ${r.status} ${r.text}`);
      assert.match(r.text, c.reason, c.what);
      assert.match(r.reason, c.reason, `${c.what}: the status line carries the reason for twine`);
      await assertNothingStored(gw);
    }

    // The good wheel is accepted after all that, and only once.
    const ok = await post(gw, token, form(fields, wheel()));
    assert.equal(ok.status, 200, ok.text);
    const dup = await post(gw, token, form(fields, wheel()));
    assert.equal(dup.status, 400);
    assert.match(dup.text, /File already exists/);
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
