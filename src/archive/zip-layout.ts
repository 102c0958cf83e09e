/**
 * The layout of a zip: where its end-of-central-directory record really is,
 * found without trusting the offsets inside it (APPNOTE 6.3.10, sections
 * 4.3.14–4.3.16), and what lies outside the entries. yauzl refuses bytes after
 * the record and misreads archives with bytes before them; this lets the
 * reader report both and still look inside.
 */
import type { FileHandle } from 'node:fs/promises';
import type { Finding } from '../finding.js';
import { archiveFinding } from './rules.js';

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_HEADER_SIGNATURE = 0x02014b50;
const EOCD_SIZE = 22;
const ZIP64_LOCATOR_SIZE = 20;
const ZIP64_EOCD_SIZE = 56;
const MAX_COMMENT = 0xffff;

export interface ZipLayout {
  /** Where the archive as the central directory sees it ends (end of EOCD + comment). */
  end: number;
  /** Bytes after `end`. */
  trailing: number;
  /** Bytes before the offsets the archive records: every stored offset is off by this much. */
  shift: number;
  centralDirectoryOffset: number;
  centralDirectorySize: number;
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** Returns undefined when no end-of-central-directory record exists (not a zip, or cut short). */
export async function locateZipLayout(file: FileHandle, size: number): Promise<ZipLayout | undefined> {
  const tailStart = Math.max(0, size - (EOCD_SIZE + MAX_COMMENT + ZIP64_LOCATOR_SIZE));
  const tail = await readAt(file, tailStart, size - tailStart);
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) !== EOCD_SIGNATURE) continue;
    const commentLength = tail.readUInt16LE(i + 20);
    const recordEnd = i + EOCD_SIZE + commentLength;
    if (recordEnd > tail.length) continue;
    const eocdAt = tailStart + i;
    let cdSize = tail.readUInt32LE(i + 12);
    let cdOffset = tail.readUInt32LE(i + 16);
    let cdEnd = eocdAt;
    if (i >= ZIP64_LOCATOR_SIZE && tail.readUInt32LE(i - ZIP64_LOCATOR_SIZE) === ZIP64_LOCATOR_SIGNATURE) {
      // The zip64 record is where the locator says, or (when data was prepended) right before the locator.
      const recordedAt = Number(tail.readBigUInt64LE(i - ZIP64_LOCATOR_SIZE + 8));
      const adjacentAt = eocdAt - ZIP64_LOCATOR_SIZE - ZIP64_EOCD_SIZE;
      for (const at of [recordedAt, adjacentAt]) {
        const record = at >= 0 && at < size ? await readAt(file, at, ZIP64_EOCD_SIZE) : Buffer.alloc(0);
        if (record.length !== ZIP64_EOCD_SIZE || record.readUInt32LE(0) !== ZIP64_EOCD_SIGNATURE) continue;
        cdSize = Number(record.readBigUInt64LE(40));
        cdOffset = Number(record.readBigUInt64LE(48));
        cdEnd = at;
        break;
      }
    }
    let shift = cdEnd - (cdOffset + cdSize);
    if (shift > 0) {
      // Only a real shift if a central directory header sits where the shift says.
      const probe = await readAt(file, cdOffset + shift, 4);
      if (probe.length !== 4 || probe.readUInt32LE(0) !== CENTRAL_HEADER_SIGNATURE) shift = 0;
    } else shift = 0;
    return {
      end: tailStart + recordEnd,
      trailing: size - (tailStart + recordEnd),
      shift,
      centralDirectoryOffset: cdOffset,
      centralDirectorySize: cdSize,
    };
  }
  return undefined;
}

/** Where one entry's local header and data lie, in archive offsets. */
export interface Span {
  path: string;
  /** The local header's offset. */
  start: number;
  /** The end of the entry's compressed data. */
  end: number;
  /** Bytes a data descriptor may add after `end` (APPNOTE 4.3.9). */
  slack: number;
}

/** Reports what the layout says beyond the entries themselves. */
export function checkLayout(layout: ZipLayout, spans: Span[], sawAllEntries: boolean): Finding[] {
  const findings: Finding[] = [];
  if (layout.shift > 0) {
    findings.push(archiveFinding('archive.prepended-data', `${layout.shift} bytes precede the archive (its offsets are shifted)`));
  }
  if (layout.trailing > 0) {
    findings.push(archiveFinding('archive.trailing-data', `${layout.trailing} bytes follow the end of the archive`));
  }
  spans.sort((a, b) => a.start - b.start);
  const first = spans[0];
  if (first && first.start > 0) {
    findings.push(archiveFinding('archive.prepended-data', `${first.start} bytes precede the first entry`));
  }
  let end = 0;
  let slack = 0;
  const overlapping: string[] = [];
  let hidden = 0;
  for (const span of spans) {
    if (span.start < end) overlapping.push(span.path);
    else if (span !== first && span.start - end > slack) hidden += span.start - end;
    if (span.end >= end) {
      end = span.end;
      slack = span.slack;
    }
  }
  if (overlapping.length > 0) {
    findings.push(
      archiveFinding(
        'archive.zip-bomb',
        `${overlapping.length} entries share compressed data with an earlier entry (overlapping-entry bomb or smuggling)`,
        { file: overlapping[0] },
      ),
    );
  }
  if (spans.length > 0 && end > layout.centralDirectoryOffset) {
    findings.push(archiveFinding('archive.header-mismatch', 'entry data runs into the central directory', { file: spans.at(-1)?.path }));
  } else if (sawAllEntries && spans.length > 0 && layout.centralDirectoryOffset - end > slack) {
    hidden += layout.centralDirectoryOffset - end;
  }
  if (hidden > 0) {
    findings.push(archiveFinding('archive.hidden-data', `${hidden} bytes between entries belong to no entry`));
  }
  return findings;
}

