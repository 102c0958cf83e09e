/**
 * Decompression bombs: limits are enforced on bytes actually produced, while
 * streaming, and reading stops early. The time bound is a hang guard only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deflateRawSync, gzipSync } from 'node:zlib';
import { readArchive, type ArchiveContents, type ReadArchiveOptions } from '../../src/archive/index.js';
import { deflatedZeros, gzipMember, TempDir, ustarHeader } from './fixtures.js';
import { buildZip } from './zip-writer.js';

const GIB = 1024 ** 3;
const HANG_GUARD_MS = 30_000;
const tmp = new TempDir();
after(() => tmp.remove());

let zipBomb = '';
let tarBomb = '';

/** A zip whose one entry is 1 GiB of zeros, deflated (~1 MB), built from the raw deflate stream. */
function zipAround(deflated: Buffer, crc: number, size: number): Buffer {
  const zip = buildZip({ entries: [{ name: 'zeros.bin', data: 'placeholder', method: 8 }] });
  const placeholder = deflateRawSync(Buffer.from('placeholder'));
  const dataAt = 30 + 'zeros.bin'.length;
  const local = Buffer.from(zip.subarray(0, dataAt));
  local.writeUInt32LE(crc >>> 0, 14);
  local.writeUInt32LE(deflated.length, 18);
  local.writeUInt32LE(size % 2 ** 32, 22);
  const centralAndEnd = Buffer.from(zip.subarray(dataAt + placeholder.length));
  centralAndEnd.writeUInt32LE(crc >>> 0, 16);
  centralAndEnd.writeUInt32LE(deflated.length, 20);
  centralAndEnd.writeUInt32LE(size % 2 ** 32, 24);
  const cdSize = centralAndEnd.length - 22;
  centralAndEnd.writeUInt32LE(local.length + deflated.length, cdSize + 16);
  return Buffer.concat([local, deflated, centralAndEnd]);
}

before(async () => {
  const size = GIB;
  const { deflated, crc } = await deflatedZeros(size);
  zipBomb = tmp.write(zipAround(deflated, crc, size), 'bomb.whl');
  // A tar.gz of one 1 GiB file of zeros: the last 1024 zeros double as the tar's end-of-archive blocks.
  const gz = gzipMember(deflated, crc, size);
  tarBomb = tmp.write(Buffer.concat([gzipSync(ustarHeader('bomb-1.0/zeros', size - 1024)), gz]), 'bomb-1.0.tar.gz');
});

async function read(path: string, options?: ReadArchiveOptions): Promise<ArchiveContents> {
  const started = Date.now();
  const contents = await readArchive(path, { want: () => true, ...options });
  assert.ok(Date.now() - started < HANG_GUARD_MS, 'reading took too long');
  return contents;
}

function onlyRule(c: ArchiveContents, rule: string): void {
  assert.deepEqual(
    c.findings.map((f) => f.rule),
    [rule],
    JSON.stringify(c.findings),
  );
}

describe('1 GiB of zeros', () => {
  it('in a zip stops at the ratio limit under the default limits', async () => {
    const c = await read(zipBomb);
    onlyRule(c, 'archive.zip-bomb');
    assert.equal(c.findings[0]!.severity, 'critical');
    assert.equal(c.entries[0]!.sha256, undefined, 'the entry was not read to the end');
    assert.equal(c.files.size, 0, 'no bomb data is kept');
  });
  it('in a zip, with the ratio limit lifted, stops at the per-file limit', async () => {
    const c = await read(zipBomb, { limits: { maxRatio: 1e9, maxFileUncompressed: 32 * 1024 ** 2 } });
    onlyRule(c, 'archive.file-too-large');
    assert.equal(c.findings[0]!.file, 'zeros.bin');
  });
  it('in a zip, with the ratio limit lifted, stops at the total limit', async () => {
    const c = await read(zipBomb, { limits: { maxRatio: 1e9, maxTotalUncompressed: 32 * 1024 ** 2 } });
    onlyRule(c, 'archive.total-too-large');
  });
  it('in a tar.gz stops at the ratio limit', async () => {
    const c = await read(tarBomb);
    onlyRule(c, 'archive.zip-bomb');
    assert.equal(c.format, 'tar');
  });
  it('in a tar.gz, with the ratio limit lifted, stops at the per-file limit', async () => {
    const c = await read(tarBomb, { limits: { maxRatio: 1e9, maxFileUncompressed: 32 * 1024 ** 2, maxTotalUncompressed: 64 * 1024 ** 2 } });
    assert.deepEqual(
      c.findings.map((f) => f.rule),
      ['archive.file-too-large', 'archive.total-too-large'],
    );
  });
});

describe('overlapping entries', () => {
  it('a thousand central records sharing one 8 MiB entry are a bomb, and reading stays bounded', async () => {
    const zeros = Buffer.alloc(8 * 1024 ** 2);
    const path = tmp.write(
      buildZip({
        entries: [{ name: 'kernel.bin', data: zeros }],
        aliases: Array.from({ length: 1000 }, (_, i) => ({ name: `copy${i}.bin`, target: 0 })),
      }),
    );
    const c = await read(path);
    assert.equal(c.entries.length, 1001);
    const bomb = c.findings.filter((f) => f.rule === 'archive.zip-bomb');
    assert.equal(bomb.length, 2, 'the ratio limit stops decompression and the layout check names the overlap');
    assert.ok(bomb.some((f) => /share compressed data/.test(f.message)));
    const hashed = c.entries.filter((e) => e.sha256 !== undefined).length;
    assert.ok(hashed < 100, `only a bounded number of copies was decompressed (${hashed})`);
  });
});

describe('declared sizes are not trusted', () => {
  it('an entry that declares 10 bytes but inflates to 20 MiB crosses the per-file limit', async () => {
    const path = tmp.write(
      buildZip({ entries: [{ name: 'small.txt', data: Buffer.alloc(20 * 1024 ** 2), central: { size: 10 }, local: { size: 10 } }] }),
    );
    const c = await read(path, { limits: { maxFileUncompressed: 1024 ** 2 } });
    onlyRule(c, 'archive.file-too-large');
  });
  it('without a limit in the way, the lie is a header mismatch', async () => {
    const path = tmp.write(buildZip({ entries: [{ name: 'small.txt', data: Buffer.alloc(100_000), central: { size: 10 }, local: { size: 10 } }] }));
    const c = await read(path);
    onlyRule(c, 'archive.header-mismatch');
    assert.match(c.findings[0]!.message, /declares 10 bytes but decompresses to 100000/);
  });
});
