/**
 * Reads a zip (a wheel, or an sdist in zip form) without trusting it: every
 * entry's local header is compared with the central directory, every byte of
 * data is decompressed through the budget, and the layout is checked for
 * prepended, trailing, hidden and shared (overlapping) data. APPNOTE 6.3.10.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import yauzl, { type Entry, type LocalFileHeader, type ZipFile } from 'yauzl';
import type { Finding } from '../finding.js';
import { DecompressionBudget } from './budget.js';
import type { ArchiveContents, ArchiveEntry, EntryKind, ReadContext } from './contents.js';
import { NameRegistry, checkEntryKind, checkEntryName } from './paths.js';
import { archiveFinding } from './rules.js';
import { checkLayout, locateZipLayout, type Span } from './zip-layout.js';
import { ShiftedFileReader } from './zip-file-reader.js';


const FLAG_ENCRYPTED = 0x0001;
const FLAG_DATA_DESCRIPTOR = 0x0008;
const FLAG_STRONG_ENCRYPTION = 0x0040;
const METHOD_STORED = 0;
const METHOD_DEFLATED = 8;
/** Signature, CRC and two 8-byte sizes: the largest data descriptor (APPNOTE 4.3.9). */
const MAX_DATA_DESCRIPTOR = 24;
const UNIX_HOSTS = new Set([3, 19]); // 3 = Unix, 19 = OS X (APPNOTE 4.4.2)
/** What a large entry is inflated by at a time (zlib's default, 16 KiB, costs a thread-pool round trip per 16 KiB). */
const INFLATE_CHUNK = 256 * 1024;
/** Entries up to this compressed size are read in one call and inflated in memory ... */
const SMALL_ENTRY = 256 * 1024;
/** ... as long as they inflate to no more than this. */
const SMALL_OUTPUT = 8 * 1024 * 1024;
/** An empty deflate stream is 2 bytes (one empty fixed block); a directory may carry that much. */
const EMPTY_DEFLATE_SIZE = 2;
/** Symlink targets longer than this are not kept (a target is a path, not data). */
const MAX_LINK_TARGET = 4096;


function entryKind(raw: Entry, path: string): { kind: EntryKind; mode?: number } {
  const host = raw.versionMadeBy >> 8;
  const mode = UNIX_HOSTS.has(host) ? raw.externalFileAttributes >>> 16 : 0;
  const byName: EntryKind = path.endsWith('/') || (raw.externalFileAttributes & 0x10) !== 0 ? 'directory' : 'file';
  if (mode === 0) return { kind: byName };
  switch (mode & 0o170000) {
    case 0o120000:
      return { kind: 'symlink', mode };
    case 0o040000:
      return { kind: 'directory', mode };
    case 0o020000:
    case 0o060000:
      return { kind: 'device', mode };
    case 0o010000:
      return { kind: 'fifo', mode };
    case 0o100000:
    case 0:
      return { kind: byName, mode };
    default:
      return { kind: 'other', mode };
  }
}

/** Sizes from the local header, with zip64 values from its extra field (APPNOTE 4.5.3). */
function localSizes(local: LocalFileHeader): { compressed: number; uncompressed: number } {
  let { compressedSize: compressed, uncompressedSize: uncompressed } = local;
  if (compressed !== 0xffffffff && uncompressed !== 0xffffffff) return { compressed, uncompressed };
  try {
    const zip64 = yauzl.parseExtraFields(local.extraField).find((f) => f.id === 0x0001);
    if (zip64 && zip64.data.length >= 16) {
      uncompressed = Number(zip64.data.readBigUInt64LE(0));
      compressed = Number(zip64.data.readBigUInt64LE(8));
    }
  } catch {
    // A malformed extra field leaves the 32-bit values, which then disagree: reported as a mismatch.
  }
  return { compressed, uncompressed };
}

