/**
 * Recognises native executables and libraries by their first bytes, so a
 * shared library renamed to `data.bin` is still seen for what it is.
 * ELF (System V ABI), PE (Microsoft PE/COFF: `MZ`, then `PE\0\0` at the
 * offset stored at 0x3C) and Mach-O (thin, 32/64-bit, either byte order, and fat).
 */

export type BinaryFormat = 'elf' | 'pe' | 'mach-o';

const MACH_O_THIN = new Set([0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe]);
const FAT_MAGIC = 0xcafebabe;
/** Java class files share the fat Mach-O magic; there the next word is a class-file version (45 or more). */
const MAX_FAT_ARCHITECTURES = 30;

export function detectBinaryFormat(head: Buffer): BinaryFormat | undefined {
  if (head.length < 4) return undefined;
  const magic = head.readUInt32BE(0);
  if (magic === 0x7f454c46) return 'elf';
  if (MACH_O_THIN.has(magic)) return 'mach-o';
  if (magic === FAT_MAGIC && head.length >= 8 && head.readUInt32BE(4) < MAX_FAT_ARCHITECTURES) return 'mach-o';
  if (head[0] === 0x4d && head[1] === 0x5a && head.length >= 0x40) {
    const peAt = head.readUInt32LE(0x3c);
    if (peAt + 4 <= head.length && head.readUInt32BE(peAt) === 0x50450000) return 'pe';
  }
  return undefined;
}
