/**
 * The client of one upstream index (PEP 691 JSON or PEP 503 HTML: PyPI, devpi, Artifactory, Nexus, a static tree
 * served over HTTP): its project pages, upload times from its JSON API, and its files.
 *
 * Pages are asked for as JSON first and HTML after (PEP 691's own example header); either is read into one model
 * (`SimpleProjectPage`, src/pep/simple.ts). Concurrent requests for the same page share one upstream request.
 * What the server does with the results (caching, policy, rewriting URLs) is not done here.
 */
import { InvalidSimpleDocumentError } from '../pep/errors.js';
import { normalizeName, parseName } from '../pep/name.js';
import { parseIndexHtml, parseProjectHtml } from '../pep/simple-html.js';
import { parseIndexJson, parseProjectJson } from '../pep/simple-json.js';
import type { PageIssue } from '../pep/simple-reading.js';
import type { SimpleFile, SimpleProjectPage } from '../pep/simple.js';
import { ACCEPT_ENCODING, BodyTooLargeError, CorruptEncodingError, UnsupportedEncodingError, readDocumentBody } from './body.js';
import type { CircuitHealth } from './circuit-breaker.js';
import { fetchCoreMetadata, fetchProvenance, type CompanionFile } from './companion.js';
import { UpstreamError, UpstreamPageError, UpstreamRefusedError } from './errors.js';
import { emit, type RequestKind, type UpstreamEvents } from './events.js';
import { fetchListedFile, type ListedFile, type UpstreamFile } from './file.js';
import { InvalidJsonApiDocumentError, missingUploadTimes, readUploadTimes, withUploadTimes, type UploadTime } from './pypi-json.js';
import { SingleFlight } from './single-flight.js';
import { UpstreamTransport, type TransportOptions, type UpstreamResponse } from './transport.js';
import { Upstream, type UpstreamDefinition } from './upstream.js';

/** PEP 691's header for a client that prefers JSON and accepts both HTML forms. */
export const PAGE_ACCEPT = 'application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01';

const JSON_TYPES: ReadonlySet<string> = new Set(['application/vnd.pypi.simple.v1+json', 'application/vnd.pypi.simple.latest+json', 'application/json']);
const HTML_TYPES: ReadonlySet<string> = new Set(['text/html', 'application/vnd.pypi.simple.v1+html', 'application/vnd.pypi.simple.latest+html', 'application/xhtml+xml']);

export interface UpstreamClientOptions extends TransportOptions {
  /** The largest page or JSON API document, as sent and as decompressed; default 64 MiB. */
  maxPageBytes?: number;
  /** The largest file read when neither its page nor its Content-Length gives a size (and the cap on both); default 4 GiB. */
  maxFileBytes?: number;
}

/** The validators of a cached page, sent back as If-None-Match and If-Modified-Since. */
export interface PageValidators {
  etag?: string;
  lastModified?: string;
}

/** What a page reader left out: how many, and the first few, for one log line. */
export interface PageIssues {
  count: number;
  first: PageIssue[];
}

export interface UploadTimeFill {
  /** Files still without an upload time. */
  missing: number;
  /** Files that got theirs from the JSON API. */
  filled: number;
  /** Why the JSON API could not be read, when it was asked and failed; the page is served without the times. */
  error?: string;
}

export type ProjectPageResult =
  | {
      status: 'ok';
      page: SimpleProjectPage;
      format: 'json' | 'html';
      /** The URL that answered, after redirects (no credentials). */
      url: string;
      etag?: string;
      lastModified?: string;
      issues: PageIssues;
      uploadTimes: UploadTimeFill;
    }
  | { status: 'not-modified'; etag?: string; lastModified?: string }
  | { status: 'not-found' };

export interface UpstreamHealth extends CircuitHealth {
  name: string;
  url: string;
}

