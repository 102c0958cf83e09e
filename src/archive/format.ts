/** Which archive format a file holds, judged by its first bytes (never by its name). */
import type { FileHandle } from 'node:fs/promises';

export type SniffedFormat = 'zip' | 'gzip' | 'tar' | 'bzip2' | 'xz' | 'zstd' | 'empty' | 'unknown';

const TAR_BLOCK = 512;

/** A tar header's checksum (POSIX ustar and old v7): the byte sum with the checksum field read as spaces. */
function isTarHeader(block: Buffer): boolean {
  if (block.length < TAR_BLOCK) return false;
  if (block.toString('latin1', 257, 262) === 'ustar') return true;
  const stored = parseInt(block.toString('latin1', 148, 156).replace(/[\0 ]+$/, '').trim(), 8);
  if (!Number.isFinite(stored)) return false;
  let sum = 0;
  for (let i = 0; i < TAR_BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : block[i]!;
  return sum === stored && block[0] !== 0;
}

export async function sniffFormat(file: FileHandle): Promise<SniffedFormat> {
  const head = Buffer.alloc(TAR_BLOCK);
  const { bytesRead } = await file.read(head, 0, TAR_BLOCK, 0);
  if (bytesRead === 0) return 'empty';
  const b = head.subarray(0, bytesRead);
  const startsWith = (...bytes: number[]): boolean => bytes.every((x, i) => b[i] === x);
  // PK\3\4 (local header), PK\5\6 (empty archive), PK\7\8 (spanning marker): APPNOTE 4.3.
  if (startsWith(0x50, 0x4b) && [0x0304, 0x0506, 0x0708].includes(((b[2] ?? 0) << 8) | (b[3] ?? 0))) return 'zip';
  if (startsWith(0x1f, 0x8b)) return 'gzip';
  if (startsWith(0x42, 0x5a, 0x68)) return 'bzip2';
  if (startsWith(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00)) return 'xz';
  if (startsWith(0x28, 0xb5, 0x2f, 0xfd)) return 'zstd';
  if (isTarHeader(b)) return 'tar';
  return 'unknown';
}
