/**
 * Simple repository API documents, api-version 1.4: the page model, rendering the project list and project pages
 * in HTML (PEP 503) and JSON (PEP 691), and content negotiation, with PEP 592 (yanked), PEP 629 (repository
 * version), PEP 658/714 (core metadata), PEP 700 (versions, size, upload time), PEP 708 (tracks, alternate
 * locations), PEP 740 (provenance) and PEP 792 (project status). Reading other indexes' pages into the same model
 * lives in `simple-html.ts` and `simple-json.ts`.
 *
 * Rendering serves every project page a client asks for. It appends to one string (V8 keeps the pieces as a rope
 * until the bytes are needed), which bench/simple-render.ts measures at 1.5-2x the map-and-join renderer.
 */
import { normalizeName } from './name.js';

export const SIMPLE_API_VERSION = '1.4';
export const SIMPLE_JSON_V1 = 'application/vnd.pypi.simple.v1+json';
export const SIMPLE_HTML_V1 = 'application/vnd.pypi.simple.v1+html';

export type ProjectStatus = 'active' | 'archived' | 'quarantined' | 'deprecated';

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
  /** PEP 700 size in bytes; 0 when the source (a PEP 503 HTML page) does not give it: 0 means unknown. */
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
