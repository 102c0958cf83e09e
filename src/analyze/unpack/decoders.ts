/**
 * The decoders a packed payload goes through, each bounded in the size it
 * produces: Python's base64 module (base16/32/64/85, Ascii85), binascii hex,
 * zlib, gzip and bz2 decompression, rot13, PowerShell's UTF-16LE
 * `-EncodedCommand`, and Fernet tokens (AES-128-CBC, via node:crypto). Each
 * returns undefined when its input is not what it decodes, never throws.
 * lzma is not decoded: no maintained pure-JavaScript lzma/xz decoder exists
 * on npm (see docs/decisions.md); an lzma call still marks its result decoded.
 */
import { createDecipheriv } from 'node:crypto';
import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import Bunzip from 'seek-bzip';

/** The largest output any one decoder may produce. */
export const maxDecodedBytes = 8 * 1024 * 1024;

export function base64Decode(text: string, urlsafe = false): Buffer | undefined {
  // Python's b64decode (validate=False) drops characters outside the alphabet.
  let clean = text.replace(urlsafe ? /[^A-Za-z0-9\-_=]/g : /[^A-Za-z0-9+/=]/g, '');
  if (urlsafe) clean = clean.replace(/-/g, '+').replace(/_/g, '/');
  clean = clean.replace(/=+$/, '');
  if (clean.length === 0 || clean.length % 4 === 1 || clean.includes('=')) return undefined;
  return Buffer.from(clean, 'base64');
}

const base32Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(text: string): Buffer | undefined {
  const clean = text.replace(/\s+/g, '').toUpperCase().replace(/=+$/, '');
  if (clean.length === 0 || !/^[A-Z2-7]+$/.test(clean)) return undefined;
  const out: number[] = [];
  let bits = 0;
  let acc = 0;
  for (const c of clean) {
    acc = (acc << 5) | base32Alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

export function hexDecode(text: string): Buffer | undefined {
  const clean = text.replace(/\s+/g, '');
  if (clean.length === 0 || clean.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(clean)) return undefined;
  return Buffer.from(clean, 'hex');
}

const base85Alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#$%&()*+-;<=>?@^_`{|}~';

/** base64.b85decode (the RFC 1924 alphabet) or, with `ascii85`, base64.a85decode (`z` for four zero bytes). */
export function base85Decode(text: string, ascii85 = false): Buffer | undefined {
  let clean = text.replace(/\s+/g, '');
  if (ascii85) clean = clean.replace(/^<~/, '').replace(/~>$/, '').replace(/z/g, '!!!!!');
  if (clean.length === 0) return undefined;
  const digit = (c: string): number => (ascii85 ? c.charCodeAt(0) - 33 : base85Alphabet.indexOf(c));
  const out: number[] = [];
  const pad = (5 - (clean.length % 5)) % 5;
  const padded = clean + (ascii85 ? 'u' : '~').repeat(pad);
  for (let i = 0; i < padded.length; i += 5) {
    let acc = 0;
    for (let j = 0; j < 5; j++) {
      const d = digit(padded[i + j]!);
      if (d < 0 || d > 84) return undefined;
      acc = acc * 85 + d;
    }
    if (acc > 0xffffffff) return undefined;
    out.push((acc >>> 24) & 0xff, (acc >>> 16) & 0xff, (acc >>> 8) & 0xff, acc & 0xff);
  }
  return Buffer.from(out.slice(0, out.length - pad));
}

/** zlib.decompress: a zlib stream, or with other wbits a raw deflate or gzip stream. */
export function zlibDecompress(data: Buffer): Buffer | undefined {
  for (const inflate of [inflateSync, inflateRawSync, gunzipSync]) {
    try {
      return inflate(data, { maxOutputLength: maxDecodedBytes });
    } catch {
      // not this framing (or over the bound): try the next
    }
  }
  return undefined;
}

export function gzipDecompress(data: Buffer): Buffer | undefined {
  try {
    return gunzipSync(data, { maxOutputLength: maxDecodedBytes });
  } catch {
    return undefined;
  }
}

class TooLarge extends Error {}

/** bz2.decompress, through seek-bzip with an output that refuses to grow past the bound. */
export function bz2Decompress(data: Buffer): Buffer | undefined {
  if (data.length < 10 || data.toString('latin1', 0, 3) !== 'BZh') return undefined;
  const chunks: number[] = [];
  const output = {
    writeByte(b: number): void {
      if (chunks.length >= maxDecodedBytes) throw new TooLarge();
      chunks.push(b);
    },
  };
  try {
    Bunzip.decode(data, output as unknown as Buffer, true);
  } catch (err) {
    if (!(err instanceof TooLarge) && chunks.length === 0) return undefined;
  }
  return Buffer.from(chunks);
}

export function rot13(text: string): string {
  return text.replace(/[A-Za-z]/g, (c) => {
    const base = c <= 'Z' ? 65 : 97;
    return String.fromCharCode(((c.charCodeAt(0) - base + 13) % 26) + base);
  });
}

/** The script of a PowerShell `-EncodedCommand`: base64 of UTF-16LE text. */
export function powershellEncoded(argument: string): string | undefined {
  const data = base64Decode(argument);
  if (data === undefined || data.length < 2) return undefined;
  const text = data.toString('utf16le');
  // A real script is mostly printable ASCII; base64 of something else decodes to noise.
  const printable = text.replace(/[^\x20-\x7e\r\n\t]/g, '').length;
  return printable / text.length >= 0.9 ? text : undefined;
}

/**
 * Fernet (cryptography.fernet): the key is urlsafe base64 of 16 signing and
 * 16 encryption bytes; the token is urlsafe base64 of version 0x80, an
 * 8-byte time stamp, a 16-byte IV, the AES-128-CBC cipher text and a 32-byte
 * HMAC. The HMAC is not checked: we want the plain text, not the proof.
 */
export function fernetDecrypt(key: Buffer | string, token: Buffer | string): Buffer | undefined {
  const k = base64Decode(typeof key === 'string' ? key : key.toString('latin1'), true);
  const t = base64Decode(typeof token === 'string' ? token : token.toString('latin1'), true);
  if (k === undefined || k.length !== 32 || t === undefined || t.length < 57 || t[0] !== 0x80) return undefined;
  const iv = t.subarray(9, 25);
  const body = t.subarray(25, t.length - 32);
  if (body.length === 0 || body.length % 16 !== 0 || body.length > maxDecodedBytes) return undefined;
  try {
    const decipher = createDecipheriv('aes-128-cbc', k.subarray(16), iv);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return undefined;
  }
}
