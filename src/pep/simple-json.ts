/**
 * Reads a PEP 691 project page (api-version 1.x), with PEP 592 yanked, PEP 658/714 core metadata, PEP 700 size and
 * upload time, PEP 708 tracks and alternate locations, PEP 740 provenance and PEP 792 project status.
 *
 * A document that is not a project page (not JSON, no `meta.api-version`, no `name`, `files` not a list) throws
 * InvalidSimpleDocumentError. One bad file entry does not fail the page: it is left out and reported through
 * `onIssue`, as the HTML reader does with a bad link.
 */
import { InvalidSimpleDocumentError } from './errors.js';
import {
  PageFiles,
  checkRepositoryVersion,
  filenameProblem,
  fragmentHashes,
  isUploadTime,
  linkForIssue,
  pageUrl,
  projectStatusOf,
  readHashes,
  reporter,
  resolveLink,
  versionsOf,
  type PageIssue,
  type PageReadOptions,
} from './simple-reading.js';
import type { SimpleFile, SimpleProjectPage } from './simple.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringRecord(value: unknown): value is Record<string, string> {
  if (!isRecord(value)) return false;
  for (const key in value) if (typeof value[key] !== 'string') return false;
  return true;
}

function stringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new InvalidSimpleDocumentError(`${what} must be a list of strings`);
  }
  return value;
}

type FileEntry = { file: SimpleFile } | { problem: string };

function fileOf(value: unknown, index: number, base: URL, report: (issue: PageIssue) => void): FileEntry {
  const where = `files[${index}]`;
  if (!isRecord(value)) return { problem: `${where} is not an object` };
  const { filename, url, hashes } = value;
  if (typeof url !== 'string') return { problem: `${where}.url is not a string` };
  const link = (): string => linkForIssue(url, base);
  if (typeof filename !== 'string') return { problem: `${where}.filename is not a string` };
  const filenameIssue = filenameProblem(filename);
  if (filenameIssue !== null) return { problem: filenameIssue };
  const resolved = resolveLink(url, base);
  if ('problem' in resolved) return { problem: resolved.problem };
  if (!isStringRecord(hashes)) return { problem: `${where}.hashes does not map hash names to strings` };
  const listed = readHashes(hashes);
  if ('problem' in listed) return { problem: listed.problem };
  // pip merges hashes from the URL's fragment into `hashes`; a fragment that contradicts them is suspect.
  const fromFragment = readHashes(fragmentHashes(resolved.url.hash.slice(1)));
  if ('problem' in fromFragment) return { problem: `the URL fragment: ${fromFragment.problem}` };
  for (const name in fromFragment.hashes) {
    const digest = fromFragment.hashes[name] as string;
    if (listed.hashes[name] !== undefined && listed.hashes[name] !== digest) {
      return { problem: `the URL fragment's ${name} differs from hashes.${name}` };
    }
    listed.hashes[name] = digest;
  }
  if (resolved.url.hash !== '') resolved.url.hash = '';

  const file: SimpleFile = { filename, url: resolved.url.href, hashes: listed.hashes, yanked: false, size: 0 };
  const requiresPython = value['requires-python'];
  if (typeof requiresPython === 'string') {
    if (requiresPython !== '') file.requiresPython = requiresPython;
  } else if (requiresPython !== undefined && requiresPython !== null) {
    return { problem: `${where}.requires-python is not a string` };
  }
  const yanked = value['yanked'];
  if (typeof yanked === 'string') file.yanked = yanked === '' ? true : yanked;
  else if (typeof yanked === 'boolean') file.yanked = yanked;
  else if (yanked !== undefined && yanked !== null) return { problem: `${where}.yanked is neither a boolean nor a string` };
  const size = value['size'];
  if (typeof size === 'number' && Number.isSafeInteger(size) && size >= 0) file.size = size;
  else if (size !== undefined && size !== null) return { problem: `${where}.size is not a non-negative integer` };

  // PEP 714: core-metadata wins; dist-info-metadata is the older key.
  const coreMetadata = value['core-metadata'] ?? value['dist-info-metadata'];
  if (typeof coreMetadata === 'boolean') file.coreMetadata = coreMetadata;
  else if (isStringRecord(coreMetadata)) {
    const metadataHashes = readHashes(coreMetadata);
    // The metadata file may exist, but it could not be verified: the gateway derives it from the wheel instead.
    if ('problem' in metadataHashes) report({ link: link(), dropped: 'core-metadata', reason: metadataHashes.problem });
    else file.coreMetadata = metadataHashes.hashes;
  } else if (coreMetadata !== undefined && coreMetadata !== null) {
    report({ link: link(), dropped: 'core-metadata', reason: `${where}.core-metadata is neither a boolean nor a map of hashes` });
  }
  const uploadTime = value['upload-time'];
  if (typeof uploadTime === 'string' && isUploadTime(uploadTime)) file.uploadTime = uploadTime;
  else if (uploadTime !== undefined && uploadTime !== null) {
    report({ link: link(), dropped: 'upload-time', reason: `${where}.upload-time ${JSON.stringify(String(uploadTime).slice(0, 40))} is not a PEP 700 time` });
  }
  const provenance = value['provenance'];
  if (typeof provenance === 'string') {
    const resolvedProvenance = resolveLink(provenance, base);
    if ('problem' in resolvedProvenance) report({ link: link(), dropped: 'provenance', reason: `the provenance URL: ${resolvedProvenance.problem}` });
    else file.provenance = resolvedProvenance.url.href;
  } else if (provenance !== undefined && provenance !== null) {
    report({ link: link(), dropped: 'provenance', reason: `${where}.provenance is not a string` });
  }
  return { file };
}

