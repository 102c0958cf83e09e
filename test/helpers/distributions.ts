/**
 * Wheels and sdists written in-process, in milliseconds: for tests that need many real-looking distributions
 * (an upstream index's projects) rather than the output of a build tool (`packages.ts` runs `python -m build`).
 *
 * The wheel is a valid zip with METADATA, WHEEL and a RECORD whose hashes are right, so pip installs it; the sdist
 * is a gzip'd ustar tree with PKG-INFO and a setuptools `pyproject.toml`, so pip can build it offline with
 * `--no-build-isolation` where setuptools is installed (Debian's `/usr/bin/python3`; pyenv's has none).
 */
import { createHash } from 'node:crypto';
import { crc32, deflateRawSync, gzipSync } from 'node:zlib';
import { wheelFilenameEscape } from '../../src/pep/filename.js';

export interface DistributionSpec {
  name: string;
  version: string;
  requiresPython?: string;
  dependencies?: string[];
  /** The module's source; by default it records the version. */
  code?: string;
  /** More files, by path inside the wheel (and under the sdist's top directory). */
  files?: Record<string, string>;
  /** Core metadata lines added as written (`License-Expression: MIT`). */
  metadata?: string[];
}

export interface BuiltDistribution {
  filename: string;
  bytes: Buffer;
  /** The core metadata (METADATA or PKG-INFO), as a PEP 658 `.metadata` file serves it. */
  metadata: string;
}

function moduleName(name: string): string {
  return name.replace(/[-.]+/g, '_').toLowerCase();
}

function coreMetadata(spec: DistributionSpec): string {
  const lines = ['Metadata-Version: 2.1', `Name: ${spec.name}`, `Version: ${spec.version}`, 'Summary: A distribution written by the Gatehouse test suite'];
  if (spec.requiresPython !== undefined) lines.push(`Requires-Python: ${spec.requiresPython}`);
  for (const dependency of spec.dependencies ?? []) lines.push(`Requires-Dist: ${dependency}`);
  lines.push(...(spec.metadata ?? []));
  return lines.join('\n') + '\n\n';
}

/** A zip archive (deflated entries, fixed timestamps) of `entries`, in order. */
export function zipArchive(entries: Array<{ name: string; data: Buffer }>): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  // 2024-01-01 00:00:00 in DOS form.
  const time = 0;
  const date = ((2024 - 1980) << 9) | (1 << 5) | 1;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const compressed = deflateRawSync(entry.data);
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(0x0314, 4);
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(8, 10);
    header.writeUInt16LE(time, 12);
    header.writeUInt16LE(date, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(compressed.length, 20);
    header.writeUInt32LE(entry.data.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE((0o100644 << 16) >>> 0, 38);
    header.writeUInt32LE(offset, 42);
    parts.push(local, name, compressed);
    central.push(header, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, directory, end]);
}

function recordHash(data: Buffer): string {
  return 'sha256=' + createHash('sha256').update(data).digest('base64url');
}

/** A pure-Python wheel (`py3-none-any`) with one module. */
export function buildWheel(spec: DistributionSpec): BuiltDistribution {
  const stem = `${wheelFilenameEscape(spec.name)}-${wheelFilenameEscape(spec.version, 'version')}`;
  const distInfo = `${stem}.dist-info`;
  const metadata = coreMetadata(spec);
  const files: Array<{ name: string; data: Buffer }> = [
    { name: `${moduleName(spec.name)}/__init__.py`, data: Buffer.from(spec.code ?? `VERSION = ${JSON.stringify(spec.version)}\n`) },
    ...Object.entries(spec.files ?? {}).map(([name, text]) => ({ name, data: Buffer.from(text) })),
    { name: `${distInfo}/METADATA`, data: Buffer.from(metadata) },
    { name: `${distInfo}/WHEEL`, data: Buffer.from('Wheel-Version: 1.0\nGenerator: gatehouse-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n') },
  ];
  const record = files.map((f) => `${f.name},${recordHash(f.data)},${f.data.length}`).concat(`${distInfo}/RECORD,,`).join('\n') + '\n';
  files.push({ name: `${distInfo}/RECORD`, data: Buffer.from(record) });
  return { filename: `${stem}-py3-none-any.whl`, bytes: zipArchive(files), metadata };
}

function tarHeader(name: string, size: number): Buffer {
  const header = Buffer.alloc(512);
  const field = (value: string, offset: number, length: number): void => {
    header.write(value, offset, Math.min(length, Buffer.byteLength(value)), 'utf8');
  };
  const octal = (value: number, offset: number, length: number): void => field(value.toString(8).padStart(length - 1, '0') + '\0', offset, length);
  field(name, 0, 100);
  octal(0o644, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(1704067200, 136, 12);
  header.fill(' ', 148, 156);
  field('0', 156, 1);
  field('ustar\u000000', 257, 8);
  let sum = 0;
  for (const byte of header) sum += byte;
  field(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return header;
}

/** A gzip'd ustar archive of `entries` (names under 100 bytes). */
export function tarGzArchive(entries: Array<{ name: string; data: Buffer }>): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    if (Buffer.byteLength(entry.name) >= 100) throw new Error(`tar entry name too long for this writer: ${entry.name}`);
    parts.push(tarHeader(entry.name, entry.data.length), entry.data, Buffer.alloc((512 - (entry.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(parts), { level: 6 });
}

/** A PEP 625 sdist (`name-version.tar.gz`) that setuptools can build. */
export function buildSdist(spec: DistributionSpec): BuiltDistribution {
  const stem = `${wheelFilenameEscape(spec.name)}-${spec.version}`;
  const metadata = coreMetadata(spec);
  const pyproject = [
    '[build-system]',
    'requires = ["setuptools>=61"]',
    'build-backend = "setuptools.build_meta"',
    '',
    '[project]',
    `name = ${JSON.stringify(spec.name)}`,
    `version = ${JSON.stringify(spec.version)}`,
    'description = "A distribution written by the Gatehouse test suite"',
    ...(spec.requiresPython === undefined ? [] : [`requires-python = ${JSON.stringify(spec.requiresPython)}`]),
    `dependencies = ${JSON.stringify(spec.dependencies ?? [])}`,
    '',
    '[tool.setuptools]',
    `packages = [${JSON.stringify(moduleName(spec.name))}]`,
    '',
  ].join('\n');
  const bytes = tarGzArchive([
    { name: `${stem}/PKG-INFO`, data: Buffer.from(metadata) },
    { name: `${stem}/pyproject.toml`, data: Buffer.from(pyproject) },
    { name: `${stem}/${moduleName(spec.name)}/__init__.py`, data: Buffer.from(spec.code ?? `VERSION = ${JSON.stringify(spec.version)}\n`) },
    ...Object.entries(spec.files ?? {}).map(([name, text]) => ({ name: `${stem}/${name}`, data: Buffer.from(text) })),
  ]);
  return { filename: `${stem}.tar.gz`, bytes, metadata };
}
