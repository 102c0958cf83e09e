/**
 * The rules shared by the readers of Simple API project pages (PEP 503 HTML in `simple-html.ts`, PEP 691 JSON in
 * `simple-json.ts`): which links are files we may fetch and store, which hashes are hashes, and what a reader
 * reports when it leaves something out.
 *
 * Upstream pages are anyone's. A reader never fails a whole page for one bad link: it leaves the link out and says
 * why through `onIssue`, so the caller can log it. Only a page that is not a Simple API document at all throws
 * (InvalidSimpleDocumentError).
 */
import { InvalidSimpleDocumentError } from './errors.js';
import { parseDistFilename } from './filename.js';
import type { ProjectStatus, SimpleFile, SimpleProjectPage } from './simple.js';

/** Something a reader left out of a page, and why: one log line's worth. */
export interface PageIssue {
  /** The link as the page wrote it, resolved when it could be (never with a user name or password). */
  link: string;
  /** The whole file, its `<base href>`, or one attribute of a file that is otherwise kept. */
  dropped: 'file' | 'base' | 'core-metadata' | 'provenance' | 'upload-time';
  reason: string;
}

export interface PageReadOptions {
  onIssue?: (issue: PageIssue) => void;
}

/** The hash names of Python's `hashlib.algorithms_guaranteed` (PEP 503 fragments name one of them). */
const HEX_LENGTHS: ReadonlyMap<string, number | null> = new Map([
  ['md5', 32],
  ['sha1', 40],
  ['sha224', 56],
  ['sha256', 64],
  ['sha384', 96],
  ['sha512', 128],
  ['blake2b', 128],
  ['blake2s', 64],
  ['sha3_224', 56],
  ['sha3_256', 64],
  ['sha3_384', 96],
  ['sha3_512', 128],
  // Variable-length digests: any even number of hex digits.
  ['shake_128', null],
  ['shake_256', null],
]);

const HEX = /^[0-9a-fA-F]+$/;

/**
 * Why a listed digest cannot be one, or null when it can. Known algorithms must have their length; names we do
 * not know (PyPI's JSON API has `blake2b_256`) need only be hex. A file whose hash is malformed is left out, never
 * kept without it: a gateway serves a file only with the hash it was listed with.
 */
function digestProblem(name: string, value: string): string | null {
  if (!HEX.test(value)) return `its ${name} hash ${JSON.stringify(value.slice(0, 80))} is not hexadecimal`;
  const length = HEX_LENGTHS.get(name);
  if (length === undefined || length === null) return value.length % 2 === 0 ? null : `its ${name} hash has an odd number of digits`;
  if (value.length !== length) return `its ${name} hash has ${value.length} hex digits, not ${length}`;
  return null;
}

/** Validates a hash map (JSON `hashes`, or a fragment's); digests are lowercased. */
export function readHashes(hashes: Record<string, string>): { hashes: Record<string, string> } | { problem: string } {
  const out: Record<string, string> = {};
  for (const rawName of Object.keys(hashes)) {
    const name = rawName.toLowerCase();
    const value = hashes[rawName] as string;
    const problem = digestProblem(name, value);
    if (problem !== null) return { problem };
    const digest = value.toLowerCase();
    if (out[name] !== undefined && out[name] !== digest) return { problem: `it lists two different ${name} hashes` };
    out[name] = digest;
  }
  return { hashes: out };
}

/**
 * The hashes in a URL fragment (`#sha256=<hex>`, several joined by `&`, as pip reads them); other fragment
 * parameters (`egg=`, `subdirectory=`) are not hashes and are ignored.
 */
export function fragmentHashes(fragment: string): Record<string, string> {
  const hashes: Record<string, string> = {};
  for (const part of fragment.split('&')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).toLowerCase();
    if (HEX_LENGTHS.has(name) && hashes[name] === undefined) hashes[name] = part.slice(eq + 1);
  }
  return hashes;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const MAX_FILENAME_BYTES = 255;

/**
 * Why `filename` cannot name a stored file, or null. A file name is one path segment: a name with a separator or
 * a dot segment would let a page write outside the directory it is stored in.
 */
