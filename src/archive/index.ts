/**
 * Safe reading of untrusted package archives: wheels and sdists in zip or tar
 * form. Reports what is wrong as findings, never extracts and never follows a
 * link; only a file that cannot be opened at all is an error.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { ArchiveFileError } from './errors.js';
import type { ArchiveContents, ReadArchiveOptions } from './contents.js';
import { wantPackageMetadata } from './contents.js';
import { sniffFormat } from './format.js';
import { resolveLimits } from './limits.js';
import { archiveFinding } from './rules.js';
import { readTar } from './tar.js';
import { readZip, type ReadContext } from './zip.js';
import { locateZipLayout } from './zip-layout.js';

export type { ArchiveContents, ArchiveEntry, EntryKind, ReadArchiveOptions } from './contents.js';
export { wantPackageMetadata } from './contents.js';
export { type BinaryFormat } from './binary-format.js';
export { ArchiveFileError } from './errors.js';
export { DEFAULT_LIMITS, type ArchiveLimits } from './limits.js';
export { ARCHIVE_RULES, type ArchiveRuleId } from './rules.js';

/** The format an unreadable file is reported as: what its name claims, since its bytes say nothing. */
function formatByName(path: string): 'zip' | 'tar' {
  return /\.(whl|zip|egg)$/i.test(path) ? 'zip' : 'tar';
}

async function readOpened(file: FileHandle, path: string, size: number, context: ReadContext): Promise<ArchiveContents> {
  const unreadable = (message: string): ArchiveContents => ({
    format: formatByName(path),
    entries: [],
    findings: [archiveFinding('archive.unreadable', message)],
    files: new Map(),
  });
  const format = await sniffFormat(file);
  switch (format) {
    case 'zip':
      return readZip(file, size, context);
    case 'gzip':
      return readTar(file, size, 'gzip', context);
    case 'tar':
      return readTar(file, size, 'none', context);
    case 'empty':
      return unreadable('the file is empty');
    case 'bzip2':
    case 'xz':
    case 'zstd':
      return unreadable(`${format}-compressed archives are not read (sdists are .tar.gz, PEP 625), so the contents cannot be inspected`);
    case 'unknown':
      // A zip with something prepended (a self-extracting stub, a second archive) still has its directory at the end.
      if (await locateZipLayout(file, size)) return readZip(file, size, context);
      return unreadable('not a zip or tar archive');
  }
}

export async function readArchive(path: string, options: ReadArchiveOptions = {}): Promise<ArchiveContents> {
  const context: ReadContext = { limits: resolveLimits(options.limits), want: options.want ?? wantPackageMetadata };
  if (options.signal) context.signal = options.signal;
  context.signal?.throwIfAborted();
  let file: FileHandle;
  let size: number;
  try {
    file = await open(path, 'r');
  } catch (err) {
    throw new ArchiveFileError(path, err);
  }
  try {
    const stat = await file.stat();
    if (!stat.isFile()) throw new ArchiveFileError(path, new Error('not a regular file'));
    size = stat.size;
    try {
      return await readOpened(file, path, size, context);
    } catch (err) {
      if (context.signal?.aborted) throw err;
      // A reader bug or a library throwing on input it should have reported: still a finding, never a crash.
      const result = {
        format: formatByName(path),
        entries: [],
        findings: [archiveFinding('archive.unreadable', `reading stopped: ${(err as Error).message}`)],
        files: new Map<string, Buffer>(),
      };
      return result;
    }
  } finally {
    await file.close();
  }
}
