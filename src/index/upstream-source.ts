/**
 * One upstream index as a source of projects, with the page cache in front of it.
 *
 * A page is served from the cache while it is fresh (`pageTtl` seconds since the upstream last confirmed it, or
 * `negativeTtl` for "no such project"), then revalidated with its ETag / Last-Modified: a 304 makes it fresh again.
 * The cache lives in the database, so it survives restarts, with the pages in use also kept in memory so a warm
 * page costs no query. When the upstream fails, a cached page is served stale (say so with `Age` and
 * `X-Cache-Status: STALE`); with nothing cached, the failure is the answer (502/504, naming the upstream). Offline,
 * only the cache answers. Concurrent requests for one page make one upstream request.
 */
import type { SimpleProjectPage } from '../pep/simple.js';
import type { CachedFileStore, UpstreamPageStore } from '../store/proxy-cache.js';
import type { CachedPage } from '../store/proxy-cache.js';
import { SingleFlight, UpstreamError, type UpstreamClient } from '../upstream/index.js';
import { OfflineError } from './errors.js';
import { NOT_FOUND, type CacheStatus, type ProjectSource, type SourceAnswer, type SourcedFile, type SourcedPage } from './project-source.js';
import { servedFileUrl } from './file-urls.js';

export interface UpstreamSourceSettings {
  /** Seconds a page is fresh after the upstream confirmed it. */
  pageTtl: number;
  /** Seconds a "no such project" is remembered. */
  negativeTtl: number;
  offline: boolean;
}

/** What the source tells the server about its work: for logs and metrics. */
export interface UpstreamSourceObserver {
  page?(event: { upstream: string; project: string; status: CacheStatus | 'NEGATIVE' }): void;
  stale?(event: { upstream: string; project: string; reason: string; ageSeconds: number }): void;
  skippedFiles?(event: { upstream: string; project: string; count: number; first: string }): void;
}

interface Entry {
  cached: CachedPage;
  served: SourcedPage | null;
  /** Bumped when a cached file gains its METADATA here, so the page lists it (PEP 658). */
  companions: number;
  builtWith: number;
}

const MAX_IN_MEMORY = 10_000;

export class UpstreamSource implements ProjectSource {
  readonly name: string;
  private readonly memory = new Map<string, Entry>();
  private readonly refreshing = new SingleFlight<string, Entry>();

  constructor(
    readonly client: UpstreamClient,
    private readonly pages: UpstreamPageStore,
    private readonly cachedFiles: CachedFileStore,
    private readonly settings: UpstreamSourceSettings,
    private readonly observer: UpstreamSourceObserver = {},
  ) {
    this.name = client.name;
  }

  /** A cached file of this project gained its METADATA: the next page lists it. */
  companionsChanged(project: string): void {
    const entry = this.memory.get(project);
    if (entry) entry.companions++;
  }

  /** From memory while the page is fresh (or the source is offline) and its served form is built. */
  cached(name: string, now: number): SourceAnswer | undefined {
    const entry = this.memory.get(name);
    if (!entry || (!this.settings.offline && !this.fresh(entry.cached, now))) return undefined;
    if (entry.cached.page === null) return NOT_FOUND;
    if (!entry.served || entry.builtWith !== entry.companions) return undefined;
    return { found: true, page: { ...entry.served, cacheStatus: 'HIT', ageSeconds: ageSeconds(entry, now) } };
  }

  answeredFromMemory(name: string, answer: SourceAnswer): void {
    this.observer.page?.({ upstream: this.name, project: name, status: answer.found ? 'HIT' : 'NEGATIVE' });
  }

  async project(name: string): Promise<SourceAnswer> {
    const now = Date.now();
    const known = this.cached(name, now);
    if (known) {
      this.answeredFromMemory(name, known);
      return known;
    }
    let entry = this.memory.get(name);
    if (!entry) {
      const stored = await this.pages.get(this.name, name);
      // A refresh may have ended while the database answered: what it remembered is newer than what was read, and
      // asking the upstream again would break single-flight for a burst of requests.
      entry = this.memory.get(name) ?? (stored ? this.remember(name, { cached: stored, served: null, companions: 0, builtWith: -1 }) : undefined);
    }
    let status: CacheStatus = 'HIT';
    let staleReason: string | undefined;
    if (!entry || (!this.settings.offline && !this.fresh(entry.cached, now))) {
      if (this.settings.offline) throw new OfflineError(`the page of '${name}' (upstream ${this.name})`);
      try {
        const before = entry?.cached.fetchedAt;
        entry = await this.refreshing.run(name, () => this.refresh(name, entry));
        status = before === undefined || entry.cached.fetchedAt !== before ? 'MISS' : 'REVALIDATED';
      } catch (err) {
        if (!(err instanceof UpstreamError) || !entry) throw err;
        // The upstream failed and a page is cached: serve it, and say it is stale.
        status = 'STALE';
        staleReason = err.message;
      }
    }
    const age = ageSeconds(entry, now);
    if (entry.cached.page === null) {
      this.observer.page?.({ upstream: this.name, project: name, status: 'NEGATIVE' });
      return NOT_FOUND;
    }
    if (status === 'STALE') this.observer.stale?.({ upstream: this.name, project: name, reason: staleReason!, ageSeconds: age });
    this.observer.page?.({ upstream: this.name, project: name, status });
    const served = await this.served(name, entry);
    const page: SourcedPage = { ...served, cacheStatus: status, ageSeconds: age };
    if (staleReason !== undefined) page.staleReason = staleReason;
    return { found: true, page };
  }