function compareHeaders(raw: Entry, local: LocalFileHeader, path: string): Finding[] {
  const differences: string[] = [];
  if (!local.fileName.equals(raw.fileNameRaw)) {
    differences.push(`name ${JSON.stringify(local.fileName.toString('latin1'))}`);
  }
  if (local.compressionMethod !== raw.compressionMethod) {
    differences.push(`compression method ${local.compressionMethod} (central directory: ${raw.compressionMethod})`);
  }
  if ((local.generalPurposeBitFlag & FLAG_ENCRYPTED) !== (raw.generalPurposeBitFlag & FLAG_ENCRYPTED)) {
    differences.push('encryption flag');
  }
  // With a data descriptor the local CRC and sizes are zero by design (APPNOTE 4.4.4, bit 3).
  if ((local.generalPurposeBitFlag & FLAG_DATA_DESCRIPTOR) === 0) {
    const sizes = localSizes(local);
    if (local.crc32 !== raw.crc32) differences.push(`CRC-32 ${local.crc32.toString(16)} (central directory: ${raw.crc32.toString(16)})`);
    if (sizes.compressed !== raw.compressedSize) {
      differences.push(`compressed size ${sizes.compressed} (central directory: ${raw.compressedSize})`);
    }
    if (sizes.uncompressed !== raw.uncompressedSize) {
      differences.push(`size ${sizes.uncompressed} (central directory: ${raw.uncompressedSize})`);
    }
  }
  if (differences.length === 0) return [];
  return [archiveFinding('archive.header-mismatch', `local header disagrees with the central directory: ${differences.join(', ')}`, { file: path })];
}

function nextEntry(zip: ZipFile): Promise<Entry | undefined> {
  return new Promise((resolve, reject) => {
    const onEntry = (entry: Entry): void => {
      cleanup();
      resolve(entry);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(undefined);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const cleanup = (): void => {
      zip.off('entry', onEntry).off('end', onEnd).off('error', onError);
    };
    zip.on('entry', onEntry).on('end', onEnd).on('error', onError);
    zip.readEntry();
  });
}

/** yauzl 3.4's `openReadStreamLowLevelPromise` calls the wrong method, so wrap the callback form. */
function openData(zip: ZipFile, start: number, compressedSize: number, inflate: boolean): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStreamLowLevel(start, compressedSize, 0, compressedSize, false, null, (err, stream) => {
      if (err) return reject(err);
      if (!inflate) return resolve(stream);
      // Inflated here rather than by yauzl: its inflater works 16 KiB at a time, a thread-pool round trip each.
      const inflater = createInflateRaw({ chunkSize: INFLATE_CHUNK });
      stream.on('error', (e) => inflater.destroy(e));
      // A reader that stops early (a limit, a bomb) destroys the inflater: the read of the rest stops with it.
      inflater.on('close', () => stream.destroy());
      resolve(stream.pipe(inflater));
    });
  });
}

/**
 * Most wheel members are small: reading and inflating them in one call is
 * several times faster than a stream per entry. The output is capped, and an
 * entry that inflates past the cap goes through the streaming path, where the
 * budget counts every byte.
 */
async function inflateSmall(reader: ShiftedFileReader, start: number, size: number, inflate: boolean): Promise<Buffer[] | undefined> {
  const compressed = Buffer.allocUnsafe(size);
  const bytesRead = await reader.readAt(compressed, start);
  if (bytesRead < size) return undefined; // the stream path reports the truncation
  if (!inflate) return [compressed];
  try {
    return [inflateRawSync(compressed, { maxOutputLength: SMALL_OUTPUT })];
  } catch {
    return undefined; // too large or corrupt: the stream path measures and reports it
  }
}

function isTruncation(err: Error): boolean {
  return /unexpected EOF|unexpected end of file|overflows file bounds|too few bytes/i.test(err.message);
}

