/**
 * Validation of an upload to the hosted index, the way PyPI's upload handler
 * does it: a flat list of explicit checks, each refusing with one reason the
 * uploader can act on. The HTTP route streams the file to a temporary path and
 * hands it here with the form fields; nothing is stored until every check
 * passed.
 */
import { readArchive, type ArchiveRuleId } from '../archive/index.js';
import type { ArchiveContents } from '../archive/contents.js';
import type { Finding } from '../analyze/finding.js';
import { checkWheelIntegrity } from '../analyze/integrity/wheel.js';
import type { IntegrityRuleId } from '../analyze/integrity/rules.js';
import { GatehouseError } from '../errors.js';
import { distributionIdentity, parseDistFilename, type DistFilename } from '../pep/filename.js';
import { parseCoreMetadata, validateCoreMetadata, type CoreMetadata } from '../pep/metadata.js';
import { isValidName, normalizeName } from '../pep/name.js';
import { Version } from '../pep/version.js';
import { locateDistInfo } from '../pep/wheel-layout.js';
import type { FileConflict, HostedFile, TempFile } from '../store/index.js';

export class UploadError extends GatehouseError {
  constructor(code: string, message: string, status = 400) {
    super(code, message, status);
  }
}

/** The multipart form fields twine, poetry and uv send, by name (multiple-use fields keep every value). */
export type UploadForm = Map<string, string[]>;

export interface ValidatedUpload {
  projectName: string;
  displayName: string;
  filename: string;
  version: string;
  kind: 'wheel' | 'sdist';
  requiresPython: string | null;
  /** A wheel's METADATA file, served as `<file>.metadata` (PEP 658). */
  metadata: Buffer | null;
}

function field(form: UploadForm, name: string): string | undefined {
  const v = form.get(name)?.[0];
  return v === undefined || v === '' ? undefined : v;
}

/** Checks the form before the file's content is looked at. Returns the normalized project name. */
export function checkForm(form: UploadForm): { projectName: string; displayName: string; version: Version } {
  const action = field(form, ':action');
  if (action !== 'file_upload') {
    throw new UploadError('upload.action', `unsupported :action ${JSON.stringify(action ?? '')}; only file_upload is supported`);
  }
  const protocol = field(form, 'protocol_version');
  if (protocol !== undefined && protocol !== '1') {
    throw new UploadError('upload.protocol', `unknown protocol_version ${JSON.stringify(protocol)}; only 1 is supported`);
  }
  const name = field(form, 'name');
  if (!name) throw new UploadError('upload.name-missing', "missing the 'name' field: the project name is required");
  if (!isValidName(name)) {
    throw new UploadError('upload.name-invalid', `invalid project name ${JSON.stringify(name)}: use letters, digits, '.', '-' and '_', starting and ending with a letter or digit`);
  }
  const versionText = field(form, 'version');
  if (!versionText) throw new UploadError('upload.version-missing', "missing the 'version' field");
  const version = Version.tryParse(versionText);
  if (!version) throw new UploadError('upload.version-invalid', `invalid version ${JSON.stringify(versionText)}: it must follow PEP 440`);
  return { projectName: normalizeName(name), displayName: name, version };
}

const EXTENSIONS = ['.whl', '.tar.gz', '.zip'];

