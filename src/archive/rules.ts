/**
 * The findings an archive reader can report. One table, so the severity of a
 * rule is decided in one place and documented next to the reason for it.
 */
import { gradedFinding, type Finding, type FindingLocation, type RuleGrade } from '../finding.js';

export const ARCHIVE_RULES = {
  /** The file ends before the archive does: it cannot be fully inspected. */
  'archive.truncated': { severity: 'high', confidence: 'high' },
  /** Not a zip or tar we can parse (random bytes, empty file, unknown compression). */
  'archive.unreadable': { severity: 'high', confidence: 'high' },
  /** Decompresses far beyond its own size, or entries share compressed data (overlapping-entry bombs). */
  'archive.zip-bomb': { severity: 'critical', confidence: 'high' },
  /** A `..` component: extracting it naively writes outside the target directory. */
  'archive.path-traversal': { severity: 'critical', confidence: 'high' },
  /** `/x`, `\x`, `C:x` or a UNC path. */
  'archive.absolute-path': { severity: 'critical', confidence: 'high' },
  /** Control characters or NUL in a name: different tools read it differently. */
  'archive.invalid-name': { severity: 'high', confidence: 'high' },
  'archive.symlink': { severity: 'medium', confidence: 'high' },
  'archive.hardlink': { severity: 'medium', confidence: 'high' },
  /** Character/block devices, fifos and other special files (sockets, unknown tar types) have no place in a package. */
  'archive.device': { severity: 'high', confidence: 'high' },
  /** Two entries with the same name: which one an installer keeps depends on the tool. */
  'archive.duplicate-name': { severity: 'high', confidence: 'high' },
  /** Names that differ only in case clash on Windows and macOS file systems. */
  'archive.case-duplicate-name': { severity: 'medium', confidence: 'high' },
  /** The local header disagrees with the central directory (zip smuggling). */
  'archive.header-mismatch': { severity: 'high', confidence: 'high' },
  /** The data does not match the CRC-32 the archive declares. */
  'archive.crc-mismatch': { severity: 'high', confidence: 'high' },
  'archive.encrypted': { severity: 'high', confidence: 'high' },
  /** A compression method we do not decode, so the entry cannot be inspected. */
  'archive.unsupported-compression': { severity: 'medium', confidence: 'high' },
  /** Bytes before the first entry (a prepended stub or a second archive). */
  'archive.prepended-data': { severity: 'high', confidence: 'high' },
  /** Bytes after the end-of-central-directory record (an appended second archive). */
  'archive.trailing-data': { severity: 'high', confidence: 'high' },
  /** Bytes between entries that no entry accounts for. */
  'archive.hidden-data': { severity: 'medium', confidence: 'medium' },
  'archive.too-many-entries': { severity: 'high', confidence: 'high' },
  'archive.path-too-long': { severity: 'medium', confidence: 'high' },
  'archive.file-too-large': { severity: 'high', confidence: 'high' },
  'archive.total-too-large': { severity: 'high', confidence: 'high' },
  /** A file selected for analysis that did not fit the memory limit: hashed, but not analyzed. */
  'archive.not-kept': { severity: 'medium', confidence: 'high' },
} as const satisfies Record<string, RuleGrade>;

export type ArchiveRuleId = keyof typeof ARCHIVE_RULES;

export function archiveFinding(rule: ArchiveRuleId, message: string, location: FindingLocation = {}): Finding {
  return gradedFinding(ARCHIVE_RULES, rule, message, location);
}