export async function readZip(file: FileHandle, size: number, context: ReadContext): Promise<ArchiveContents> {
  const { limits, want, signal } = context;
  const findings: Finding[] = [];
  const entries: ArchiveEntry[] = [];
  const files = new Map<string, Buffer>();
  const contents: ArchiveContents = { format: 'zip', entries, findings, files };

  const layout = await locateZipLayout(file, size);
  if (!layout) {
    findings.push(archiveFinding('archive.truncated', 'no end-of-central-directory record: the zip is cut short or damaged'));
    return contents;
  }
  const reader = new ShiftedFileReader(file.fd, layout.shift);
  let zip: ZipFile;
  try {
    zip = await yauzl.fromRandomAccessReaderPromise(reader, layout.end - layout.shift, {
      lazyEntries: true,
      decodeStrings: false,
      validateEntrySizes: false,
      autoClose: false,
    });
  } catch (err) {
    findings.push(archiveFinding('archive.unreadable', `central directory cannot be read: ${(err as Error).message}`));
    return contents;
  }
  // yauzl emits 'error' outside a pending read in rare paths; never let it crash the process.
  zip.on('error', () => undefined);

  if (zip.entryCount > limits.maxEntries) {
    findings.push(
      archiveFinding('archive.too-many-entries', `${zip.entryCount} entries, over the limit of ${limits.maxEntries}; read the first ${limits.maxEntries}`),
    );
  }
  const budget = new DecompressionBudget(limits, size);
  const names = new NameRegistry();
  const spans: Span[] = [];
  let sawAllEntries = zip.entryCount <= limits.maxEntries;
  try {
    for (let n = 0; n < Math.min(zip.entryCount, limits.maxEntries); n++) {
      signal?.throwIfAborted();
      let raw: Entry | undefined;
      try {
        raw = await nextEntry(zip);
      } catch (err) {
        const e = err as Error;
        findings.push(archiveFinding(isTruncation(e) ? 'archive.truncated' : 'archive.unreadable', `central directory: ${e.message}`));
        sawAllEntries = false;
        break;
      }
      if (!raw) break;
      const entry = await readEntry(zip, raw, { reader, budget, names, spans, findings, files, context });
      entries.push(entry);
    }
  } finally {
    zip.close();
  }
  if (budget.exhausted) findings.push(budget.exhausted);
  findings.push(...checkLayout(layout, spans, sawAllEntries && !budget.exhausted));
  // Tools that walk the central directory by its size see records that tools trusting the entry count do not.
  // (@types/yauzl declares readEntryCursor a boolean; yauzl keeps the offset of the next central record in it.)
  const cursor = (zip as unknown as { readEntryCursor: number }).readEntryCursor;
  const directoryEnd = layout.centralDirectoryOffset + layout.centralDirectorySize;
  if (sawAllEntries && entries.length === zip.entryCount && cursor !== directoryEnd) {
    findings.push(
      archiveFinding(
        'archive.header-mismatch',
        `the central directory is ${layout.centralDirectorySize} bytes but its ${zip.entryCount} records take ${cursor - layout.centralDirectoryOffset}`,
      ),
    );
  }
  return contents;
}

interface EntryState {
  reader: ShiftedFileReader;
  budget: DecompressionBudget;
  names: NameRegistry;
  spans: Span[];
  findings: Finding[];
  files: Map<string, Buffer>;
  context: ReadContext;
}