/** Checks the filename against the form: extension, syntax, project and version. */
export function checkFilename(filename: string, projectName: string, version: Version): DistFilename {
  if (filename.includes('/') || filename.includes('\\') || filename.includes('\0')) {
    throw new UploadError('upload.filename-path', `invalid filename ${JSON.stringify(filename)}: it must not contain a path`);
  }
  if (!EXTENSIONS.some((ext) => filename.endsWith(ext))) {
    throw new UploadError('upload.extension', `invalid file extension in ${JSON.stringify(filename)}: use .whl, .tar.gz or .zip (PEP 527, PEP 715)`);
  }
  let dist: DistFilename;
  try {
    dist = parseDistFilename(filename);
  } catch (err) {
    // A legacy sdist name such as `foo-bar-1.0.tar.gz` splits only when the project name is known.
    try {
      dist = parseDistFilename(filename, projectName);
    } catch {
      throw new UploadError('upload.filename-invalid', `invalid distribution filename ${JSON.stringify(filename)}: ${(err as Error).message}`);
    }
  }
  if (dist.normalizedName !== projectName) {
    throw new UploadError('upload.filename-project', `filename ${JSON.stringify(filename)} is for project '${dist.normalizedName}', not '${projectName}'`);
  }
  const fileVersion = Version.tryParse(dist.version);
  if (!fileVersion || !fileVersion.equals(version)) {
    throw new UploadError('upload.filename-version', `version in filename should be '${version.toString()}', not '${dist.version}'`);
  }
  return dist;
}

/** Checks the declared digests (any of md5_digest, sha256_digest, blake2_256_digest) against the received bytes. */
export function checkDigests(form: UploadForm, file: TempFile): void {
  const declared: Array<[string, string]> = [
    ['md5_digest', file.md5],
    ['sha256_digest', file.sha256],
    ['blake2_256_digest', file.blake2b_256],
  ];
  for (const [name, actual] of declared) {
    const want = field(form, name);
    if (want !== undefined && want.toLowerCase() !== actual) {
      throw new UploadError('upload.digest', `the ${name} supplied does not match the uploaded file (got ${actual}): the upload was corrupted or truncated`);
    }
  }
}

/**
 * Every archive finding refuses an upload but this one: a file too big to keep in memory for analysis is still
 * hashed and checked. Links, case-only duplicates and hidden data included: an installer on some platform would
 * extract such an archive differently from what was checked.
 */
const TOLERATED_ARCHIVE_FINDINGS: ReadonlySet<ArchiveRuleId> = new Set(['archive.not-kept']);

/**
 * Wheel integrity findings that do not refuse an upload: installers go by the file name's tags, hex RECORD digests
 * are still verified, and native code in a pure wheel or an unverifiable hash algorithm is for the scanner and the
 * policy to weigh. Everything else (a RECORD that does not match the contents, several `.dist-info` directories,
 * METADATA that contradicts the file name) refuses it.
 */
const TOLERATED_INTEGRITY_FINDINGS: ReadonlySet<IntegrityRuleId> = new Set([
  'integrity.tag-mismatch',
  'integrity.record-hex-digest',
  'integrity.purelib-mismatch',
  'integrity.native-code-in-pure-wheel',
  'integrity.unverifiable',
]);

function describe(f: Finding): string {
  return `${f.message}${f.file && !f.message.includes(f.file) ? ` (${f.file})` : ''} [${f.rule}]`;
}

function blocking(contents: ArchiveContents): string | undefined {
  const f = contents.findings.find((x) => !TOLERATED_ARCHIVE_FINDINGS.has(x.rule as ArchiveRuleId));
  return f ? describe(f) : undefined;
}

function readMetadata(bytes: Buffer, where: string): CoreMetadata {
  let md: CoreMetadata;
  try {
    md = parseCoreMetadata(bytes);
  } catch (err) {
    throw new UploadError('upload.metadata-invalid', `invalid ${where}: ${(err as Error).message}`);
  }
  const problems = validateCoreMetadata(md);
  if (problems.length > 0) throw new UploadError('upload.metadata-invalid', `invalid ${where}: ${problems[0]}`);
  return md;
}

function checkMetadataMatches(md: CoreMetadata, dist: DistFilename, where: string): void {
  if (normalizeName(md.name) !== dist.normalizedName) {
    throw new UploadError('upload.metadata-name', `${where} names project '${md.name}' but the filename is for '${dist.name}'`);
  }
  const v = Version.tryParse(md.version);
  const fv = Version.tryParse(dist.version);
  if (!v || !fv || !v.equals(fv)) {
    throw new UploadError('upload.metadata-version', `${where} has version '${md.version}' but the filename has '${dist.version}'`);
  }
}

