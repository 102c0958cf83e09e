/** A wheel read for comparison: every regular file with its sha256, and the bytes of the ones small enough to diff. */
import { readArchive, type ArchiveEntry } from '../../archive/index.js';

export interface WheelFile {
  path: string;
  sha256: string;
  size: number;
  /** The bytes, for files up to `maxDiffedBytes`. */
  data?: Buffer;
  /** Starts like a native executable or library (ELF, PE, Mach-O), whatever its name. */
  binary: boolean;
}

export interface WheelFiles {
  /** By path as stored. */
  files: Map<string, WheelFile>;
  /** Problems reading the archive (they are the integrity check's to judge; here they only explain a gap). */
  problems: string[];
}

/** Text files past this are compared by hash alone. */
const maxDiffedBytes = 8 * 1024 * 1024;

const nativeSuffix = /\.(so(\.\d+)*|pyd|dll|dylib|exe)$/i;

export async function readWheelFiles(path: string): Promise<WheelFiles> {
  const contents = await readArchive(path, { want: (e: ArchiveEntry) => e.kind === 'file' && e.size <= maxDiffedBytes });
  const files = new Map<string, WheelFile>();
  for (const entry of contents.entries) {
    if (entry.kind !== 'file' || entry.sha256 === undefined) continue;
    const data = contents.files.get(entry.path);
    files.set(entry.path, {
      path: entry.path,
      sha256: entry.sha256,
      size: entry.size,
      ...(data !== undefined ? { data } : {}),
      binary: entry.binaryFormat !== undefined || nativeSuffix.test(entry.path),
    });
  }
  return { files, problems: contents.findings.filter((f) => f.severity !== 'info').map((f) => `${f.rule}: ${f.message}`) };
}