async function readEntry(zip: ZipFile, raw: Entry, state: EntryState): Promise<ArchiveEntry> {
  const { budget, names, spans, findings, files, context } = state;
  const flags = raw.generalPurposeBitFlag;
  const path = yauzl.getFileNameLowLevel(flags, raw.fileNameRaw, [], true);
  const { kind, mode } = entryKind(raw, path);
  const entry: ArchiveEntry = { path, kind, size: raw.uncompressedSize, compressedSize: raw.compressedSize };
  if (mode !== undefined && mode !== 0) entry.mode = mode;
  const encrypted = (flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) !== 0;
  if (encrypted) entry.encrypted = true;

  findings.push(...checkEntryName(entry, context.limits), ...names.check(entry));
  const unicodePath = yauzl.getFileNameLowLevel(flags, raw.fileNameRaw, raw.extraFields ?? [], true);
  if (unicodePath !== path) {
    findings.push(
      archiveFinding('archive.header-mismatch', `Unicode Path extra field names it ${JSON.stringify(unicodePath)}`, { file: path }),
    );
    findings.push(...checkEntryName({ ...entry, path: unicodePath }, context.limits));
  }
  if (encrypted) findings.push(archiveFinding('archive.encrypted', 'entry is encrypted and cannot be inspected', { file: path }));

  let local: LocalFileHeader | undefined;
  try {
    local = await zip.readLocalFileHeaderPromise(raw);
  } catch (err) {
    const e = err as Error;
    findings.push(
      isTruncation(e)
        ? archiveFinding('archive.truncated', `entry data lies beyond the end of the file: ${e.message}`, { file: path })
        : archiveFinding('archive.header-mismatch', `no valid local header where the central directory points: ${e.message}`, { file: path }),
    );
  }
  if (local) {
    findings.push(...compareHeaders(raw, local, path));
    const dataDescriptor = ((local.generalPurposeBitFlag | flags) & FLAG_DATA_DESCRIPTOR) !== 0;
    spans.push({
      path,
      start: raw.relativeOffsetOfLocalHeader,
      end: local.fileDataStart + raw.compressedSize,
      slack: dataDescriptor ? MAX_DATA_DESCRIPTOR : 0,
    });
  }

  // A directory has no data; bytes stored under one are out of sight of every extractor.
  if (kind === 'directory' && raw.compressedSize > EMPTY_DEFLATE_SIZE) {
    findings.push(archiveFinding('archive.hidden-data', `directory entry carries ${raw.compressedSize} bytes of data`, { file: path }));
  }
  const hasData = kind === 'file' || kind === 'symlink';
  if (!local || !hasData || encrypted || budget.exhausted) {
    findings.push(...checkEntryKind(entry));
    return entry;
  }
  if (raw.compressionMethod !== METHOD_STORED && raw.compressionMethod !== METHOD_DEFLATED) {
    findings.push(
      archiveFinding('archive.unsupported-compression', `compression method ${raw.compressionMethod} is not read, so the entry is not inspected`, {
        file: path,
      }),
    );
    findings.push(...checkEntryKind(entry));
    return entry;
  }
  const keep = kind === 'symlink' ? raw.uncompressedSize <= MAX_LINK_TARGET : context.want(entry);
  const inflate = raw.compressionMethod === METHOD_DEFLATED;
  const small = raw.compressedSize <= SMALL_ENTRY ? await inflateSmall(state.reader, local.fileDataStart, raw.compressedSize, inflate) : undefined;
  const source = small ?? (await openData(zip, local.fileDataStart, raw.compressedSize, inflate));
  const data = await budget.drain(source, path, findings, { keep, signal: context.signal, countTotal: true, skipRest: false });
  if (data.error) {
    findings.push(
      isTruncation(data.error)
        ? archiveFinding('archive.truncated', `entry data ends early: ${data.error.message}`, { file: path })
        : archiveFinding('archive.unreadable', `entry data cannot be decompressed: ${data.error.message}`, { file: path }),
    );
  } else if (data.complete) {
    entry.size = data.bytes;
    if (data.sha256 !== undefined) entry.sha256 = data.sha256;
    if (data.binaryFormat) entry.binaryFormat = data.binaryFormat;
    if (data.bytes !== raw.uncompressedSize) {
      findings.push(
        archiveFinding('archive.header-mismatch', `declares ${raw.uncompressedSize} bytes but decompresses to ${data.bytes}`, { file: path }),
      );
    }
    if (data.crc32 !== raw.crc32) {
      findings.push(archiveFinding('archive.crc-mismatch', `data does not match its CRC-32 ${raw.crc32.toString(16)}`, { file: path }));
    }
    if (data.data) {
      if (kind === 'symlink') entry.linkTarget = data.data.toString('utf8');
      else files.set(path, data.data);
    }
  }
  findings.push(...checkEntryKind(entry));
  return entry;
}
