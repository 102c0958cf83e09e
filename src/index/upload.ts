/**
 * Validation of an upload to the hosted index, the way PyPI's upload handler
 * does it: a flat list of explicit checks, each refusing with one reason the
 * uploader can act on. The HTTP route streams the file to a temporary path and
 * hands it here with the form fields; nothing is stored until every check
 * passed.
 */
import { readArchive } from '../archive/index.js';
import type { ArchiveContents } from '../archive/contents.js';
import { GatehouseError } from '../errors.js';
import { parseDistFilename, type DistFilename } from '../pep/filename.js';
import { parseCoreMetadata, validateCoreMetadata, type CoreMetadata } from '../pep/metadata.js';
import { isValidName, normalizeName } from '../pep/name.js';
import { Version } from '../pep/version.js';
import type { TempFile } from '../store/blobs.js';

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

function blocking(contents: ArchiveContents): string | undefined {
  const f = contents.findings.find((x) => x.severity === 'high' || x.severity === 'critical');
  if (!f) return undefined;
  return `${f.message}${f.file ? ` (${f.file})` : ''} [${f.rule}]`;
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
    // Build tools escape the name differently (PEP 427), so match the
    // .dist-info directory by normalized name and version, not by spelling.
    const infoDirs = [...new Set(contents.entries.map((e) => e.path.split('/')[0]!))].filter((top) => top.endsWith('.dist-info'));
    const distInfo = infoDirs.find((dir) => {
      const stem = dir.slice(0, -'.dist-info'.length);
      const dash = stem.lastIndexOf('-');
      const v = Version.tryParse(stem.slice(dash + 1));
      const fv = Version.tryParse(dist.version);
      return dash > 0 && normalizeName(stem.slice(0, dash)) === dist.normalizedName && v !== null && fv !== null && v.equals(fv);
    });
    if (!distInfo) {
      throw new UploadError(
        'upload.wheel-dist-info',
        `invalid wheel: no ${dist.name}-${dist.version}.dist-info/ directory (found: ${infoDirs.join(', ') || 'none'})`,
      );
    }
    for (const required of ['METADATA', 'WHEEL', 'RECORD']) {
      if (!contents.files.has(`${distInfo}/${required}`)) {
        throw new UploadError('upload.wheel-file-missing', `invalid wheel: ${required} not found at ${distInfo}/${required}`);
      }
    }
    const bytes = contents.files.get(`${distInfo}/METADATA`)!;
    const metadata = readMetadata(bytes, `${distInfo}/METADATA`);
    checkMetadataMatches(metadata, dist, 'METADATA');
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
