/**
 * Resource limits for reading an untrusted archive. Every limit is enforced on
 * bytes actually produced while decompressing, never on the sizes an archive
 * declares about itself.
 */

export interface ArchiveLimits {
  /** Sum of decompressed bytes over all entries. */
  maxTotalUncompressed: number;
  /** Decompressed bytes of any one entry. */
  maxFileUncompressed: number;
  /**
   * Decompressed bytes read so far divided by the archive's size on disk.
   * Checked once more than `RATIO_FLOOR_BYTES` have been decompressed, so that
   * a tiny archive of text is not called a bomb.
   */
  maxRatio: number;
  /** Number of entries (files, directories, links …). */
  maxEntries: number;
  /** Length of an entry's path, in UTF-8 bytes. */
  maxPathLength: number;
  /**
   * Bytes of file data kept in memory (`ArchiveContents.files`) over the whole
   * archive. Selected files past it are still hashed, but not kept, and say so.
   */
  maxKeptBytes: number;
}

/**
 * Measured on the ~900 real wheels in /opt/pypi (2026-11-25): the largest
 * decompresses to 1.27 GB (tensorflow-cpu), its largest member is 788 MB, the
 * most entries is 16,235 (cmeel-boost), the longest path 238 bytes and the
 * highest whole-archive ratio 17.7 (xyzservices). Each default leaves room
 * for torch-sized wheels (a 2.5 GB shared library) while keeping a bomb's cost
 * bounded: decompression stops at `maxRatio` times the archive's own size.
 */
export const DEFAULT_LIMITS: ArchiveLimits = Object.freeze({
  maxTotalUncompressed: 8 * 1024 ** 3,
  maxFileUncompressed: 4 * 1024 ** 3,
  maxRatio: 100,
  maxEntries: 100_000,
  maxPathLength: 1024,
  maxKeptBytes: 256 * 1024 ** 2,
});

/** Below this many decompressed bytes the ratio limit is not applied. */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

export function resolveLimits(overrides: Partial<ArchiveLimits> | undefined): ArchiveLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}