export function filenameProblem(filename: string): string | null {
  if (filename === '') return 'the file name is empty';
  if (filename.includes('/') || filename.includes('\\')) return `the file name ${JSON.stringify(filename)} contains a path separator`;
  if (filename === '.' || filename === '..') return `the file name ${JSON.stringify(filename)} is a path segment, not a file`;
  if (CONTROL.test(filename)) return `the file name ${JSON.stringify(filename)} contains a control character`;
  if (Buffer.byteLength(filename, 'utf8') > MAX_FILENAME_BYTES) return `the file name is longer than ${MAX_FILENAME_BYTES} bytes`;
  return null;
}

function withoutCredentials(url: URL): void {
  // Setting a URL's parts re-serializes it: only when there is something to remove.
  if (url.username !== '') url.username = '';
  if (url.password !== '') url.password = '';
}

/** The page's URL without user name or password: what links resolve against. */
export function pageUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidSimpleDocumentError(`the page URL ${JSON.stringify(url)} is not a valid URL`);
  }
  withoutCredentials(parsed);
  return parsed;
}

/**
 * Resolves a link against `base` and checks that it is something to fetch: http(s), or the page's own scheme (a
 * local tree read through `file:`), never `javascript:` or `data:`. A user name or password in the link is removed:
 * credentials belong to the upstream's configuration, never to a page.
 */
export function resolveLink(href: string, base: URL): { url: URL } | { problem: string } {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    return { problem: 'it is not a valid URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:' && url.protocol !== base.protocol) {
    return { problem: `its scheme ${JSON.stringify(url.protocol)} is not fetched` };
  }
  withoutCredentials(url);
  return { url };
}

/** A link as an issue reports it: resolved and without credentials when possible, else as written (shortened). */
export function linkForIssue(href: string, base: URL): string {
  try {
    const url = new URL(href, base);
    withoutCredentials(url);
    return url.href.slice(0, 300);
  } catch {
    return href.slice(0, 300);
  }
}

/** PEP 629: a client must refuse a major version it does not know. */
export function checkRepositoryVersion(version: string): void {
  const major = version.split('.')[0];
  if (major !== '1') throw new InvalidSimpleDocumentError(`unsupported repository version "${version}"`);
}

const PROJECT_STATUSES: ReadonlySet<string> = new Set(['active', 'archived', 'quarantined', 'deprecated']);

export function projectStatusOf(status: string, reason: string | undefined): NonNullable<SimpleProjectPage['projectStatus']> {
  // PEP 792: an unknown status is treated as active (the status list may grow).
  const known = PROJECT_STATUSES.has(status) ? (status as ProjectStatus) : 'active';
  return reason === undefined ? { status: known } : { status: known, reason };
}

/** PEP 700: `yyyy-mm-ddThh:mm:ss[.ffffff]Z` (UTC). */
const UPLOAD_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;

export function isUploadTime(value: string): boolean {
  return UPLOAD_TIME.test(value) && Number.isFinite(Date.parse(value));
}

/** The versions of the files whose names parse (signatures and odd archives carry none), in page order. */
export function versionsOf(name: string, files: SimpleFile[]): string[] {
  const versions = new Set<string>();
  for (const file of files) {
    try {
      versions.add(parseDistFilename(file.filename, name).version);
    } catch {
      // Not a wheel or sdist name: no version to list.
    }
  }
  return [...versions];
}

/**
 * Collects the files of a page: the first link for a file name wins, and a later one with the same name is left
 * out (a name is how the gateway stores and serves a file, so two different files cannot share it).
 */
export class PageFiles {
  readonly files: SimpleFile[] = [];
  private readonly names = new Set<string>();

  constructor(private readonly report: (issue: PageIssue) => void) {}

  add(file: SimpleFile, link: () => string): void {
    if (this.names.has(file.filename)) {
      this.report({ link: link(), dropped: 'file', reason: `the file name ${JSON.stringify(file.filename)} is listed twice; the first link is kept` });
      return;
    }
    this.names.add(file.filename);
    this.files.push(file);
  }
}

export function reporter(options: PageReadOptions | undefined): (issue: PageIssue) => void {
  return options?.onIssue ?? (() => {});
}
