/**
 * Simple repository API documents, api-version 1.4: rendering and parsing the project list and project pages in
 * HTML (PEP 503) and JSON (PEP 691), with PEP 592 (yanked), PEP 629 (repository version), PEP 658/714 (core
 * metadata), PEP 700 (versions, size, upload time), PEP 708 (tracks, alternate locations), PEP 740 (provenance)
 * and PEP 792 (project status).
 *
 * Rendering serves every project page a client asks for. It appends to one string (V8 keeps the pieces as a rope
 * until the bytes are needed), which bench/simple-render.ts measures at 1.5-2x the map-and-join renderer.
 */
import { InvalidSimpleDocumentError } from './errors.js';
import { parseDistFilename } from './filename.js';
import { normalizeName } from './name.js';

export const SIMPLE_API_VERSION = '1.4';
export const SIMPLE_JSON_V1 = 'application/vnd.pypi.simple.v1+json';
export const SIMPLE_HTML_V1 = 'application/vnd.pypi.simple.v1+html';

export type ProjectStatus = 'active' | 'archived' | 'quarantined' | 'deprecated';
const PROJECT_STATUSES: ReadonlySet<string> = new Set(['active', 'archived', 'quarantined', 'deprecated']);

export interface SimpleFile {
  filename: string;
  /** Absolute, or relative to the page. Without a fragment: HTML rendering puts the preferred hash there. */
  url: string;
  /** Hash name to hex digest, e.g. `{ sha256: '…' }`. */
  hashes: Record<string, string>;
  requiresPython?: string;
  /** PEP 592: `true`, or the reason as a string (an empty reason is `true`). */
  yanked: false | true | string;
  /** PEP 658/714: whether `<url>.metadata` exists, and its hashes when known. */
  coreMetadata?: false | true | Record<string, string>;
  /** PEP 700 size in bytes; 0 when the source (a PEP 503 HTML page) does not give it. */
  size: number;
  /** PEP 700 upload time, ISO 8601 UTC with `Z`. */
  uploadTime?: string;
  /** PEP 740: URL of the file's provenance object. */
  provenance?: string;
}