const ISSUES_KEPT = 20;
/** PyPI's root page lists over 600,000 projects. */
const MAX_PROJECT_LIST_BYTES = 512 * 1024 * 1024;

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function mediaType(contentType: string | undefined): { type: string; charset: string | undefined } {
  const [type = '', ...params] = (contentType ?? '').split(';');
  let charset: string | undefined;
  for (const param of params) {
    const eq = param.indexOf('=');
    if (eq > 0 && param.slice(0, eq).trim().toLowerCase() === 'charset') charset = param.slice(eq + 1).trim().replace(/^"|"$/g, '');
  }
  return { type: type.trim().toLowerCase(), charset };
}

function decodeText(bytes: Buffer, charset: string | undefined): string {
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(bytes);
  } catch {
    // An unknown charset label: UTF-8, as pip assumes.
    return new TextDecoder('utf-8').decode(bytes);
  }
}

export class UpstreamClient {
  readonly upstream: Upstream;
  private readonly transport: UpstreamTransport;
  private readonly events: UpstreamEvents;
  private readonly maxPageBytes: number;
  private readonly maxFileBytes: number;
  private readonly pages = new SingleFlight<string, ProjectPageResult>();

  constructor(upstream: Upstream | UpstreamDefinition, options: UpstreamClientOptions = {}) {
    this.upstream = upstream instanceof Upstream ? upstream : new Upstream(upstream);
    this.events = options.events ?? {};
    this.transport = new UpstreamTransport(this.upstream, options);
    this.maxPageBytes = options.maxPageBytes ?? 64 * 1024 * 1024;
    this.maxFileBytes = options.maxFileBytes ?? 4 * 1024 * 1024 * 1024;
  }

  get name(): string {
    return this.upstream.name;
  }

  /**
   * A project's page: `ok` with the page read into the model, `not-modified` when `validators` still hold, or
   * `not-found` (404/410). Throws InvalidNameError for a name that is not a project name, UpstreamUnavailableError
   * (502/504) when the upstream cannot be reached or fails, UpstreamRefusedError for 401/403 and other refusals,
   * UpstreamPageError for an answer that is not a project page, UpstreamHostRefusedError for a redirect off the
   * index's host. When the page lacks upload times and the upstream has a JSON API, they are filled from it.
   */
  async fetchProjectPage(project: string, validators: PageValidators = {}): Promise<ProjectPageResult> {
    const name = parseName(project);
    const key = `${name}\n${validators.etag ?? ''}\n${validators.lastModified ?? ''}`;
    return this.pages.run(key, () => this.loadProjectPage(name, validators));
  }

  /**
   * Upload times per file name from the upstream's JSON API (`<api>/<project>/json`); null when it has no JSON
   * API or does not know the project.
   */
  async fetchUploadTimes(project: string): Promise<Map<string, UploadTime> | null> {
    const api = this.upstream.jsonApiUrl;
    if (api === null) return null;
    const name = parseName(project);
    const url = new URL(`${encodeURIComponent(name)}/json`, api);
    return this.transport.exchange(
      { url, kind: 'pypi-json', headers: { accept: 'application/json', 'accept-encoding': ACCEPT_ENCODING }, redirect: sameHost },
      async (response) => {
        if (response.status === 404 || response.status === 410) {
          await response.body.dump();
          return null;
        }
        if (response.status !== 200) throw await this.refusal(response, 'the JSON API');
        const text = decodeText(await this.readDocument(response, 'pypi-json'), 'utf-8');
        try {
          return readUploadTimes(text);
        } catch (error) {
          if (error instanceof InvalidJsonApiDocumentError) throw new UpstreamPageError(this.transport, `${this.transport.redactor.url(response.url)}: ${error.message}`);
          throw error;
        }
      },
    );
  }

  /**
   * Starts fetching a file its page lists; resolves once the upstream answered with the file, to a stream that is
   * verified as it flows (see UpstreamFile). Throws UpstreamHostRefusedError for a URL or redirect off the allowed
   * hosts, UpstreamUnverifiableFileError when no listed hash can be checked, UpstreamFileNotFoundError,
   * UpstreamIntegrityError for a size that disagrees before any byte, and UpstreamUnavailableError.
   */
  fetchFile(file: ListedFile, options: { signal?: AbortSignal } = {}): Promise<UpstreamFile> {
    return fetchListedFile(this.transport, this.events, file, { maxBytes: this.maxFileBytes, ...options });
  }