  private fresh(cached: CachedPage, now: number): boolean {
    const ttl = cached.page === null ? this.settings.negativeTtl : this.settings.pageTtl;
    return now - cached.checkedAt < ttl * 1000;
  }

  private remember(name: string, entry: Entry): Entry {
    this.memory.delete(name);
    if (this.memory.size >= MAX_IN_MEMORY) this.memory.delete(this.memory.keys().next().value!);
    this.memory.set(name, entry);
    return entry;
  }

  private async refresh(name: string, previous: Entry | undefined): Promise<Entry> {
    const validators: { etag?: string; lastModified?: string } = {};
    // Only a found page is worth revalidating; "not found" is asked again in full.
    if (previous?.cached.page) {
      if (previous.cached.etag) validators.etag = previous.cached.etag;
      if (previous.cached.lastModified) validators.lastModified = previous.cached.lastModified;
    }
    const result = await this.client.fetchProjectPage(name, validators);
    const now = Date.now();
    if (result.status === 'not-modified' && previous) {
      const v: { etag?: string; lastModified?: string } = {};
      if (result.etag !== undefined) v.etag = result.etag;
      if (result.lastModified !== undefined) v.lastModified = result.lastModified;
      await this.pages.confirm(this.name, name, now, v);
      previous.cached = { ...previous.cached, checkedAt: now, etag: result.etag ?? previous.cached.etag, lastModified: result.lastModified ?? previous.cached.lastModified };
      return this.remember(name, previous);
    }
    const cached: CachedPage = {
      upstream: this.name,
      project: name,
      page: result.status === 'ok' ? result.page : null,
      etag: result.status === 'ok' ? (result.etag ?? null) : null,
      lastModified: result.status === 'ok' ? (result.lastModified ?? null) : null,
      fetchedAt: now,
      checkedAt: now,
    };
    await this.pages.put(cached);
    return this.remember(name, { cached, served: null, companions: previous?.companions ?? 0, builtWith: -1 });
  }

  /** The page as clients see it, built once per fetched content and per change in cached companions. */
  private async served(name: string, entry: Entry): Promise<SourcedPage> {
    if (entry.served && entry.builtWith === entry.companions) return entry.served;
    const upstreamPage = entry.cached.page as SimpleProjectPage;
    const metadata = await this.cachedFiles.metadataOf(this.name, name);
    const files = new Map<string, SourcedFile>();
    const servedFiles: SourcedFile[] = [];
    const skipped: string[] = [];
    for (const file of upstreamPage.files) {
      const sha256 = file.hashes['sha256'];
      // The gateway serves a file by its sha256 and checks the bytes against it: without one, it cannot.
      if (sha256 === undefined || files.has(file.filename)) {
        skipped.push(file.filename);
        continue;
      }
      const served: SourcedFile = { ...file, url: servedFileUrl(sha256, file.filename), upstreamUrl: file.url };
      const known = metadata.get(file.filename);
      if ((file.coreMetadata === undefined || file.coreMetadata === false) && known !== undefined) served.coreMetadata = { sha256: known };
      if (file.provenance !== undefined) {
        served.upstreamProvenance = file.provenance;
        served.provenance = `${servedFileUrl(sha256, file.filename)}.provenance`;
      }
      files.set(file.filename, served);
      servedFiles.push(served);
    }
    if (skipped.length > 0) this.observer.skippedFiles?.({ upstream: this.name, project: name, count: skipped.length, first: skipped[0]! });
    const page: SimpleProjectPage = { ...upstreamPage, files: servedFiles.map(clientView) };
    entry.served = {
      source: this.name,
      project: name,
      page,
      files,
      revision: `${this.name}:${entry.cached.fetchedAt}:${entry.companions}`,
      cacheStatus: 'HIT',
      ageSeconds: 0,
    };
    entry.builtWith = entry.companions;
    return entry.served;
  }
}

/** Seconds since the upstream last confirmed the page (`Age` when it is served stale). */
function ageSeconds(entry: Entry, now: number): number {
  return Math.max(0, Math.floor((now - entry.cached.checkedAt) / 1000));
}

/** What a client sees of a file: no upstream locations. */
function clientView(file: SourcedFile): SourcedFile {
  const { upstreamUrl: _url, upstreamProvenance: _provenance, ...rest } = file;
  return rest;
}
