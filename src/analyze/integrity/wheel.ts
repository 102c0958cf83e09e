/**
 * Wheel integrity (binary distribution format spec, PEP 427/491): the
 * `.dist-info` directory, METADATA, WHEEL and RECORD must agree with the file
 * name and with the files actually in the archive. A mismatch means the wheel
 * was altered after it was built, or built to mislead.
 */
import type { ArchiveContents, ArchiveEntry, BinaryFormat } from '../../archive/index.js';
import { parseWheelFilename, type WheelFilename } from '../../pep/filename.js';
import { parseCoreMetadata } from '../../pep/metadata.js';
import { normalizeName } from '../../pep/name.js';
import { locateDistInfo } from '../../pep/wheel-layout.js';
import { compareVersions, Version } from '../../pep/version.js';
import type { Finding } from '../finding.js';
import { parseRecord, type RecordRow } from './record.js';
import { integrityFinding } from './rules.js';
import { parseWheelInfo } from './wheel-info.js';

/** Installers refuse a Wheel-Version whose major part they do not know (the spec: "should refuse"). */
const SUPPORTED_WHEEL_MAJOR = 1;
const NATIVE_BINARY = /\.(?:so|pyd|dll|dylib|exe)$|\.so\.\d/i;
const BINARY_FORMAT_NAMES: Record<BinaryFormat, string> = { elf: 'ELF', pe: 'PE (Windows)', 'mach-o': 'Mach-O' };
/** Hash algorithms the spec forbids in RECORD ("sha256 or better"). */
const WEAK_ALGORITHMS = new Set(['md5', 'sha1', 'sha224']);

function sameVersion(a: string, b: string): boolean {
  const va = Version.tryParse(a);
  const vb = Version.tryParse(b);
  return va !== null && vb !== null ? compareVersions(va, vb) === 0 : a === b;
}

function isPure(wheel: WheelFilename): boolean {
  return wheel.abiTags.every((t) => t.toLowerCase() === 'none') && wheel.platformTags.every((t) => t.toLowerCase() === 'any');
}

/** The wheel's `.dist-info` directory (pep/wheel-layout.ts), reporting none, several, or one that belongs to another project. */
function findDistInfo(entries: ArchiveEntry[], wheel: WheelFilename | undefined, findings: Finding[]): string | undefined {
  const expected = wheel ? { normalizedName: wheel.normalizedName, version: wheel.version } : undefined;
  const location = locateDistInfo(
    entries.map((e) => e.path),
    expected,
  );
  const problem = location.problem;
  if (problem?.code === 'mismatch') findings.push(integrityFinding('integrity.dist-info-mismatch', problem.message, location.dir));
  else if (problem) findings.push(integrityFinding('integrity.dist-info', problem.message));
  return location.dir;
}

function metadataFile(contents: ArchiveContents, path: string, findings: Finding[]): Buffer | undefined {
  const data = contents.files.get(path);
  if (data) return data;
  if (contents.entries.some((e) => e.path === path)) {
    findings.push(integrityFinding('integrity.unverifiable', `${path} is in the archive but was not read, so it is not checked`, path));
  } else {
    findings.push(integrityFinding('integrity.missing-metadata-file', `the wheel has no ${path}`, path));
  }
  return undefined;
}

function checkMetadata(data: Buffer, path: string, wheel: WheelFilename | undefined, findings: Finding[]): void {
  let metadata;
  try {
    metadata = parseCoreMetadata(data);
  } catch (err) {
    findings.push(integrityFinding('integrity.invalid-metadata', `METADATA cannot be read: ${(err as Error).message}`, path));
    return;
  }
  if (!wheel) return;
  if (normalizeName(metadata.name) !== wheel.normalizedName) {
    findings.push(
      integrityFinding('integrity.metadata-mismatch', `METADATA names the project ${JSON.stringify(metadata.name)}, the file name ${wheel.name}`, path),
    );
  }
  if (!sameVersion(metadata.version, wheel.version)) {
    findings.push(
      integrityFinding('integrity.metadata-mismatch', `METADATA says version ${JSON.stringify(metadata.version)}, the file name ${wheel.version}`, path),
    );
  }
}

function checkWheelInfo(data: Buffer, path: string, wheel: WheelFilename | undefined, findings: Finding[]): void {
  const info = parseWheelInfo(data.toString('utf8'));
  if (info.wheelVersion === undefined) {
    findings.push(integrityFinding('integrity.wheel-version', 'WHEEL has no Wheel-Version', path));
  } else {
    const major = Number(info.wheelVersion.split('.')[0]);
    if (!Number.isInteger(major) || major > SUPPORTED_WHEEL_MAJOR) {
      findings.push(integrityFinding('integrity.wheel-version', `Wheel-Version ${info.wheelVersion} is not one installers accept`, path));
    }
  }
  if (!wheel) return;
  if (isPure(wheel) && info.rootIsPurelib !== true) {
    findings.push(
      integrityFinding('integrity.purelib-mismatch', `a pure (none-any) wheel must have Root-Is-Purelib: true, not ${info.rootIsPurelib ?? 'nothing'}`, path),
    );
  }
  const claimed = new Set(info.tags);
  const named = new Set(wheel.tags().map((t) => `${t.python}-${t.abi}-${t.platform}`));
  const onlyInWheel = [...claimed].filter((t) => !named.has(t));
  const onlyInName = [...named].filter((t) => !claimed.has(t));
  if (onlyInWheel.length > 0 || onlyInName.length > 0) {
    const parts = [];
    if (onlyInName.length > 0) parts.push(`the file name's ${onlyInName.join(', ')} not in WHEEL`);
    if (onlyInWheel.length > 0) parts.push(`WHEEL's ${onlyInWheel.join(', ')} not in the file name`);
    findings.push(integrityFinding('integrity.tag-mismatch', `WHEEL Tag lines disagree with the file name: ${parts.join('; ')}`, path));
  }
}