export interface SimpleProjectPage {
  name: string;
  versions: string[];
  files: SimpleFile[];
  projectStatus?: { status: ProjectStatus; reason?: string };
  /** PEP 708 */
  tracks?: string[];
  alternateLocations?: string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Escaping

const ATTRIBUTE_SPECIAL = /[&<>"']/;
const TEXT_SPECIAL = /[&<>]/;

function escapeAttribute(value: string): string {
  if (!ATTRIBUTE_SPECIAL.test(value)) return value;
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function escapeText(value: string): string {
  if (!TEXT_SPECIAL.test(value)) return value;
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The hash to put in a URL fragment or a data attribute: sha256 when there is one (PEP 503 recommends it). */
function preferredHash(hashes: Record<string, string>): [string, string] | null {
  const sha256 = hashes['sha256'];
  if (sha256 !== undefined) return ['sha256', sha256];
  for (const name in hashes) {
    const value = hashes[name];
    if (value !== undefined) return [name, value];
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

function meta(name: string, content: string): string {
  return '    <meta name="' + name + '" content="' + escapeAttribute(content) + '">\n';
}

/** PEP 503 project page, with every data attribute of api-version 1.4. */
export function renderProjectHtml(page: SimpleProjectPage): string {
  const name = escapeText(page.name);
  let out = '<!DOCTYPE html>\n<html>\n  <head>\n' + meta('pypi:repository-version', SIMPLE_API_VERSION);
  if (page.projectStatus !== undefined) {
    out += meta('pypi:project-status', page.projectStatus.status);
    if (page.projectStatus.reason !== undefined) out += meta('pypi:project-status-reason', page.projectStatus.reason);
  }
  for (const track of page.tracks ?? []) out += meta('pypi:tracks', track);
  for (const location of page.alternateLocations ?? []) out += meta('pypi:alternate-locations', location);
  out += '    <title>Links for ' + name + '</title>\n  </head>\n  <body>\n    <h1>Links for ' + name + '</h1>\n';
  for (const file of page.files) {
    out += '    <a href="' + escapeAttribute(file.url);
    const hash = preferredHash(file.hashes);
    if (hash !== null) out += '#' + hash[0] + '=' + escapeAttribute(hash[1]);
    out += '"';
    if (file.requiresPython !== undefined) out += ' data-requires-python="' + escapeAttribute(file.requiresPython) + '"';
    if (file.coreMetadata !== undefined && file.coreMetadata !== false) {
      // PEP 714: data-core-metadata is the name; data-dist-info-metadata stays for clients from before it.
      const metadataHash = file.coreMetadata === true ? null : preferredHash(file.coreMetadata);
      const value = metadataHash === null ? 'true' : metadataHash[0] + '=' + escapeAttribute(metadataHash[1]);
      out += ' data-dist-info-metadata="' + value + '" data-core-metadata="' + value + '"';
    }
    if (file.yanked !== false) out += ' data-yanked="' + (file.yanked === true ? '' : escapeAttribute(file.yanked)) + '"';
    if (file.provenance !== undefined) out += ' data-provenance="' + escapeAttribute(file.provenance) + '"';
    out += '>' + escapeText(file.filename) + '</a><br />\n';
  }
  return out + '  </body>\n</html>\n';
}

interface JsonFile {
  filename: string;
  url: string;
  hashes: Record<string, string>;
  'requires-python'?: string;
  'core-metadata'?: boolean | Record<string, string>;
  'dist-info-metadata'?: boolean | Record<string, string>;
  yanked: boolean | string;
  size: number;
  'upload-time'?: string;
  provenance?: string;
}

/** PEP 691 project page (api-version 1.4). */
export function renderProjectJson(page: SimpleProjectPage): string {
  const files: JsonFile[] = new Array<JsonFile>(page.files.length);
  for (let i = 0; i < page.files.length; i++) {
    const file = page.files[i] as SimpleFile;
    const json: JsonFile = { filename: file.filename, url: file.url, hashes: file.hashes, yanked: file.yanked, size: file.size };
    if (file.requiresPython !== undefined) json['requires-python'] = file.requiresPython;
    if (file.coreMetadata !== undefined) {
      json['core-metadata'] = file.coreMetadata;
      json['dist-info-metadata'] = file.coreMetadata;
    }
    if (file.uploadTime !== undefined) json['upload-time'] = file.uploadTime;
    if (file.provenance !== undefined) json.provenance = file.provenance;
    files[i] = json;
  }
  const meta: { 'api-version': string; tracks?: string[] } = { 'api-version': SIMPLE_API_VERSION };
  if (page.tracks !== undefined) meta.tracks = page.tracks;
  const doc: Record<string, unknown> = { meta, name: page.name, versions: page.versions, files };
  if (page.alternateLocations !== undefined) doc['alternate-locations'] = page.alternateLocations;
  if (page.projectStatus !== undefined) doc['project-status'] = page.projectStatus;
  return JSON.stringify(doc);
}

/** PEP 503 root page: one link per project, to its normalized name. */
export function renderIndexHtml(projects: Array<{ name: string }>): string {
  let out = '<!DOCTYPE html>\n<html>\n  <head>\n' + meta('pypi:repository-version', SIMPLE_API_VERSION);
  out += '    <title>Simple index</title>\n  </head>\n  <body>\n';
  for (const project of projects) {
    out += '    <a href="' + escapeAttribute(normalizeName(project.name)) + '/">' + escapeText(project.name) + '</a>\n';
  }
  return out + '  </body>\n</html>\n';
}

/** PEP 691 root page. */
export function renderIndexJson(projects: Array<{ name: string }>): string {
  const list = new Array<{ name: string }>(projects.length);
  for (let i = 0; i < projects.length; i++) list[i] = { name: (projects[i] as { name: string }).name };
  return JSON.stringify({ meta: { 'api-version': SIMPLE_API_VERSION }, projects: list });
}

// ---------------------------------------------------------------------------------------------------------------
// Content negotiation (PEP 691)

export type SimpleContentType = typeof SIMPLE_JSON_V1 | typeof SIMPLE_HTML_V1 | 'text/html';

/**
 * What we serve, in the order that wins a tie: HTML first, so a bare wildcard and browsers get the historical
 * format. Each offer lists the media types that name it (`latest` is an alias of v1), split into type and subtype.
 */
const OFFERS: ReadonlyArray<{ type: SimpleContentType; names: ReadonlyArray<readonly [string, string]> }> = [
  { type: 'text/html', names: [['text', 'html']] },
  {
    type: SIMPLE_HTML_V1,
    names: [
      ['application', 'vnd.pypi.simple.v1+html'],
      ['application', 'vnd.pypi.simple.latest+html'],
    ],
  },
  {
    type: SIMPLE_JSON_V1,
    names: [
      ['application', 'vnd.pypi.simple.v1+json'],
      ['application', 'vnd.pypi.simple.latest+json'],
    ],
  },
];

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(accept: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const item of accept.split(',')) {
    const [range = '', ...params] = item.split(';');
    const slash = range.indexOf('/');
    if (slash < 0) continue;
    let q = 1;
    for (const param of params) {
      const eq = param.indexOf('=');
      if (eq >= 0 && param.slice(0, eq).trim().toLowerCase() === 'q') {
        const value = Number(param.slice(eq + 1).trim());
        q = Number.isFinite(value) ? Math.min(Math.max(value, 0), 1) : 0;
      }
    }
    ranges.push({ type: range.slice(0, slash).trim().toLowerCase(), subtype: range.slice(slash + 1).trim().toLowerCase(), q });
  }
  return ranges;
}

/** RFC 9110 §12.5.1: the most specific matching range decides an offer's quality; `-1` when none matches. */
function qualityOf(offer: (typeof OFFERS)[number], ranges: MediaRange[]): number {
  let best = -1;
  let specificity = -1;
  for (const range of ranges) {
    for (const [type, subtype] of offer.names) {
      let s: number;
      if (range.type === type && range.subtype === subtype) s = 2;
      else if (range.type === type && range.subtype === '*') s = 1;
      else if (range.type === '*' && range.subtype === '*') s = 0;
      else continue;
      if (s > specificity || (s === specificity && range.q > best)) {
        specificity = s;
        best = range.q;
      }
    }
  }
  return best;
}

/**
 * Picks the representation for an `Accept` header (PEP 691): the highest quality wins, ties go to HTML. No header
 * (or an empty one) means `text/html`. `null` means nothing acceptable is offered: answer 406.
 */
export function negotiateSimpleContentType(accept: string | undefined): SimpleContentType | null {
  if (accept === undefined || accept.trim() === '') return 'text/html';
  const ranges = parseAccept(accept);
  let chosen: SimpleContentType | null = null;
  let chosenQ = 0;
  for (const offer of OFFERS) {
    const q = qualityOf(offer, ranges);
    if (q > chosenQ) {
      chosen = offer.type;
      chosenQ = q;
    }
  }
  return chosen;
}

// ---------------------------------------------------------------------------------------------------------------
// Parsing

/** PEP 629: a client must refuse a major version it does not know. */
function checkRepositoryVersion(version: string): void {
  const major = version.split('.')[0];
  if (major !== '1') throw new InvalidSimpleDocumentError(`unsupported repository version "${version}"`);
}

function parseProjectStatus(status: string, reason: string | undefined): SimpleProjectPage['projectStatus'] {
  // PEP 792: an unknown status is treated as active (the status list may grow).
  const known = PROJECT_STATUSES.has(status) ? (status as ProjectStatus) : 'active';
  return reason === undefined ? { status: known } : { status: known, reason };
}

/** PEP 658/714 attribute value: `true` or `<hashname>=<hexdigest>`. */
function parseCoreMetadataAttribute(value: string): true | Record<string, string> | undefined {
  if (value === 'true') return true;
  const eq = value.indexOf('=');
  if (eq <= 0) return undefined;
  return { [value.slice(0, eq)]: value.slice(eq + 1) };
}

function versionsOf(name: string, files: SimpleFile[]): string[] {
  const versions = new Set<string>();
  for (const file of files) {
    try {
      versions.add(parseDistFilename(file.filename, name).version);
    } catch {
      // Files whose names do not parse (signatures, odd archives) carry no version.
    }
  }
  return [...versions];
}

function nameFromBaseUrl(baseUrl: string): string {
  const segments = new URL(baseUrl).pathname.split('/').filter((s) => s !== '');
  const last = segments[segments.length - 1] ?? '';
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

const NAMED_ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes the character references that appear in index pages (named basics and numeric). */
function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
    }
    return NAMED_ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

const ATTRIBUTE = /([^\s"'<>\/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;

function parseAttributes(source: string): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const match of source.matchAll(ATTRIBUTE)) {
    const name = (match[1] ?? '').toLowerCase();
    // HTML: the first occurrence of an attribute wins.
    if (!attributes.has(name)) attributes.set(name, decodeEntities(match[2] ?? match[3] ?? match[4] ?? ''));
  }
  return attributes;
}

/** Tags the parser cares about; comments are matched so that links inside them are skipped. */
const TAG = /<!--[\s\S]*?-->|<(a|meta|base|title)(\s(?:[^>"']|"[^"]*"|'[^']*')*)?>|<\/a\s*>|<\/title\s*>/gi;

/**
 * Reads an upstream's PEP 503 project page. Relative links resolve against `<base href>` when present, else
 * `baseUrl`; the hash fragment becomes `hashes`. PEP 503 pages carry neither sizes (0) nor versions (derived
 * from the file names).
 */
export function parseProjectHtml(html: string, baseUrl: string): SimpleProjectPage {
  let base = baseUrl;
  let baseSet = false;
  let title: string | undefined;
  const files: SimpleFile[] = [];
  const meta = new Map<string, string[]>();
  let openAnchor: { attributes: Map<string, string>; textStart: number } | null = null;
  let titleStart = -1;
  const closeAnchor = (textEnd: number): void => {
    if (openAnchor === null) return;
    const text = decodeEntities(html.slice(openAnchor.textStart, textEnd).replace(/<[^>]*>/g, '')).trim();
    const file = fileFromAnchor(openAnchor.attributes, text, base);
    if (file !== null) files.push(file);
    openAnchor = null;
  };
  for (const match of html.matchAll(TAG)) {
    const whole = match[0];
    const tag = match[1]?.toLowerCase();
    const start = match.index ?? 0;
    if (whole.startsWith('<!--')) continue;
    if (tag === undefined) {
      if (whole[2] === 'a' || whole[2] === 'A') closeAnchor(start);
      else if (titleStart >= 0) {
        title = decodeEntities(html.slice(titleStart, start)).trim();
        titleStart = -1;
      }
      continue;
    }
    const attributes = parseAttributes(match[2] ?? '');
    if (tag === 'a') {
      closeAnchor(start);
      openAnchor = { attributes, textStart: start + whole.length };
    } else if (tag === 'meta') {
      const name = attributes.get('name');
      const content = attributes.get('content');
      if (name !== undefined && content !== undefined) {
        const list = meta.get(name.toLowerCase());
        if (list === undefined) meta.set(name.toLowerCase(), [content]);
        else list.push(content);
      }
    } else if (tag === 'base' && !baseSet) {
      // HTML: the first <base href> is the document's base URL.
      const href = attributes.get('href');
      if (href !== undefined) {
        base = resolveUrl(href, baseUrl).href;
        baseSet = true;
      }
    } else if (tag === 'title') titleStart = start + whole.length;
  }
  closeAnchor(html.length);

  const repositoryVersion = meta.get('pypi:repository-version')?.[0];
  if (repositoryVersion !== undefined) checkRepositoryVersion(repositoryVersion);
  const name = title?.startsWith('Links for ') ? title.slice('Links for '.length).trim() : nameFromBaseUrl(baseUrl);
  const page: SimpleProjectPage = { name, versions: versionsOf(name, files), files };
  const status = meta.get('pypi:project-status')?.[0];
  if (status !== undefined) page.projectStatus = parseProjectStatus(status, meta.get('pypi:project-status-reason')?.[0]);
  const tracks = meta.get('pypi:tracks');
  if (tracks !== undefined) page.tracks = tracks;
  const alternateLocations = meta.get('pypi:alternate-locations');
  if (alternateLocations !== undefined) page.alternateLocations = alternateLocations;
  return page;
}

function resolveUrl(href: string, base: string): URL {
  try {
    return new URL(href, base);
  } catch {
    throw new InvalidSimpleDocumentError(`the link ${JSON.stringify(href)} is not a valid URL`);
  }
}

function fileFromAnchor(attributes: Map<string, string>, text: string, base: string): SimpleFile | null {
  const href = attributes.get('href');
  if (href === undefined) return null;
  const url = resolveUrl(href, base);
  const hashes: Record<string, string> = {};
  const fragment = url.hash.slice(1);
  const eq = fragment.indexOf('=');
  if (eq > 0) hashes[fragment.slice(0, eq).toLowerCase()] = fragment.slice(eq + 1);
  url.hash = '';
  const filename = text !== '' ? text : decodeURIComponent(url.pathname.slice(url.pathname.lastIndexOf('/') + 1));
  const file: SimpleFile = { filename, url: url.href, hashes, yanked: false, size: 0 };
  const requiresPython = attributes.get('data-requires-python');
  if (requiresPython !== undefined) file.requiresPython = requiresPython;
  const yanked = attributes.get('data-yanked');
  if (yanked !== undefined) file.yanked = yanked === '' ? true : yanked;
  // PEP 714: data-core-metadata wins; data-dist-info-metadata is the older name for the same thing.
  const coreMetadata = attributes.get('data-core-metadata') ?? attributes.get('data-dist-info-metadata');
  if (coreMetadata !== undefined) {
    const parsed = parseCoreMetadataAttribute(coreMetadata);
    if (parsed !== undefined) file.coreMetadata = parsed;
  }
  const provenance = attributes.get('data-provenance');
  if (provenance !== undefined) file.provenance = provenance;
  return file;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new InvalidSimpleDocumentError(`${what} must be a list of strings`);
  }
  return value;
}

function stringRecord(value: unknown, what: string): Record<string, string> {
  if (!isRecord(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new InvalidSimpleDocumentError(`${what} must map hash names to strings`);
  }
  return value as Record<string, string>;
}

function parseJsonFile(value: unknown, index: number, baseUrl: string): SimpleFile {
  const where = `files[${index}]`;
  if (!isRecord(value)) throw new InvalidSimpleDocumentError(`${where} must be an object`);
  const { filename, url, hashes } = value;
  if (typeof filename !== 'string') throw new InvalidSimpleDocumentError(`${where}.filename must be a string`);
  if (typeof url !== 'string') throw new InvalidSimpleDocumentError(`${where}.url must be a string`);
  const file: SimpleFile = {
    filename,
    url: resolveUrl(url, baseUrl).href,
    hashes: stringRecord(hashes, `${where}.hashes`),
    yanked: false,
    size: 0,
  };
  const requiresPython = value['requires-python'];
  if (typeof requiresPython === 'string') file.requiresPython = requiresPython;
  else if (requiresPython !== undefined && requiresPython !== null) {
    throw new InvalidSimpleDocumentError(`${where}.requires-python must be a string`);
  }
  const yanked = value['yanked'];
  if (typeof yanked === 'string') file.yanked = yanked === '' ? true : yanked;
  else if (typeof yanked === 'boolean') file.yanked = yanked;
  else if (yanked !== undefined) throw new InvalidSimpleDocumentError(`${where}.yanked must be a boolean or a string`);
  // PEP 714: core-metadata wins; dist-info-metadata is the older key.
  const coreMetadata = value['core-metadata'] ?? value['dist-info-metadata'];
  if (typeof coreMetadata === 'boolean') file.coreMetadata = coreMetadata;
  else if (coreMetadata !== undefined) file.coreMetadata = stringRecord(coreMetadata, `${where}.core-metadata`);
  const size = value['size'];
  if (typeof size === 'number' && Number.isInteger(size) && size >= 0) file.size = size;
  else if (size !== undefined) throw new InvalidSimpleDocumentError(`${where}.size must be a non-negative integer`);
  const uploadTime = value['upload-time'];
  if (typeof uploadTime === 'string') file.uploadTime = uploadTime;
  else if (uploadTime !== undefined && uploadTime !== null) {
    throw new InvalidSimpleDocumentError(`${where}.upload-time must be a string`);
  }
  const provenance = value['provenance'];
  if (typeof provenance === 'string') file.provenance = resolveUrl(provenance, baseUrl).href;
  else if (provenance !== undefined && provenance !== null) {
    throw new InvalidSimpleDocumentError(`${where}.provenance must be a string or null`);
  }
  return file;
}

/** Reads a PEP 691 project page; relative URLs resolve against `baseUrl`. */
export function parseProjectJson(json: string, baseUrl: string): SimpleProjectPage {
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
  const files = rawFiles.map((f, i) => parseJsonFile(f, i, baseUrl));
  const versions = doc['versions'] === undefined ? versionsOf(name, files) : stringList(doc['versions'], 'versions');
  const page: SimpleProjectPage = { name, versions, files };
  const status = doc['project-status'];
  if (status !== undefined) {
    if (!isRecord(status) || typeof status['status'] !== 'string') {
      throw new InvalidSimpleDocumentError('project-status.status must be a string');
    }
    const reason = status['reason'];
    if (reason !== undefined && typeof reason !== 'string') {
      throw new InvalidSimpleDocumentError('project-status.reason must be a string');
    }
    page.projectStatus = parseProjectStatus(status['status'], reason);
  }
  if (meta['tracks'] !== undefined) page.tracks = stringList(meta['tracks'], 'meta.tracks');
  if (doc['alternate-locations'] !== undefined) {
    page.alternateLocations = stringList(doc['alternate-locations'], 'alternate-locations');
  }
  return page;
}
