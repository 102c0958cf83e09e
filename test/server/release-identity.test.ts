/**
 * What identifies a release and a file, end to end: other spellings of one release, of one wheel or of a second
 * sdist are refused with the stored file named; a release is yanked whole; pip sees one version per release.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../helpers/gateway.js';
import { isolatedPipEnv, runCommand } from '../helpers/packages.js';
import { DATABASES } from '../helpers/postgres.js';
import { buildSdist, buildWheel, upload } from '../helpers/wheels.js';

const JSON_V1 = 'application/vnd.pypi.simple.v1+json';

for (const database of DATABASES) {
  test(`${database}: one release per canonical version, one file per identity`, async (t) => {
    const gw = await startGateway({ database, listen: true });
    t.after(() => gw.close());
    const token = await gw.token();
    const admin = await gw.token({ scope: 'admin' });
    const accept = async (file: ReturnType<typeof buildWheel>, version: string) => {
      const r = await upload(gw.url, token, file, { name: 'demo', version });
      assert.equal(r.status, 200, `${file.filename}: ${r.text}`);
    };
    const refuse = async (file: ReturnType<typeof buildWheel>, version: string, reason: RegExp) => {
      const r = await upload(gw.url, token, file, { name: 'demo', version });
      assert.equal(r.status, 400, `${file.filename}: ${r.status} ${r.text}`);
      assert.match(r.reason, reason, file.filename);
    };

    await accept(buildWheel('demo', '5.0'), '5.0');
    // The same wheel as another spelling of the version: one release, one file.
    await refuse(buildWheel('demo', '5.0.0', { salt: 'other bytes' }), '5.0.0', /File already exists: "demo-5\.0\.0-py3-none-any\.whl" is the same wheel .* as 'demo-5\.0-py3-none-any\.whl'/);
    // Other spellings of the project name and the version, with the same tags.
    await refuse(buildWheel('demo', '5.0', { stem: 'Demo-5.0', salt: 'a' }), '5.0', /is the same wheel/);
    await refuse(buildWheel('demo', '5.0', { stem: 'demo-v5.0', salt: 'b' }), '5.0', /is the same wheel/);
    // Compressed tag sets compare as sets.
    await accept(buildWheel('demo', '5.0', { tag: 'py2.py3-none-any' }), '5.0');
    await refuse(buildWheel('demo', '5.0', { tag: 'py3.py2-none-any', salt: 'c' }), '5.0', /is the same wheel/);
    // The same bytes under another name.
    const wheel = buildWheel('demo', '6.0');
    await accept(wheel, '6.0');
    await refuse({ ...wheel, filename: 'demo-6.0-1-py3-none-any.whl' }, '6.0', /these bytes were uploaded before as 'demo-6\.0-py3-none-any\.whl'/);
    // One sdist per release, whatever its spelling or format.
    await accept(buildSdist('demo', '2.128'), '2.128');
    await refuse(buildSdist('demo', '2.128.0'), '2.128.0', /Only one sdist may be uploaded per release: version 2\.128 already has 'demo-2\.128\.tar\.gz'/);
    await refuse({ ...buildSdist('demo', '2.128', { salt: 'zip' }), filename: 'demo-2.128.zip' }, '2.128', /Only one sdist/);
    await accept(buildWheel('demo', '2.128.0'), '2.128.0');

    const page = (await (await fetch(`${gw.url}/simple/demo/`, { headers: { accept: JSON_V1 } })).json()) as {
      versions: string[];
      files: Array<{ filename: string; yanked: boolean | string }>;
    };
    assert.deepEqual(page.versions, ['5.0', '6.0', '2.128'], 'one version per release, as first spelled');
    assert.equal(page.files.length, 5);

    // Yanking "5" yanks the release, whatever its files' spellings; again, nothing changes.
    const yank = async (action: 'yank' | 'unyank', body: Record<string, unknown>) => {
      const res = await fetch(`${gw.url}/admin/api/projects/demo/${action}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.text()) };
    };
    assert.deepEqual(JSON.parse((await yank('yank', { version: '2.128.0.0', reason: 'broken' })).body), { project: 'demo', action: 'yank', files: 2, matched: 2 });
    const serial = await gw.storage.hosted.serial('demo');
    assert.deepEqual(JSON.parse((await yank('yank', { version: '2.128', reason: 'broken' })).body).files, 0);
    assert.deepEqual(JSON.parse((await yank('unyank', { version: '5' })).body).files, 0, 'nothing to unyank');
    assert.equal(await gw.storage.hosted.serial('demo'), serial, 'a change that changes nothing bumps no serial');
    // The admin API refuses what its schema does not know, instead of dropping it.
    const extra = await yank('yank', { version: '5', reason: 'x', force: true });
    assert.equal(extra.status, 400, extra.body);
    assert.match(extra.body, /must NOT have additional properties/);

    const yanked = (await (await fetch(`${gw.url}/simple/demo/`, { headers: { accept: JSON_V1 } })).json()) as typeof page;
    assert.deepEqual(
      yanked.files.filter((f) => f.yanked).map((f) => f.filename).sort(),
      ['demo-2.128.0-py3-none-any.whl', 'demo-2.128.tar.gz'],
    );

    // pip: `demo==2.128` may still install the yanked release (PEP 592), but nothing unyanked of it is left over.
    const dest = await mkdtemp(join(tmpdir(), 'gatehouse-pip-'));
    t.after(() => rm(dest, { recursive: true, force: true }));
    const pip = (spec: string, into: string) =>
      runCommand('python3', ['-m', 'pip', '--isolated', 'download', '--no-deps', '--no-cache-dir', '--only-binary', ':all:', '-d', into, '--index-url', `${gw.url}/simple/`, spec], {
        env: isolatedPipEnv(),
      });
    const pinned = await pip('demo==2.128', join(dest, 'pinned'));
    assert.equal(pinned.code, 0, pinned.stderr);
    assert.match(pinned.stderr + pinned.stdout, /yanked/i, 'pip warns that the pinned release is yanked');
    assert.deepEqual(await readdir(join(dest, 'pinned')), ['demo-2.128.0-py3-none-any.whl']);
    const newest = await pip('demo>=2.128,<5', join(dest, 'range'));
    assert.notEqual(newest.code, 0, 'no unyanked file of 2.128 is left for a range to pick');
  });
}