  /**
   * A file's PEP 658 core metadata when its page lists one (null otherwise, or on 404), checked against the listed
   * hash; `verified` is false when the page lists none (`data-core-metadata="true"`).
   */
  fetchCoreMetadata(file: SimpleFile): Promise<CompanionFile | null> {
    return fetchCoreMetadata(this.transport, this.events, file);
  }

  /** A file's PEP 740 provenance object when its page gives a URL for one (null otherwise, or on 404). */
  fetchProvenance(file: SimpleFile): Promise<CompanionFile | null> {
    return fetchProvenance(this.transport, this.events, file);
  }

  /**
   * Every project name the upstream lists on its root page (`/simple/`), for checking hosted and reserved names
   * against it without ever asking for those names. PyPI's list is tens of MB: it has a bound of its own.
   */
  async fetchProjectList(): Promise<string[]> {
    const url = this.upstream.indexUrl;
    return this.transport.exchange({ url, kind: 'page', headers: { accept: PAGE_ACCEPT, 'accept-encoding': ACCEPT_ENCODING }, redirect: sameHost }, async (response) => {
      if (response.status !== 200) throw await this.refusal(response, 'the project list');
      const { type, charset } = mediaType(headerValue(response.headers['content-type']));
      const json = JSON_TYPES.has(type);
      if (!json && !HTML_TYPES.has(type)) {
        await response.body.dump();
        throw new UpstreamPageError(this.transport, `the project list answered with content type ${JSON.stringify(type)}`);
      }
      const text = decodeText(await this.readDocument(response, 'page', MAX_PROJECT_LIST_BYTES), json ? 'utf-8' : charset);
      try {
        return json ? parseIndexJson(text) : parseIndexHtml(text);
      } catch (error) {
        if (error instanceof InvalidSimpleDocumentError) throw new UpstreamPageError(this.transport, `the project list: ${error.message}`);
        throw error;
      }
    });
  }

  health(): UpstreamHealth {
    return { name: this.name, url: this.upstream.indexUrl.href, ...this.transport.health() };
  }

  async close(): Promise<void> {
    await this.transport.close();
  }

  private async loadProjectPage(name: string, validators: PageValidators): Promise<ProjectPageResult> {
    const headers: Record<string, string> = { accept: PAGE_ACCEPT, 'accept-encoding': ACCEPT_ENCODING };
    if (validators.etag !== undefined) headers['if-none-match'] = validators.etag;
    if (validators.lastModified !== undefined) headers['if-modified-since'] = validators.lastModified;
    const url = new URL(`${encodeURIComponent(name)}/`, this.upstream.indexUrl);
    const result = await this.transport.exchange({ url, kind: 'page', headers, redirect: sameHost }, (response) => this.readPage(name, response, validators));
    if (result.status !== 'ok' || result.uploadTimes.missing === 0 || this.upstream.jsonApiUrl === null) return result;
    try {
      const times = await this.fetchUploadTimes(name);
      if (times === null) return result;
      const filled = withUploadTimes(result.page, times);
      return { ...result, page: filled.page, uploadTimes: { missing: result.uploadTimes.missing - filled.filled, filled: filled.filled } };
    } catch (error) {
      if (!(error instanceof UpstreamError)) throw error;
      return { ...result, uploadTimes: { ...result.uploadTimes, error: error.message } };
    }
  }

