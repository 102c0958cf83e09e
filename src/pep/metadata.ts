/**
 * Core metadata (the METADATA file of a wheel, the PKG-INFO file of an sdist), versions 1.0 to 2.5: the core
 * metadata specification on packaging.python.org (PEP 241, 314, 345, 566, 643, 685, 639, 794).
 *
 * The format is RFC 822 email headers. Reading follows Python's `email.parser` with the `compat32` policy, which is
 * what `packaging.metadata.parse_email` and PyPI use: a header value keeps its continuation lines (with their line
 * breaks and indentation), the headers end at the first empty line or at the first line that is not a header, and
 * the message body is the Description.
 */
import { InvalidMetadataError, InvalidRequirementError, InvalidSpecifierError } from './errors.js';
import { isValidName } from './name.js';
import { parseRequirement } from './requirement.js';
import { SpecifierSet } from './specifier.js';
import { Version } from './version.js';

export interface ProjectUrl {
  label: string;
  url: string;
}

export interface CoreMetadata {
  metadataVersion: string;
  name: string;
  version: string;
  summary?: string;
  description?: string;
  descriptionContentType?: string;
  keywords?: string[];
  homePage?: string;
  downloadUrl?: string;
  author?: string;
  authorEmail?: string;
  maintainer?: string;
  maintainerEmail?: string;
  license?: string;
  licenseExpression?: string;
  licenseFiles: string[];
  classifiers: string[];
  requiresDist: string[];
  requiresPython?: string;
  requiresExternal: string[];
  projectUrls: ProjectUrl[];
  providesExtra: string[];
  providesDist: string[];
  obsoletesDist: string[];
  platforms: string[];
  supportedPlatforms: string[];
  dynamic: string[];
  /** Every field as found, keyed by its lower-cased name; a body Description is listed under `description`. */
  raw: Map<string, string[]>;
}

/** The metadata versions the spec defines (there never was a 2.0 in the spec; 2.5 adds Import-Name). */
export const METADATA_VERSIONS = ['1.0', '1.1', '1.2', '2.1', '2.2', '2.3', '2.4', '2.5'] as const;

/**
 * Each known field, keyed by its lower-cased name: its spelling in the spec, the metadata version that introduced
 * it, and whether it may repeat.
 */
const FIELDS: ReadonlyMap<string, { title: string; added: string; multiple: boolean }> = new Map(
  (
    [
      ['Metadata-Version', '1.0', false],
      ['Name', '1.0', false],
      ['Version', '1.0', false],
      ['Platform', '1.0', true],
      ['Summary', '1.0', false],
      ['Description', '1.0', false],
      ['Keywords', '1.0', false],
      ['Home-page', '1.0', false],
      ['Author', '1.0', false],
      ['Author-email', '1.0', false],
      ['License', '1.0', false],
      ['Supported-Platform', '1.1', true],
      ['Download-URL', '1.1', false],
      ['Classifier', '1.1', true],
      ['Requires', '1.1', true],
      ['Provides', '1.1', true],
      ['Obsoletes', '1.1', true],
      ['Maintainer', '1.2', false],
      ['Maintainer-email', '1.2', false],
      ['Requires-Dist', '1.2', true],
      ['Requires-Python', '1.2', false],
      ['Requires-External', '1.2', true],
      ['Project-URL', '1.2', true],
      ['Provides-Dist', '1.2', true],
      ['Obsoletes-Dist', '1.2', true],
      ['Description-Content-Type', '2.1', false],
      ['Provides-Extra', '2.1', true],
      ['Dynamic', '2.2', true],
      ['License-Expression', '2.4', false],
      ['License-File', '2.4', true],
      ['Import-Name', '2.5', true],
      ['Import-Namespace', '2.5', true],
    ] as const
  ).map(([title, added, multiple]) => [title.toLowerCase(), { title, added, multiple }]),
);

/** A header line per `email.feedparser.headerRE`: a name of printable ASCII without `:` or space, or a continuation. */
const HEADER_LINE = /^(?:From |[\x21-\x39\x3b-\x7e]*:|[\t ])/;

interface RawMessage {
  headers: Map<string, string[]>;
  body: string;
}