/** Opens the archive safely and checks its structure and metadata against the filename. */
export async function checkArchive(path: string, dist: DistFilename): Promise<{ metadata: CoreMetadata; metadataBytes: Buffer | null }> {
  const contents = await readArchive(path);
  const problem = blocking(contents);
  if (problem) throw new UploadError('upload.archive', `invalid distribution file: ${problem}`);

  if (dist.kind === 'wheel') {
    if (contents.format !== 'zip') throw new UploadError('upload.archive', 'invalid wheel: a wheel must be a zip archive');
    const location = locateDistInfo(
      contents.entries.map((e) => e.path),
      { normalizedName: dist.normalizedName, version: dist.version },
    );
    if (location.problem || location.dir === undefined) {
      throw new UploadError('upload.wheel-dist-info', `invalid wheel: ${location.problem?.message ?? 'no .dist-info directory'}; expected ${dist.name}-${dist.version}.dist-info/`);
    }
    const distInfo = location.dir;
    for (const required of ['METADATA', 'WHEEL', 'RECORD']) {
      if (!contents.files.has(`${distInfo}/${required}`)) {
        throw new UploadError('upload.wheel-file-missing', `invalid wheel: ${required} not found at ${distInfo}/${required}`);
      }
    }
    const bytes = contents.files.get(`${distInfo}/METADATA`)!;
    const metadata = readMetadata(bytes, `${distInfo}/METADATA`);
    checkMetadataMatches(metadata, dist, 'METADATA');
    const integrity = checkWheelIntegrity(dist.filename, contents).find((f) => !TOLERATED_INTEGRITY_FINDINGS.has(f.rule as IntegrityRuleId));
    if (integrity) throw new UploadError('upload.wheel-integrity', `invalid wheel: ${describe(integrity)}`);
    return { metadata, metadataBytes: bytes };
  }

  const tops = new Set(contents.entries.map((e) => e.path.split('/')[0]!));
  if (tops.size !== 1) {
    throw new UploadError('upload.sdist-layout', `invalid sdist: everything must be under one top-level directory (found ${tops.size} top-level entries)`);
  }
  const top = [...tops][0]!;
  const pkgInfo = contents.files.get(`${top}/PKG-INFO`);
  if (!pkgInfo) throw new UploadError('upload.sdist-pkg-info', `invalid sdist: PKG-INFO not found at ${top}/PKG-INFO`);
  const metadata = readMetadata(pkgInfo, `${top}/PKG-INFO`);
  checkMetadataMatches(metadata, dist, 'PKG-INFO');
  return { metadata, metadataBytes: null };
}

/** The release and the file within it that an upload would be, from its parsed file name. */
export function releaseIdentity(dist: DistFilename): { canonicalVersion: string; identity: string } {
  return { canonicalVersion: Version.parse(dist.version).canonical, identity: distributionIdentity(dist) };
}

function described(file: HostedFile): string {
  return `'${file.filename}' (sha256 ${file.sha256})`;
}

/** The refusal for an upload that collides with a stored file, in warehouse's words where warehouse has them. */
export function conflictError(filename: string, conflict: FileConflict): UploadError {
  const existing = conflict.existing;
  switch (conflict.reason) {
    case 'filename':
      return new UploadError(
        'upload.file-exists',
        `File already exists: ${described(existing)} has other bytes; a filename can be used only once, so upload a new version`,
      );
    case 'same-bytes':
      return new UploadError('upload.file-exists', `File already exists: these bytes were uploaded before as ${described(existing)}`);
    case 'sdist':
      return new UploadError(
        'upload.sdist-exists',
        `Only one sdist may be uploaded per release: version ${existing.version} already has ${described(existing)}`,
      );
    case 'same-file':
      return new UploadError(
        'upload.file-exists',
        `File already exists: ${JSON.stringify(filename)} is the same wheel (project, version, build tag and tags) as ${described(existing)}`,
      );
  }
}