function checkRecord(data: Buffer, distInfo: string, entries: ArchiveEntry[], findings: Finding[]): void {
  const recordPath = `${distInfo}/RECORD`;
  const { rows, problems } = parseRecord(data.toString('utf8'));
  for (const p of problems) {
    findings.push(integrityFinding('integrity.record-invalid', `RECORD line ${p.line} ${p.message}`, recordPath, p.text.slice(0, 200)));
  }
  const byPath = new Map<string, RecordRow>();
  for (const row of rows) {
    if (byPath.has(row.path)) {
      findings.push(integrityFinding('integrity.record-invalid', `RECORD lists ${row.path} more than once (line ${row.line})`, recordPath));
    } else byPath.set(row.path, row);
  }
  const hex = rows.filter((r) => r.digestEncoding === 'hex');
  if (hex.length > 0) {
    findings.push(
      integrityFinding(
        'integrity.record-hex-digest',
        `RECORD writes ${hex.length} digests in hex, not urlsafe base64 as the spec requires (checked all the same)`,
        recordPath,
      ),
    );
  }
  const unhashed = new Set([recordPath, `${distInfo}/RECORD.jws`, `${distInfo}/RECORD.p7s`]);
  const present = new Set<string>();
  for (const entry of entries) {
    if (entry.kind === 'directory') continue;
    present.add(entry.path);
    if (unhashed.has(entry.path)) continue;
    const row = byPath.get(entry.path);
    if (!row) {
      findings.push(integrityFinding('integrity.unlisted-file', `${entry.path} is in the wheel but not in RECORD`, entry.path));
      continue;
    }
    checkRow(row, entry, findings);
  }
  for (const row of rows) {
    if (!present.has(row.path)) {
      findings.push(integrityFinding('integrity.record-missing-file', `RECORD line ${row.line} lists ${row.path}, which is not in the wheel`, row.path));
    }
  }
}

function checkRow(row: RecordRow, entry: ArchiveEntry, findings: Finding[]): void {
  const path = entry.path;
  if (row.algorithm === '') {
    findings.push(integrityFinding('integrity.record-no-hash', `RECORD gives no hash for ${path}`, path));
    return;
  }
  if (WEAK_ALGORITHMS.has(row.algorithm)) {
    findings.push(integrityFinding('integrity.record-weak-hash', `RECORD hashes ${path} with ${row.algorithm}; the spec requires sha256 or stronger`, path));
    return;
  }
  if (row.size === undefined) {
    findings.push(integrityFinding('integrity.record-invalid', `RECORD line ${row.line} gives no size for ${path}`, path));
  }
  if (entry.sha256 === undefined) {
    findings.push(integrityFinding('integrity.unverifiable', `${path} was not read completely, so its RECORD hash is not checked`, path));
    return;
  }
  if (row.size !== undefined && row.size !== entry.size) {
    findings.push(integrityFinding('integrity.record-size-mismatch', `${path} is ${entry.size} bytes, RECORD says ${row.size}`, path));
  }
  if (row.algorithm !== 'sha256') {
    findings.push(integrityFinding('integrity.unverifiable', `RECORD hashes ${path} with ${row.algorithm}; only sha256 is verified`, path));
  } else if (row.digestHex !== entry.sha256) {
    const actual = Buffer.from(entry.sha256, 'hex').toString('base64url');
    findings.push(
      integrityFinding('integrity.record-hash-mismatch', `${path} has sha256=${actual}, RECORD says sha256=${row.digestText}`, path),
    );
  }
}

/**
 * Checks a wheel read by `readArchive` (whose default `want` keeps the
 * `.dist-info` files this needs; every other file is checked by its sha256).
 */
export function checkWheelIntegrity(wheelFilename: string, contents: ArchiveContents): Finding[] {
  const findings: Finding[] = [];
  let wheel: WheelFilename | undefined;
  try {
    wheel = parseWheelFilename(wheelFilename);
  } catch (err) {
    findings.push(integrityFinding('integrity.invalid-filename', (err as Error).message));
  }
  const distInfo = findDistInfo(contents.entries, wheel, findings);
  if (distInfo === undefined) return findings;

  const metadata = metadataFile(contents, `${distInfo}/METADATA`, findings);
  if (metadata) checkMetadata(metadata, `${distInfo}/METADATA`, wheel, findings);
  const wheelInfo = metadataFile(contents, `${distInfo}/WHEEL`, findings);
  if (wheelInfo) checkWheelInfo(wheelInfo, `${distInfo}/WHEEL`, wheel, findings);
  const record = metadataFile(contents, `${distInfo}/RECORD`, findings);
  if (record) checkRecord(record, distInfo, contents.entries, findings);

  if (wheel && isPure(wheel)) {
    for (const entry of contents.entries) {
      if (entry.kind !== 'file') continue;
      const byName = NATIVE_BINARY.test(entry.path.split('/').pop() ?? '');
      if (!byName && entry.binaryFormat === undefined) continue;
      const what = entry.binaryFormat ? `a native ${BINARY_FORMAT_NAMES[entry.binaryFormat]} binary` : 'a native binary by its name';
      findings.push(integrityFinding('integrity.native-code-in-pure-wheel', `${entry.path} is ${what} in a wheel tagged pure Python`, entry.path));
    }
  }
  return findings;
}