function splitMessage(text: string): RawMessage {
  const headers = new Map<string, string[]>();
  // Lines keep their own line endings, as the feedparser does: a folded value keeps its inner line breaks.
  const lines = text.match(/[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$/g) ?? [];
  let current: { name: string; parts: string[] } | null = null;
  const flush = (): void => {
    if (current === null) return;
    const value = current.parts.join('').replace(/[\r\n]+$/, '');
    const key = current.name.toLowerCase();
    const list = headers.get(key);
    if (list === undefined) headers.set(key, [value]);
    else list.push(value);
    current = null;
  };
  // The header block: up to an empty line (dropped) or a line that is not a header (the body's first line).
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '\n' || line === '\r' || line === '\r\n') {
      i++;
      break;
    }
    if (!HEADER_LINE.test(line)) break;
  }
  const headerLines = lines.slice(0, i).filter((line) => line !== '\n' && line !== '\r' && line !== '\r\n');
  let bodyStart = '';
  headerLines.forEach((line, n) => {
    if (line[0] === ' ' || line[0] === '\t') {
      current?.parts.push(line);
      return;
    }
    flush();
    if (line.startsWith('From ')) {
      // A Unix envelope line: skipped first or in the middle; last, the email parser takes it as the body's start.
      if (n > 0 && n === headerLines.length - 1) bodyStart = line;
      return;
    }
    const colon = line.indexOf(':');
    if (colon === 0) return; // a header without a name: the email parser records a defect and skips it
    current = { name: line.slice(0, colon), parts: [line.slice(colon + 1).replace(/^[ \t]+/, '')] };
  });
  flush();
  return { headers, body: bodyStart + lines.slice(i).join('') };
}

/** Finds the field whose bytes are not UTF-8, so the error can name it. */
function undecodableField(bytes: Uint8Array): string {
  const strict = new TextDecoder('utf-8', { fatal: true });
  let field = 'Description';
  let inHeaders = true;
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end < 0) end = bytes.length;
    const line = bytes.subarray(start, end);
    if (inHeaders) {
      const asciiStart = String.fromCharCode(...line.subarray(0, Math.min(line.length, 80)));
      if (line.length === 0 || (line.length === 1 && line[0] === 0x0d)) inHeaders = false;
      else if (asciiStart[0] !== ' ' && asciiStart[0] !== '\t' && asciiStart.includes(':')) {
        field = asciiStart.slice(0, asciiStart.indexOf(':'));
      }
    }
    try {
      strict.decode(line);
    } catch {
      return inHeaders ? field : 'Description';
    }
    start = end + 1;
  }
  return field;
}

function decode(input: string | Uint8Array): string {
  if (typeof input === 'string') return input;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch {
    throw new InvalidMetadataError(undecodableField(input), 'is not valid UTF-8');
  }
}

/** The spec's spelling of a field name, for messages. */
function fieldTitle(key: string): string {
  return FIELDS.get(key)?.title ?? key;
}

/** Whether `name` (any case) is a field of the core metadata specification (`Project-URL`, `license-expression`). */
export function isCoreMetadataField(name: string): boolean {
  return FIELDS.has(name.toLowerCase());
}

/**
 * Reads METADATA / PKG-INFO text. Missing required fields come back as empty strings (validateCoreMetadata reports
 * them); a single-use field given twice, a Description given both as a header and as the body, or bytes that are
 * not UTF-8 throw InvalidMetadataError naming the field, because which value is meant cannot be known.
 */
