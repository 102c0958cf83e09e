/**
 * Upload times from a PyPI-style JSON API (`/pypi/<project>/json`, Warehouse's "JSON API"; devpi and some
 * mirrors serve the same shape), for pages that lack PEP 700 `upload-time`: PEP 503 HTML has none, and installers'
 * cooldowns (uv's `exclude-newer`, pip's `--uploaded-prior-to`) need it.
 *
 * Pure: reading the document and filling a page. The JSON API is not a PEP, so it lives here rather than in pep/.
 */
import { InvalidInputError } from '../errors.js';
import { isUploadTime } from '../pep/simple-reading.js';
import type { SimpleFile, SimpleProjectPage } from '../pep/simple.js';

export class InvalidJsonApiDocumentError extends InvalidInputError {
  constructor(message: string) {
    super('upstream.invalid-json-api', `invalid JSON API document: ${message}`);
  }
}

export interface UploadTime {
  /** PEP 700 form: ISO 8601, UTC, with `Z`. */
  uploadTime: string;
  /** The file's sha256 as the JSON API lists it, to check that it speaks of the same file as the page. */
  sha256?: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `upload_time_iso_8601` as given, or the older `upload_time` (UTC without a zone) with `Z` added. */
function uploadTimeOf(file: Record<string, unknown>): string | undefined {
  const iso = file['upload_time_iso_8601'];
  if (typeof iso === 'string' && isUploadTime(iso)) return iso;
  const plain = file['upload_time'];
  if (typeof plain === 'string' && isUploadTime(plain + 'Z')) return plain + 'Z';
  return undefined;
}

/**
 * File name -> upload time, from `releases` (every version) and `urls` (the version the document is about). Files
 * without a readable time are left out. Throws InvalidJsonApiDocumentError for a document of another shape.
 */
export function readUploadTimes(json: string): Map<string, UploadTime> {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (error) {
    throw new InvalidJsonApiDocumentError(`not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(doc)) throw new InvalidJsonApiDocumentError('the document must be a JSON object');
  const lists: unknown[] = [];
  const releases = doc['releases'];
  if (isRecord(releases)) lists.push(...Object.values(releases));
  if (doc['urls'] !== undefined) lists.push(doc['urls']);
  if (lists.length === 0) throw new InvalidJsonApiDocumentError('it has neither "releases" nor "urls"');
  const times = new Map<string, UploadTime>();
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const file of list) {
      if (!isRecord(file) || typeof file['filename'] !== 'string') continue;
      const uploadTime = uploadTimeOf(file);
      if (uploadTime === undefined) continue;
      const entry: UploadTime = { uploadTime };
      const digests = file['digests'];
      if (isRecord(digests) && typeof digests['sha256'] === 'string') entry.sha256 = digests['sha256'].toLowerCase();
      times.set(file['filename'], entry);
    }
  }
  return times;
}

/**
 * The page with upload times filled in where it has none and the JSON API has one for the same file (same name,
 * and the same sha256 when both give one). The page is not changed: files that get a time are copied.
 */
export function withUploadTimes(page: SimpleProjectPage, times: ReadonlyMap<string, UploadTime>): { page: SimpleProjectPage; filled: number } {
  let filled = 0;
  const files = page.files.map((file): SimpleFile => {
    if (file.uploadTime !== undefined) return file;
    const time = times.get(file.filename);
    if (time === undefined) return file;
    const sha256 = file.hashes['sha256'];
    if (time.sha256 !== undefined && sha256 !== undefined && time.sha256 !== sha256) return file;
    filled++;
    return { ...file, uploadTime: time.uploadTime };
  });
  return { page: filled === 0 ? page : { ...page, files }, filled };
}

/** How many files of the page lack an upload time. */
export function missingUploadTimes(page: SimpleProjectPage): number {
  let missing = 0;
  for (const file of page.files) if (file.uploadTime === undefined) missing++;
  return missing;
}
