/**
 * A small zip writer for tests (APPNOTE 6.3.10, no zip64) that can forge what
 * real writers never produce: local headers that disagree with the central
 * directory, central records that share one entry's data, encryption flags,
 * Unix file types, bytes before and after the archive.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntrySpec {
  name: string;
  data?: Buffer | string;
  /** 0 = stored, 8 = deflated (default). */
  method?: number;
  /** Unix mode, including the file type bits (0o120777 for a symlink). Sets "made by Unix". */
  unixMode?: number;
  /** Extra general-purpose flag bits (1 = encrypted). Bit 11 (UTF-8) is always set. */
  flags?: number;
  /** Fields of the local header that differ from the central record. */
  local?: { name?: string; crc?: number; compressedSize?: number; size?: number; method?: number };
  /** Bytes after this entry's data that no entry accounts for (counted in later offsets). */
  gapAfter?: Buffer;
  /** Fields of the central record that differ from the truth, and extra fields it carries. */
  central?: { crc?: number; size?: number; extra?: Buffer };
}

export interface ZipSpec {
  entries: ZipEntrySpec[];
  /** Extra central records pointing at the local header of entry `target` (overlapping entries). */
  aliases?: { name: string; target: number }[];
  /** Bytes concatenated before the archive; its offsets do not count them (a zip glued after a file). */
  prepend?: Buffer;
  /** Bytes before the first entry that the offsets do count (a self-extractor's stub). */
  stub?: Buffer;
  append?: Buffer;
  /** An entry count for the end record other than the number of central records. */
  declaredCount?: number;
}

const UTF8 = 0x0800;

export function buildZip(spec: ZipSpec): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  const records: CentralRecord[] = [];
  const stub = spec.stub ?? Buffer.alloc(0);
  let offset = stub.length;
  for (const e of spec.entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
    const method = e.method ?? 8;
    const body = method === 8 ? deflateRawSync(data) : data;
    const crc = crc32(data);
    const flags = UTF8 | (e.flags ?? 0);
    const localName = Buffer.from(e.local?.name ?? e.name);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4);
    header.writeUInt16LE(flags, 6);
    header.writeUInt16LE(e.local?.method ?? method, 8);
    header.writeUInt32LE(e.local?.crc ?? crc, 14);
    header.writeUInt32LE(e.local?.compressedSize ?? body.length, 18);
    header.writeUInt32LE(e.local?.size ?? data.length, 22);
    header.writeUInt16LE(localName.length, 26);
    const local = Buffer.concat([header, localName, body, e.gapAfter ?? Buffer.alloc(0)]);
    records.push({
      offset,
      crc: e.central?.crc ?? crc,
      csize: body.length,
      size: e.central?.size ?? data.length,
      method,
      flags,
      mode: e.unixMode ?? 0,
      extra: e.central?.extra ?? Buffer.alloc(0),
    });
    centrals.push(central(e.name, records.at(-1)!));
    locals.push(local);
    offset += local.length;
  }
  for (const alias of spec.aliases ?? []) centrals.push(central(alias.name, records[alias.target]!));
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(spec.declaredCount ?? centrals.length, 8);
  eocd.writeUInt16LE(spec.declaredCount ?? centrals.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([spec.prepend ?? Buffer.alloc(0), stub, ...locals, cd, eocd, spec.append ?? Buffer.alloc(0)]);
}

interface CentralRecord {
  offset: number;
  crc: number;
  csize: number;
  size: number;
  method: number;
  flags: number;
  mode: number;
  extra: Buffer;
}

/** An Info-ZIP Unicode Path extra field (0x7075) for a raw name: what some tools show instead of the raw name. */
export function unicodePathField(rawName: string, unicodeName: string): Buffer {
  const name = Buffer.from(unicodeName);
  const field = Buffer.alloc(4 + 5 + name.length);
  field.writeUInt16LE(0x7075, 0);
  field.writeUInt16LE(5 + name.length, 2);
  field.writeUInt8(1, 4);
  field.writeUInt32LE(crc32(Buffer.from(rawName)) >>> 0, 5);
  name.copy(field, 9);
  return field;
}

function central(name: string, r: CentralRecord): Buffer {
  const nameBytes = Buffer.from(name);
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(r.mode ? (3 << 8) | 20 : 20, 4);
  h.writeUInt16LE(20, 6);
  h.writeUInt16LE(r.flags, 8);
  h.writeUInt16LE(r.method, 10);
  h.writeUInt32LE(r.crc, 16);
  h.writeUInt32LE(r.csize, 20);
  h.writeUInt32LE(r.size, 24);
  h.writeUInt16LE(nameBytes.length, 28);
  h.writeUInt16LE(r.extra.length, 30);
  h.writeUInt32LE((r.mode << 16) >>> 0, 38);
  h.writeUInt32LE(r.offset, 42);
  return Buffer.concat([h, nameBytes, r.extra]);
}

/** Deterministic pseudo-random bytes (xorshift32), so a failing case can be reproduced. */
export function pseudoRandomBytes(length: number, seed: number): Buffer {
  const out = Buffer.alloc(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