/**
 * Reads a PEP 691 project page fetched from `url` (relative URLs resolve against it). Bad file entries are left
 * out and reported through `onIssue`.
 */
export function parseProjectJson(json: string, url: string, options?: PageReadOptions): SimpleProjectPage {
  const report = reporter(options);
  const base = pageUrl(url);
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (error) {
    throw new InvalidSimpleDocumentError(`not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(doc)) throw new InvalidSimpleDocumentError('the document must be a JSON object');
  const meta = doc['meta'];
  if (!isRecord(meta) || typeof meta['api-version'] !== 'string') {
    throw new InvalidSimpleDocumentError('meta.api-version is required');
  }
  checkRepositoryVersion(meta['api-version']);
  const name = doc['name'];
  if (typeof name !== 'string') throw new InvalidSimpleDocumentError('name must be a string');
  const rawFiles = doc['files'];
  if (!Array.isArray(rawFiles)) throw new InvalidSimpleDocumentError('files must be a list');

  const files = new PageFiles(report);
  for (let i = 0; i < rawFiles.length; i++) {
    const raw: unknown = rawFiles[i];
    const link = (): string => (isRecord(raw) && typeof raw['url'] === 'string' ? linkForIssue(raw['url'], base) : `files[${i}]`);
    const entry = fileOf(raw, i, base, report);
    if ('problem' in entry) report({ link: link(), dropped: 'file', reason: entry.problem });
    else files.add(entry.file, link);
  }
  const versions = doc['versions'] === undefined ? versionsOf(name, files.files) : stringList(doc['versions'], 'versions');
  const page: SimpleProjectPage = { name, versions, files: files.files };
  const status = doc['project-status'];
  if (status !== undefined) {
    if (!isRecord(status) || typeof status['status'] !== 'string') {
      throw new InvalidSimpleDocumentError('project-status.status must be a string');
    }
    const reason = status['reason'];
    if (reason !== undefined && typeof reason !== 'string') {
      throw new InvalidSimpleDocumentError('project-status.reason must be a string');
    }
    page.projectStatus = projectStatusOf(status['status'], reason);
  }
  if (meta['tracks'] !== undefined) page.tracks = stringList(meta['tracks'], 'meta.tracks');
  if (doc['alternate-locations'] !== undefined) {
    page.alternateLocations = stringList(doc['alternate-locations'], 'alternate-locations');
  }
  return page;
}

/**
 * The project names of a PEP 691 root page (`{"projects": [{"name": …}, …]}`). Entries without a string name are
 * skipped; a document that is not a root page throws.
 */
export function parseIndexJson(json: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(json);
  } catch (error) {
    throw new InvalidSimpleDocumentError(`not JSON: ${(error as Error).message}`);
  }
  if (!isRecord(doc) || !Array.isArray(doc['projects'])) throw new InvalidSimpleDocumentError('a root page has a "projects" list');
  const names: string[] = [];
  for (const entry of doc['projects'] as unknown[]) {
    if (isRecord(entry) && typeof entry['name'] === 'string') names.push(entry['name']);
  }
  return names;
}
