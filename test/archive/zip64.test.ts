/**
 * Zip64 (APPNOTE 4.3.14–4.3.16, 4.5.3), written by Python's zipfile: more
 * entries than ZIP_FILECOUNT_LIMIT moves the counts into the zip64 end record
 * (the limit is lowered from 65,535 so the test stays small), and
 * `force_zip64` puts the sizes in a local zip64 extra field.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readArchive } from '../../src/archive/index.js';
import { TempDir } from './fixtures.js';

const ENTRIES = 300;
const tmp = new TempDir();
after(() => tmp.remove());
let zip64 = '';

before(() => {
  zip64 = join(tmp.path, 'many.zip');
  const script = `
import sys, zipfile
zipfile.ZIP_FILECOUNT_LIMIT = 100
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    with z.open("big/forced.txt", "w", force_zip64=True) as f:
        f.write(b"zip64 sizes in the local header\\n" * 100)
    for i in range(${ENTRIES}):
        z.writestr(f"m/{i}", b"")
`;
  const r = spawnSync('python3', ['-c', script, zip64], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});

describe('zip64', () => {
  it(`reads ${ENTRIES + 1} entries through the zip64 end record, and a zip64 local header, without findings`, async () => {
    assert.equal(readFileSync(zip64).indexOf(Buffer.from([0x50, 0x4b, 6, 6])) > 0, true, 'a zip64 end record was written');
    const c = await readArchive(zip64);
    assert.deepEqual(c.findings, []);
    assert.equal(c.entries.length, ENTRIES + 1);
    assert.equal(c.entries[0]!.size, 3200);
    assert.ok(c.entries[0]!.sha256);
  });
  it('still finds its way with data prepended', async () => {
    const path = tmp.write(Buffer.concat([Buffer.from('#!/bin/sh\nexec python3 "$0"\n'), readFileSync(zip64)]), 'prepended.zip');
    const c = await readArchive(path);
    assert.deepEqual(
      c.findings.map((f) => f.rule),
      ['archive.prepended-data'],
    );
    assert.equal(c.entries.length, ENTRIES + 1);
  });
});