  private async readPage(name: string, response: UpstreamResponse, validators: PageValidators): Promise<ProjectPageResult> {
    const redactor = this.transport.redactor;
    const where = redactor.url(response.url);
    const etag = headerValue(response.headers['etag']);
    const lastModified = headerValue(response.headers['last-modified']);
    const withValidators = <T extends object>(result: T): T & PageValidators => {
      const out: T & PageValidators = { ...result };
      if (etag !== undefined) out.etag = etag;
      if (lastModified !== undefined) out.lastModified = lastModified;
      return out;
    };
    if (response.status === 304) {
      await response.body.dump();
      if (validators.etag === undefined && validators.lastModified === undefined) {
        throw new UpstreamPageError(this.transport, `${where} answered 304 Not Modified to a request that had nothing to compare`);
      }
      return withValidators({ status: 'not-modified' as const });
    }
    if (response.status === 404 || response.status === 410) {
      await response.body.dump();
      return { status: 'not-found' };
    }
    if (response.status !== 200) throw await this.refusal(response, `the page of ${name}`);

    const { type, charset } = mediaType(headerValue(response.headers['content-type']));
    const format = JSON_TYPES.has(type) ? 'json' : HTML_TYPES.has(type) ? 'html' : null;
    if (format === null) {
      await response.body.dump();
      throw new UpstreamPageError(this.transport, `${where} answered with content type ${JSON.stringify(type)}, which is neither a Simple API JSON nor an HTML page`);
    }
    const text = decodeText(await this.readDocument(response, 'page'), format === 'json' ? 'utf-8' : charset);
    const issues: PageIssues = { count: 0, first: [] };
    const onIssue = (issue: PageIssue): void => {
      const redacted: PageIssue = { ...issue, link: redactor.text(issue.link), reason: redactor.text(issue.reason) };
      issues.count++;
      if (issues.first.length < ISSUES_KEPT) issues.first.push(redacted);
      emit(this.events.onPageIssue, { upstream: this.name, project: name, issue: redacted });
    };
    let page: SimpleProjectPage;
    try {
      page = format === 'json' ? parseProjectJson(text, response.url.href, { onIssue }) : parseProjectHtml(text, response.url.href, { onIssue });
    } catch (error) {
      if (error instanceof InvalidSimpleDocumentError) throw new UpstreamPageError(this.transport, `${where}: ${redactor.text(error.message)}`);
      throw error;
    }
    // PEP 691 names the project; a page about another one is not this project's, whatever redirect led there.
    if (format === 'json' && normalizeName(page.name) !== name) {
      throw new UpstreamPageError(this.transport, `${where} is the page of ${JSON.stringify(page.name)}, not of ${name}`);
    }
    const missing = missingUploadTimes(page);
    return withValidators({ status: 'ok' as const, page, format, url: where, issues, uploadTimes: { missing, filled: 0 } });
  }

  /** A document body, bounded; what goes wrong reading it becomes an UpstreamPageError, except network failures. */
  private async readDocument(response: UpstreamResponse, kind: RequestKind, maxBytes = this.maxPageBytes): Promise<Buffer> {
    const where = this.transport.redactor.url(response.url);
    try {
      return await readDocumentBody(response.body, headerValue(response.headers['content-encoding']), maxBytes, (bytes) =>
        emit(this.events.onBytes, { upstream: this.name, kind, bytes }),
      );
    } catch (error) {
      if (error instanceof BodyTooLargeError) throw new UpstreamPageError(this.transport, `${where} is ${error.message}`);
      if (error instanceof UnsupportedEncodingError || error instanceof CorruptEncodingError) {
        throw new UpstreamPageError(this.transport, `${where}: ${error.message}`);
      }
      throw error;
    }
  }

  private async refusal(response: UpstreamResponse, what: string): Promise<UpstreamRefusedError | UpstreamPageError> {
    await response.body.dump();
    const where = this.transport.redactor.url(response.url);
    const status = `${response.status} ${response.statusText}`.trim();
    if (response.status === 401 || response.status === 403) {
      return new UpstreamRefusedError(this.transport, response.status, `${what}: ${where} answered ${status}; check the upstream's credentials`);
    }
    if (response.status >= 400) return new UpstreamRefusedError(this.transport, response.status, `${what}: ${where} answered ${status}`);
    return new UpstreamPageError(this.transport, `${what}: ${where} answered ${status}, not 200`);
  }
}

/** Pages and JSON API documents may redirect within their host (PyPI redirects names to their normal form). */
function sameHost(from: URL, to: URL): string | null {
  return from.host === to.host ? null : `a page may redirect only within ${from.host}`;
}
