/**
 * Valid wheels and sdists built in-process (no Python), for tests that upload many files, and a client for the
 * upload API that reports what twine would see.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { buildZip } from '../archive/zip-writer.js';

export interface BuiltFile {
  filename: string;
  data: Buffer;
  sha256: string;
}

/**
 * A wheel whose METADATA, WHEEL and RECORD agree with its file name. `stem` overrides the file name's
 * `{name}-{version}` part (to upload other spellings of one release); `salt` changes the bytes and nothing else.
 */
export function buildWheel(
  name: string,
  version: string,
  options: { stem?: string; tag?: string; salt?: string; files?: Record<string, string>; requiresPython?: string } = {},
): BuiltFile {
  const tag = options.tag ?? 'py3-none-any';
  const module = name.replace(/[-.]/g, '_').toLowerCase();
  const distInfo = `${module}-${version}.dist-info`;
  const files: Array<[string, string]> = [
    [`${module}/__init__.py`, `VERSION = ${JSON.stringify(version)}\n${options.salt ? `SALT = ${JSON.stringify(options.salt)}\n` : ''}`],
    ...Object.entries(options.files ?? {}),
    [
      `${distInfo}/METADATA`,
      `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: test\n${options.requiresPython ? `Requires-Python: ${options.requiresPython}\n` : ''}`,
    ],
    [`${distInfo}/WHEEL`, `Wheel-Version: 1.0\nGenerator: gatehouse-tests\nRoot-Is-Purelib: true\nTag: ${tag}\n`],
  ];
  const record = [
    ...files.map(([p, text]) => `${p},sha256=${createHash('sha256').update(text).digest('base64url')},${Buffer.byteLength(text)}`),
    `${distInfo}/RECORD,,`,
    '',
  ].join('\n');
  files.push([`${distInfo}/RECORD`, record]);
  const data = buildZip({ entries: files.map(([p, text]) => ({ name: p, data: Buffer.from(text) })) });
  const filename = `${options.stem ?? `${module}-${version}`}-${tag}.whl`;
  return { filename, data, sha256: createHash('sha256').update(data).digest('hex') };
}

/** A ustar header block for a regular file. */
function tarHeader(path: string, size: number): Buffer {
  const h = Buffer.alloc(512);
  h.write(path, 0, 100, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(size.toString(8).padStart(11, '0') + '\0', 124);
  h.write('14540000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

/** An sdist (`.tar.gz`) with PKG-INFO in its one top-level directory. `stem` overrides `{name}-{version}`. */
export function buildSdist(name: string, version: string, options: { stem?: string; salt?: string } = {}): BuiltFile {
  const stem = options.stem ?? `${name.replace(/[-.]/g, '_').toLowerCase()}-${version}`;
  const files: Array<[string, string]> = [
    [`${stem}/PKG-INFO`, `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\nSummary: test\n`],
    [`${stem}/setup.py`, `from setuptools import setup\nsetup()\n${options.salt ? `# ${options.salt}\n` : ''}`],
  ];
  const blocks: Buffer[] = [];
  for (const [path, text] of files) {
    const data = Buffer.from(text);
    blocks.push(tarHeader(path, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  const data = gzipSync(Buffer.concat(blocks));
  return { filename: `${stem}.tar.gz`, data, sha256: createHash('sha256').update(data).digest('hex') };
}

export interface UploadResponse {
  status: number;
  /** The reason phrase: what twine prints. */
  reason: string;
  text: string;
}

/** Uploads a file as twine does (multipart, `:action=file_upload`, Basic `__token__`). */
export async function upload(baseUrl: string, token: string, file: BuiltFile, fields: { name: string; version: string }): Promise<UploadResponse> {
  const form = new FormData();
  for (const [k, v] of Object.entries({ ':action': 'file_upload', protocol_version: '1', ...fields })) form.append(k, v);
  form.append('content', new Blob([new Uint8Array(file.data)]), file.filename);
  const res = await fetch(`${baseUrl}/legacy/`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`__token__:${token}`).toString('base64')}` },
    body: form,
  });
  return { status: res.status, reason: res.statusText, text: await res.text() };
}
