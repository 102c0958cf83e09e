/**
 * Safe reading of untrusted package archives: wheels and sdists in zip or tar
 * form. Reports what is wrong as findings, never extracts and never follows a
 * link; only a file that cannot be opened at all is an error.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { ArchiveFileError } from './errors.js';
import { wantPackageMetadata, type ArchiveContents, type ReadArchiveOptions, type ReadContext } from './contents.js';
import { sniffFormat } from './format.js';
import { resolveLimits } from './limits.js';
import { archiveFinding } from './rules.js';
import { readTar } from './tar.js';
import { readZip } from './zip.js';
import { locateZipLayout } from './zip-layout.js';

export type { ArchiveContents, ArchiveEntry, EntryKind, ReadArchiveOptions } from './contents.js';
export { wantPackageMetadata } from './contents.js';
export { type BinaryFormat } from './binary-format.js';
export { ArchiveFileError } from './errors.js';
export { DEFAULT_LIMITS, type ArchiveLimits } from './limits.js';
export { ARCHIVE_RULES, type ArchiveRuleId } from './rules.js';

/** A file with nothing readable in it, reported as the format its name claims, since its bytes say nothing. */
function unreadable(path: string, message: string): ArchiveContents {
  return {
    format: /\.(whl|zip|egg)$/i.test(path) ? 'zip' : 'tar',
    entries: [],
    findings: [archiveFinding('archive.unreadable', message)],
    files: new Map(),
  };
}

async function readOpened(file: FileHandle, path: string, size: number, context: ReadContext): Promise<ArchiveContents> {
  const format = await sniffFormat(file);
  switch (format) {
    case 'zip':
      return readZip(file, size, context);
    case 'gzip':
      return readTar(file, size, 'gzip', context);
    case 'tar':
      return readTar(file, size, 'none', context);
    case 'empty':
      return unreadable(path, 'the file is empty');
    case 'bzip2':
    case 'xz':
    case 'zstd':
      return unreadable(path, `${format}-compressed archives are not read (sdists are .tar.gz, PEP 625), so the contents cannot be inspected`);
    case 'unknown':
      // A zip with something prepended (a self-extracting stub, a second archive) still has its directory at the end.
      if (await locateZipLayout(file, size)) return readZip(file, size, context);
      return unreadable(path, 'not a zip or tar archive');
  }
}

/**
 * Reads the archive at `path` (zip, tar.gz or tar, recognised by its first bytes) within `options.limits`, hashing
 * every regular file and keeping the data of those `options.want` selects. Throws only `ArchiveFileError` (the file
 * cannot be opened) or the signal's reason when aborted; everything wrong inside the file is in `findings`.
 */
export async function readArchive(path: string, options: ReadArchiveOptions = {}): Promise<ArchiveContents> {
  const context: ReadContext = { limits: resolveLimits(options.limits), want: options.want ?? wantPackageMetadata };
  if (options.signal) context.signal = options.signal;
  context.signal?.throwIfAborted();
  let file: FileHandle;
  try {
    file = await open(path, 'r');
  } catch (err) {
    throw new ArchiveFileError(path, err);
  }
  try {
    const stat = await file.stat();
    if (!stat.isFile()) throw new ArchiveFileError(path, new Error('not a regular file'));
    try {
      return await readOpened(file, path, stat.size, context);
    } catch (err) {
      if (context.signal?.aborted) throw err;
      // A reader bug or a library throwing on input it should have reported: still a finding, never a crash.
      return unreadable(path, `reading stopped: ${(err as Error).message}`);
    }
  } finally {
    await file.close();
  }
}