export function parseCoreMetadata(text: string | Uint8Array): CoreMetadata {
  const { headers: raw, body } = splitMessage(decode(text));
  for (const [key, values] of raw) {
    if (values.length > 1 && FIELDS.get(key)?.multiple === false) {
      throw new InvalidMetadataError(fieldTitle(key), `appears ${values.length} times; it may appear only once`);
    }
  }
  if (body.length > 0) {
    if (raw.has('description')) {
      throw new InvalidMetadataError('Description', 'is given both as a header and as the message body');
    }
    raw.set('description', [body]);
  }
  const one = (key: string): string | undefined => raw.get(key)?.[0];
  const all = (key: string): string[] => raw.get(key) ?? [];
  const keywords = one('keywords');
  return {
    metadataVersion: one('metadata-version') ?? '',
    name: one('name') ?? '',
    version: one('version') ?? '',
    summary: one('summary'),
    description: one('description'),
    descriptionContentType: one('description-content-type'),
    // Keywords is one comma-separated field (the spec; setuptools writes ", ".join(keywords)).
    keywords: keywords === undefined ? undefined : keywords.split(',').map((k) => k.trim()).filter((k) => k !== ''),
    homePage: one('home-page'),
    downloadUrl: one('download-url'),
    author: one('author'),
    authorEmail: one('author-email'),
    maintainer: one('maintainer'),
    maintainerEmail: one('maintainer-email'),
    license: one('license'),
    licenseExpression: one('license-expression'),
    licenseFiles: all('license-file'),
    classifiers: all('classifier'),
    requiresDist: all('requires-dist'),
    requiresPython: one('requires-python'),
    requiresExternal: all('requires-external'),
    projectUrls: all('project-url').map(parseProjectUrl),
    providesExtra: all('provides-extra'),
    providesDist: all('provides-dist'),
    obsoletesDist: all('obsoletes-dist'),
    platforms: all('platform'),
    supportedPlatforms: all('supported-platform'),
    dynamic: all('dynamic'),
    raw,
  };
}

/** `Project-URL: label, url` (core metadata 1.2). Without a comma the URL is empty, which validation reports. */
function parseProjectUrl(value: string): ProjectUrl {
  const comma = value.indexOf(',');
  if (comma < 0) return { label: value.trim(), url: '' };
  return { label: value.slice(0, comma).trim(), url: value.slice(comma + 1).trim() };
}

function versionIndex(metadataVersion: string): number {
  return (METADATA_VERSIONS as readonly string[]).indexOf(metadataVersion);
}

const DESCRIPTION_CONTENT_TYPES = new Set(['text/plain', 'text/x-rst', 'text/markdown']);
const MARKDOWN_VARIANTS = new Set(['GFM', 'CommonMark']);

/** Description-Content-Type (core metadata 2.1): a MIME type with optional `charset` and `variant` parameters. */
function descriptionContentTypeProblem(value: string): string | null {
  const [type = '', ...params] = value.split(';');
  const contentType = type.trim().toLowerCase();
  if (!DESCRIPTION_CONTENT_TYPES.has(contentType)) {
    return `Description-Content-Type must be one of text/plain, text/x-rst, text/markdown, not "${value}"`;
  }
  const parameters = new Map<string, string>();
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq < 0) continue;
    parameters.set(param.slice(0, eq).trim().toLowerCase(), param.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  const charset = parameters.get('charset') ?? 'UTF-8';
  if (charset !== 'UTF-8') return `Description-Content-Type can only specify the UTF-8 charset, not "${charset}"`;
  const variant = parameters.get('variant') ?? 'GFM';
  if (contentType === 'text/markdown' && !MARKDOWN_VARIANTS.has(variant)) {
    return `Markdown variants for Description-Content-Type are GFM and CommonMark, not "${variant}"`;
  }
  return null;
}

function licenseFileProblem(path: string): string | null {
  if (path.includes('..')) return `License-File "${path}" must not use parent directory indicators`;
  if (path.includes('*')) return `License-File "${path}" must be a resolved path, not a glob`;
  if (path.startsWith('/') || path.startsWith('\\') || /^[A-Za-z]:/.test(path)) {
    return `License-File "${path}" must be a relative path`;
  }
  if (path.includes('\\')) return `License-File "${path}" must use "/" as the delimiter`;
  return null;
}

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** One reason to refuse the metadata, and the field (lower-cased header name) it is about. */
export interface MetadataProblem {
  field: string;
  message: string;
}

/**
 * The problems PyPI would refuse an upload for, each with its field: required fields, name, version (local
 * versions cannot be uploaded), Metadata-Version, fields newer than the declared metadata version, Dynamic,
 * Summary, Description-Content-Type, Project-URL, Home-page/Download-URL, License-File paths, Provides-Extra,
 * Requires-Dist (PEP 508) and Requires-Python (PEP 440). The SPDX content of License-Expression is not checked
 * here: that needs the SPDX license list.
 */
