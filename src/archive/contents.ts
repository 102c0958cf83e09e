/** What reading an archive yields: its entries, what was wrong with it, and the data callers asked for. */
import type { Finding } from '../finding.js';
import type { BinaryFormat } from './binary-format.js';
import type { ArchiveLimits } from './limits.js';

export type EntryKind = 'file' | 'directory' | 'symlink' | 'hardlink' | 'device' | 'fifo' | 'other';

export interface ArchiveEntry {
  /** The name as stored in the archive (decoded, not normalized). */
  path: string;
  kind: EntryKind;
  /**
   * Decompressed size: the bytes actually read for regular files that were
   * read to the end, otherwise the size the archive declares.
   */
  size: number;
  compressedSize?: number;
  /** Unix permission and type bits, when the archive records them. */
  mode?: number;
  /** For symlinks and hardlinks: what the link points at (reported, never followed). */
  linkTarget?: string;
  encrypted?: boolean;
  /**
   * Hex sha256 of the decompressed data of a regular file, set only when the
   * whole entry was read within limits. RECORD checks rely on it.
   */
  sha256?: string;
  /** Set when a regular file's data starts like a native executable or library, whatever its name. */
  binaryFormat?: BinaryFormat;
}

export interface ArchiveContents {
  format: 'zip' | 'tar';
  entries: ArchiveEntry[];
  findings: Finding[];
  /** The data of the regular files that `want` selected, read within limits, by path. */
  files: Map<string, Buffer>;
}

export interface ReadArchiveOptions {
  limits?: Partial<ArchiveLimits>;
  /** Which regular files to keep in `files`. Defaults to `wantPackageMetadata`. */
  want?: (entry: ArchiveEntry) => boolean;
  signal?: AbortSignal;
}

/** What each format's reader works with: the options, resolved. */
export interface ReadContext {
  limits: ArchiveLimits;
  want: (entry: ArchiveEntry) => boolean;
  signal?: AbortSignal;
}

/**
 * The default selection: the metadata files of a wheel (`*.dist-info/*` at the
 * top level) and of an sdist (`PKG-INFO`, `pyproject.toml`, `setup.cfg`,
 * `setup.py` at the top or one level down), which is what integrity checks need.
 */
export function wantPackageMetadata(entry: ArchiveEntry): boolean {
  const parts = entry.path.replace(/^(?:\.\/)+/, '').split('/');
  if (parts.length === 2 && parts[0]!.endsWith('.dist-info')) return true;
  const base = parts[parts.length - 1]!;
  return parts.length <= 2 && ['PKG-INFO', 'pyproject.toml', 'setup.cfg', 'setup.py'].includes(base);
}
