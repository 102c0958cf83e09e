/** Native binaries are recognised by content, and look-alikes (text, Java classes, DOS stubs) are not. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectBinaryFormat } from '../../src/archive/binary-format.js';

function pe(): Buffer {
  const b = Buffer.alloc(0x100);
  b.write('MZ', 0, 'latin1');
  b.writeUInt32LE(0x80, 0x3c);
  b.write('PE\0\0', 0x80, 'latin1');
  return b;
}

describe('detectBinaryFormat', () => {
  const cases: { what: string; head: Buffer; expected: string | undefined }[] = [
    { what: 'ELF', head: Buffer.from('7f454c4602010100', 'hex'), expected: 'elf' },
    { what: 'Mach-O 64-bit little-endian', head: Buffer.from('cffaedfe07000001', 'hex'), expected: 'mach-o' },
    { what: 'Mach-O 32-bit big-endian', head: Buffer.from('feedface00000012', 'hex'), expected: 'mach-o' },
    { what: 'fat Mach-O with 2 architectures', head: Buffer.from('cafebabe00000002', 'hex'), expected: 'mach-o' },
    { what: 'a Java class file (same magic, version 52)', head: Buffer.from('cafebabe00000034', 'hex'), expected: undefined },
    { what: 'PE', head: pe(), expected: 'pe' },
    { what: 'a text file starting with MZ', head: Buffer.from('MZ is a postcode area in England\n'.repeat(4)), expected: undefined },
    { what: 'a DOS stub pointing past the buffer', head: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(0x3a), Buffer.from('ffff0000', 'hex')]), expected: undefined },
    { what: 'Python source', head: Buffer.from('import os\n'), expected: undefined },
    { what: 'three bytes', head: Buffer.from([0x7f, 0x45, 0x4c]), expected: undefined },
  ];
  for (const { what, head, expected } of cases) {
    it(what, () => assert.equal(detectBinaryFormat(head), expected));
  }
});
