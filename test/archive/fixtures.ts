/**
 * Adversarial archives built on the fly (nothing binary is checked in): temp
 * files, tar entries written with tar-stream, and a gigabyte of zeros
 * compressed without ever holding the gigabyte in memory.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDeflateRaw, crc32, gzipSync } from 'node:zlib';
import tar from 'tar-stream';

export class TempDir {
  readonly path = mkdtempSync(join(tmpdir(), 'gatehouse-archive-'));
  private n = 0;

  write(data: Buffer, name = `archive-${this.n++}`): string {
    const path = join(this.path, name);
    writeFileSync(path, data);
    return path;
  }

  remove(): void {
    rmSync(this.path, { recursive: true, force: true });
  }
}

export interface TarEntrySpec {
  name: string;
  type?: tar.Header['type'];
  data?: string | Buffer;
  linkname?: string;
  mode?: number;
}

export async function buildTar(entries: TarEntrySpec[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', () => resolve());
    pack.on('error', reject);
  });
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
    const header: Partial<tar.Header> & { name: string } = { name: e.name, type: e.type ?? 'file', mode: e.mode ?? 0o644 };
    if (e.linkname !== undefined) header.linkname = e.linkname;
    if ((e.type ?? 'file') === 'file') pack.entry(header, data);
    else pack.entry(header);
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function buildTarGz(entries: TarEntrySpec[]): Promise<Buffer> {
  return gzipSync(await buildTar(entries));
}

/** `length` zero bytes as a raw deflate stream, with their CRC-32, compressed chunk by chunk. */
export async function deflatedZeros(length: number): Promise<{ deflated: Buffer; crc: number }> {
  const chunk = Buffer.alloc(1 << 20);
  const deflate = createDeflateRaw({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const ended = new Promise((resolve) => deflate.on('end', resolve));
  let crc = 0;
  for (let left = length; left > 0; left -= chunk.length) {
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    crc = crc32(piece, crc);
    if (!deflate.write(piece)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await ended;
  return { deflated: Buffer.concat(out), crc };
}

/** A one-member gzip file around a raw deflate stream (RFC 1952). */
export function gzipMember(deflated: Buffer, crc: number, length: number): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 255]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(length % 2 ** 32, 4);
  return Buffer.concat([header, deflated, trailer]);
}

/** A ustar header for a regular file of `size` bytes (POSIX.1-1988). */
export function ustarHeader(name: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0' + '00', 257, 'latin1');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}