export function findMetadataProblems(md: CoreMetadata): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  const problem = (field: string, message: string): void => {
    problems.push({ field, message });
  };
  const mdIndex = versionIndex(md.metadataVersion);
  if (md.metadataVersion === '') problem('metadata-version', 'Metadata-Version is a required field');
  else if (mdIndex < 0) {
    problem(
      'metadata-version',
      `"${md.metadataVersion}" is not a valid Metadata-Version (one of ${METADATA_VERSIONS.join(', ')})`,
    );
  }
  if (md.name === '') problem('name', 'Name is a required field');
  else if (!isValidName(md.name)) problem('name', `"${md.name}" is not a valid project name`);
  if (md.version === '') problem('version', 'Version is a required field');
  else {
    const version = Version.tryParse(md.version);
    if (version === null) problem('version', `"${md.version}" is not a valid PEP 440 version`);
    else if (version.local !== null) problem('version', `"${md.version}": local versions cannot be uploaded`);
  }
  if (mdIndex >= 0) {
    for (const key of md.raw.keys()) {
      const field = FIELDS.get(key);
      // setuptools wrote License-File under 2.1 and 2.2 for years and twine drops it below 2.4 instead of
      // refusing (pypa/setuptools#4759): refusing it would refuse a large share of real wheels.
      if (field === undefined || key === 'license-file') continue;
      if (versionIndex(field.added) > mdIndex) {
        problem(key, `${fieldTitle(key)} was introduced in metadata version ${field.added}, not ${md.metadataVersion}`);
      }
    }
  }
  for (const dynamic of md.dynamic) {
    const key = dynamic.toLowerCase();
    if (key === 'name' || key === 'version' || key === 'metadata-version') {
      problem('dynamic', `${dynamic} is not allowed as a Dynamic field`);
    } else if (!FIELDS.has(key)) problem('dynamic', `${dynamic} is not a valid Dynamic field`);
  }
  if (md.summary !== undefined && md.summary.includes('\n')) problem('summary', 'Summary must be a single line');
  if (md.summary !== undefined && md.summary.length > 512) problem('summary', 'Summary must be at most 512 characters');
  if (md.descriptionContentType !== undefined) {
    const message = descriptionContentTypeProblem(md.descriptionContentType);
    if (message !== null) problem('description-content-type', message);
  }
  const labels = new Set<string>();
  for (const { label, url } of md.projectUrls) {
    if (label === '') problem('project-url', `Project-URL "${url}" has no label`);
    if (label.length > 32) problem('project-url', `Project-URL label "${label}" is longer than 32 characters`);
    if (labels.has(label)) problem('project-url', `Project-URL label "${label}" is used more than once`);
    labels.add(label);
    if (!isHttpUrl(url)) problem('project-url', `Project-URL "${label}" has no valid http(s) URL: "${url}"`);
  }
  for (const [field, value] of [
    ['home-page', md.homePage],
    ['download-url', md.downloadUrl],
  ] as const) {
    if (value !== undefined && value !== '' && !isHttpUrl(value)) {
      problem(field, `${fieldTitle(field)} "${value}" is not a valid http(s) URL`);
    }
  }
  for (const path of md.licenseFiles) {
    const message = licenseFileProblem(path);
    if (message !== null) problem('license-file', message);
  }
  for (const extra of md.providesExtra) {
    if (!isValidName(extra)) problem('provides-extra', `Provides-Extra "${extra}" is not a valid extra name`);
  }
  for (const requirement of md.requiresDist) {
    try {
      parseRequirement(requirement);
    } catch (error) {
      if (!(error instanceof InvalidRequirementError)) throw error;
      problem('requires-dist', `Requires-Dist "${requirement}" is not a valid PEP 508 requirement: ${error.message}`);
    }
  }
  if (md.requiresPython !== undefined) {
    try {
      SpecifierSet.parse(md.requiresPython);
    } catch (error) {
      if (!(error instanceof InvalidSpecifierError)) throw error;
      problem('requires-python', `Requires-Python "${md.requiresPython}" is not a valid version specifier`);
    }
  }
  return problems;
}

/** The messages of findMetadataProblems: an empty list means PyPI would accept the metadata. */
export function validateCoreMetadata(md: CoreMetadata): string[] {
  return findMetadataProblems(md).map((p) => p.message);
}
