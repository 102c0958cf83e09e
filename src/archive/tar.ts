/**
 * Reads a tar archive (an sdist: `.tar.gz` per PEP 625, or a plain tar)
 * as a stream. Every byte out of the decompressor counts against the budget,
 * so a gzip bomb stops at the ratio limit even inside an entry being skipped.
 */
import type { FileHandle } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import type { Finding } from '../finding.js';
import { DecompressionBudget } from './budget.js';
import { readFileRange } from './file-range.js';
import type { ArchiveContents, ArchiveEntry, EntryKind, ReadContext } from './contents.js';
import { NameRegistry, checkEntryKind, checkEntryName } from './paths.js';
import { archiveFinding } from './rules.js';

class BudgetExhaustedError extends Error {}
class TrailingDataError extends Error {}

function entryKind(type: tar.Header['type'] | null | undefined): EntryKind {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'hardlink';
    case 'character-device':
    case 'block-device':
      return 'device';
    case 'fifo':
      return 'fifo';
    default:
      // tar-stream gives null for type flags it does not know (GNU sparse, volume labels …).
      return 'other';
  }
}

function isTruncation(err: Error): boolean {
  return /unexpected end/i.test(err.message);
}

export async function readTar(
  file: FileHandle,
  size: number,
  compression: 'gzip' | 'none',
  context: ReadContext,
): Promise<ArchiveContents> {
  const { limits, want, signal } = context;
  const findings: Finding[] = [];
  const entries: ArchiveEntry[] = [];
  const files = new Map<string, Buffer>();
  const budget = new DecompressionBudget(limits, size);
  const names = new NameRegistry();

  const source = readFileRange(file.fd, 0, size);
  const extract = tar.extract();
  const fail = (err: Error): void => {
    extract.destroy(err);
  };
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (budget.account(chunk.length)) callback(null, chunk);
      else callback(new BudgetExhaustedError('decompression budget exhausted'));
    },
  });
  let decompressed: Readable = source;
  source.on('error', fail);
  if (compression === 'gzip') {
    const gunzip = createGunzip();
    gunzip.on('error', (err: Error) => {
      // The file starts with a gzip header (that is how it was recognised), so a bad header can only be a later
      // member's: bytes after the gzip stream. zlib stops there, and so does the tar parser.
      fail(/incorrect header check/.test(err.message) ? new TrailingDataError(err.message) : err);
    });
    decompressed = source.pipe(gunzip);
  }
  counter.on('error', fail);
  decompressed.pipe(counter).pipe(extract);

  try {
    for await (const item of extract) {
      signal?.throwIfAborted();
      if (entries.length >= limits.maxEntries) {
        findings.push(archiveFinding('archive.too-many-entries', `more than ${limits.maxEntries} entries; read the first ${limits.maxEntries}`));
        break;
      }
      const { header } = item;
      const kind = entryKind(header.type);
      const entry: ArchiveEntry = { path: header.name, kind, size: header.size ?? 0 };
      if (header.mode !== undefined) entry.mode = header.mode;
      if ((kind === 'symlink' || kind === 'hardlink') && header.linkname != null) entry.linkTarget = header.linkname;
      entries.push(entry);
      findings.push(...checkEntryName(entry, limits), ...names.check(entry), ...checkEntryKind(entry));
      if (kind !== 'file') {
        item.resume();
        continue;
      }
      const data = await budget.drain(item as AsyncIterable<Buffer>, entry.path, findings, {
        keep: want(entry),
        signal,
        countTotal: false,
        skipRest: true,
      });
      if (budget.exhausted) break;
      if (data.error) throw data.error;
      if (data.complete) {
        entry.size = data.bytes;
        if (data.sha256 !== undefined) entry.sha256 = data.sha256;
        if (data.binaryFormat) entry.binaryFormat = data.binaryFormat;
        if (data.data) files.set(entry.path, data.data);
      }
    }
  } catch (err) {
    if (signal?.aborted) throw err;
    if (!budget.exhausted) {
      const e = err as Error;
      findings.push(
        e instanceof TrailingDataError
          ? archiveFinding('archive.trailing-data', 'bytes after the gzip stream are not gzip data; reading stopped there')
          : isTruncation(e)
            ? archiveFinding('archive.truncated', `the ${compression === 'gzip' ? 'gzip stream' : 'tar'} ends early: ${e.message}`)
            : archiveFinding('archive.unreadable', `not a readable tar: ${e.message}`),
      );
    }
  } finally {
    source.destroy();
    extract.destroy();
  }
  if (budget.exhausted) findings.push(budget.exhausted);
  return { format: 'tar', entries, findings, files };
}
