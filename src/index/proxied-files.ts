/**
 * Files that come from upstreams: served from the blob store once cached; on their first request, fetched, checked
 * against the hash their page listed while they stream to the client, and kept.
 *
 * Everyone asking for the same uncached file meanwhile shares the one upstream fetch (upstream/shared-download.ts):
 * each gets it from the start, from memory as the bytes arrive while it keeps up, from the growing temporary file
 * when it has fallen behind, so memory stays flat whatever the size and nobody waits for the whole file before the
 * first byte. The verified stream holds its last chunk back until the hash matched: on a
 * mismatch every reader is destroyed short of the end, the connection aborts, pip never holds a complete file, and
 * nothing is stored.
 *
 * A file is served only with the hash it was listed with: the URL names it (`/files/<sha256>/<filename>`), and a
 * file is found either cached under exactly that pair, or on the current page of its project with that sha256.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { readWheelMetadata } from '../archive/wheel-metadata.js';
import { NotFoundError } from '../errors.js';
import { parseDistFilename } from '../pep/filename.js';
import type { BlobStore } from '../store/blob-store.js';
import type { BlobClaims } from '../store/blob-claims.js';
import type { BlobCollector } from '../store/blob-collector.js';
import type { CachedFile, CachedFileStore, CompanionKind } from '../store/proxy-cache.js';
import { SharedDownloads, type VerifiedDownload } from '../upstream/index.js';
import { OfflineError } from './errors.js';
import { holdTail } from './held-tail.js';
import type { GatewayIndex } from './gateway-index.js';
import type { SourcedFile, SourcedPage } from './project-source.js';
import type { ServeGate } from './serve-gate.js';
import type { UpstreamSource } from './upstream-source.js';

export interface ProxiedFilesStorage {
  blobs: BlobStore;
  claims: BlobClaims;
  collector: BlobCollector;
  cachedFiles: CachedFileStore;
}

export interface ProxiedFilesObserver {
  /** A file came from the cache (`hit`) or from its upstream (`miss`). */
  file?(event: { upstream: string; project: string; filename: string; result: 'hit' | 'miss' }): void;
  stored?(event: { upstream: string; project: string; filename: string; sha256: string; size: number }): void;
  commitFailed?(event: { key: string; error: unknown }): void;
}

/** What a request for `/files/<sha256>/<filename>` names, when it names an upstream file. */
export type ProxiedFile =
  | { kind: 'cached'; row: CachedFile }
  | { kind: 'listed'; source: UpstreamSource; page: SourcedPage; file: SourcedFile };

export interface OpenedFile {
  body: Readable;
  /** For Content-Length; null when neither the page nor the upstream says. */
  size: number | null;
}

/** A cached file's last request is written at most this often: the prune order needs no finer clock. */
const TOUCH_EVERY_MS = 60_000;

export class ProxiedFiles {
  private readonly downloads: SharedDownloads;
  private readonly touched = new Map<number, number>();
  private readonly sources: Map<string, UpstreamSource>;
  /** The file each download in flight is of, for its row. */
  private readonly downloading = new Map<string, SourcedFile>();
  private readonly commits = new Map<string, { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void }>();

  constructor(
    private readonly index: GatewayIndex,
    private readonly storage: ProxiedFilesStorage,
    private readonly gate: ServeGate,
    private readonly settings: { offline: boolean },
    private readonly observer: ProxiedFilesObserver = {},
  ) {
    this.sources = new Map(index.upstreams.map((u) => [u.name, u]));
    this.downloads = new SharedDownloads({
      tempDir: storage.blobs.tempDir,
      commit: (download) => this.commit(download).then(() => this.settle(download.key)),
      onCommitError: (key, error) => {
        this.settle(key, error);
        this.observer.commitFailed?.({ key, error });
      },
    });
  }

  /** Finds the upstream file a URL names: cached, or listed on its project's page with that sha256. */
  async find(sha256: string, filename: string): Promise<ProxiedFile> {
    const row = await this.storage.cachedFiles.get(sha256, filename);
    if (row) return { kind: 'cached', row };
    const notFound = () => new NotFoundError('files.unknown', `no file ${filename} with sha256 ${sha256} is stored here or listed by an upstream`);
    let project: string;
    try {
      project = parseDistFilename(filename).normalizedName;
    } catch {
      throw notFound();
    }
    const page = await this.index.project(project);
    const source = this.sources.get(page.source);
    const file = page.files.get(filename);
    if (!source || !file || file.hashes['sha256'] !== sha256 || file.upstreamUrl === undefined) throw notFound();
    return { kind: 'listed', source, page, file };
  }

  /**
   * A cached file is about to be served from the blob store: the gate decides (on its content too), and its last
   * request is noted. `gate` replaces the index's own (the builds' index passes the policy only).
   */
  async admit(found: Extract<ProxiedFile, { kind: 'cached' }>, file: SourcedFile, gate: ServeGate = this.gate): Promise<void> {
    const { row } = found;
    const admission = await gate.file({ source: row.upstream, project: row.project, file });
    const path = this.storage.blobs.localPath?.(row.sha256);
    if (admission.contentCheck && path !== undefined) await admission.contentCheck(path);
    this.touch(row);
    this.observer.file?.({ upstream: row.upstream, project: row.project, filename: row.filename, result: 'hit' });
  }

  /**
   * An uncached file's bytes, streaming in from its upstream (shared with everyone asking meanwhile). When the gate
   * needs the content to decide, the tail of the bytes waits for that decision (index/held-tail.ts).
   */
  async open(found: Extract<ProxiedFile, { kind: 'listed' }>, gate: ServeGate = this.gate): Promise<OpenedFile> {
    const { source, page, file } = found;
    const admission = await gate.file({ source: source.name, project: page.project, file });
    if (this.settings.offline) throw new OfflineError(file.filename);
    const sha256 = file.hashes['sha256']!;
    if (!this.commits.has(downloadKey(found))) {
      // Its download may have ended since `find` looked (a burst of requests on a busy database): serve what it kept.
      const row = await this.storage.cachedFiles.get(sha256, file.filename);
      const path = this.storage.blobs.localPath?.(sha256);
      if (row && (admission.contentCheck === undefined || path !== undefined)) {
        if (admission.contentCheck) await admission.contentCheck(path!);
        this.touch(row);
        this.observer.file?.({ upstream: source.name, project: page.project, filename: file.filename, result: 'hit' });
        return { body: this.storage.blobs.openRead(sha256), size: row.size };
      }
    }
    this.observer.file?.({ upstream: source.name, project: page.project, filename: file.filename, result: 'miss' });
    const { key, reader } = await this.download(found);
    const check = admission.contentCheck;
    if (!check) return { body: reader.body, size: reader.size };
    const body = holdTail(reader.body, async () => {
      await this.committed(key);
      const path = this.storage.blobs.localPath?.(sha256);
      if (path === undefined) throw new Error('the blob store keeps no local copy to check');
      await check(path);
    });
    return { body, size: reader.size };
  }

  /**
   * Brings a listed file into the cache without serving it (the policy scans the newest releases before they are
   * listed) and returns a local path of its bytes.
   */
  async fetchForCheck(found: Extract<ProxiedFile, { kind: 'listed' }>): Promise<string> {
    const sha256 = found.file.hashes['sha256']!;
    const cached = await this.storage.cachedFiles.get(sha256, found.file.filename);
    if (!cached) {
      if (this.settings.offline) throw new OfflineError(found.file.filename);
      const { key, reader } = await this.download(found);
      reader.body.resume();
      await Promise.all([finished(reader.body), this.committed(key)]);
    }
    const path = this.storage.blobs.localPath?.(sha256);
    if (path === undefined) throw new Error('the blob store keeps no local copy to check');
    return path;
  }

  /** A local path of an upstream file's verified bytes, cached or fetched now (the wheel option's builds read them). */
  async localCopy(sha256: string, filename: string): Promise<string> {
    const found = await this.find(sha256, filename);
    if (found.kind === 'listed') return this.fetchForCheck(found);
    const path = this.storage.blobs.localPath?.(sha256);
    if (path === undefined) throw new Error('the blob store keeps no local copy to check');
    return path;
  }

  private async download(found: Extract<ProxiedFile, { kind: 'listed' }>) {
    const { source, file } = found;
    const key = downloadKey(found);
    if (!this.commits.has(key)) {
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(() => undefined);
      this.commits.set(key, { promise, resolve, reject });
    }
    const listed = { filename: file.filename, url: file.upstreamUrl!, hashes: file.hashes, ...(file.size > 0 ? { size: file.size } : {}) };
    this.downloading.set(key, file);
    try {
      const reader = await this.downloads.open(key, () => source.client.fetchFile(listed));
      // A failed download (a hash that does not match, a dropped connection) is never committed.
      reader.body.once('error', (err) => this.settle(key, err));
      return { key, reader };
    } catch (err) {
      this.settle(key, err);
      throw err;
    }
  }

  /** Resolves once the download of `key` is in the blob store and recorded. */
  private committed(key: string): Promise<void> {
    return this.commits.get(key)?.promise ?? Promise.resolve();
  }

  private settle(key: string, error?: unknown): void {
    const pending = this.commits.get(key);
    if (!pending) return;
    this.commits.delete(key);
    this.downloading.delete(key);
    if (error === undefined) pending.resolve();
    else pending.reject(error);
  }

  private touch(row: CachedFile): void {
    const now = Date.now();
    const last = this.touched.get(row.id) ?? Date.parse(row.last_requested_at);
    if (now - last < TOUCH_EVERY_MS) return;
    this.touched.set(row.id, now);
    if (this.touched.size > 100_000) this.touched.clear();
    void this.storage.cachedFiles.touch(row.id, new Date(now)).catch(() => undefined);
  }

  /** Keeps a verified download: blob first (claimed, so no collection takes it), then the row. */
  private async commit(download: VerifiedDownload): Promise<void> {
    const [upstream, project, filename] = JSON.parse(download.key) as [string, string, string, string];
    const claims = await this.storage.claims.claim([download.sha256]);
    try {
      await this.storage.blobs.commit({ path: download.path, sha256: download.sha256 });
      const uploadTime = this.downloading.get(download.key)?.uploadTime ?? null;
      await this.storage.cachedFiles.add({ upstream, project, filename, sha256: download.sha256, size: download.size, uploadTime });
      this.observer.stored?.({ upstream, project, filename, sha256: download.sha256, size: download.size });
    } finally {
      await this.storage.claims.release(claims);
    }
  }

  /**
   * A cached or listed file's companion: its METADATA (PEP 658) or provenance (PEP 740). Fetched from the upstream
   * when it offers one (and checked against the page's hash for it), or for METADATA extracted from the cached
   * wheel; kept as a blob either way. Null when there is none.
   */
  async companion(found: ProxiedFile, kind: CompanionKind): Promise<{ sha256: string; size: number } | null> {
    const sha256 = found.kind === 'cached' ? found.row.sha256 : found.file.hashes['sha256']!;
    const filename = found.kind === 'cached' ? found.row.filename : found.file.filename;
    const known = await this.storage.cachedFiles.companion(sha256, filename, kind);
    if (known && (await this.storage.blobs.has(known.blob_sha256))) return { sha256: known.blob_sha256, size: known.size };

    let bytes: Buffer | null = null;
    const listed = found.kind === 'listed' ? found : await this.listing(sha256, filename);
    if (listed && !this.settings.offline) {
      const { source, file } = listed;
      const upstreamFile = { ...file, url: file.upstreamUrl!, ...(file.upstreamProvenance !== undefined ? { provenance: file.upstreamProvenance } : {}) };
      if (kind === 'metadata' && file.coreMetadata !== undefined && file.coreMetadata !== false) {
        bytes = (await source.client.fetchCoreMetadata(upstreamFile))?.bytes ?? null;
      } else if (kind === 'provenance' && file.upstreamProvenance !== undefined) {
        bytes = (await source.client.fetchProvenance(upstreamFile))?.bytes ?? null;
      }
    }
    if (bytes === null && kind === 'metadata' && found.kind === 'cached' && filename.endsWith('.whl')) {
      const path = this.storage.blobs.localPath?.(sha256);
      if (path !== undefined) {
        const dist = parseDistFilename(filename);
        bytes = await readWheelMetadata(path, { normalizedName: dist.normalizedName, version: dist.version }).catch(() => null);
      }
    }
    if (bytes === null) return null;
    const blobSha256 = createHash('sha256').update(bytes).digest('hex');
    const claims = await this.storage.claims.claim([blobSha256]);
    try {
      const blob = await this.storage.blobs.putBytes(bytes);
      await this.storage.cachedFiles.addCompanion({ fileSha256: sha256, filename, kind, blobSha256: blob.sha256, size: blob.size });
    } finally {
      await this.storage.claims.release(claims);
    }
    if (kind === 'metadata') {
      const upstream = found.kind === 'cached' ? found.row.upstream : found.source.name;
      const project = found.kind === 'cached' ? found.row.project : found.page.project;
      this.sources.get(upstream)?.companionsChanged(project);
    }
    return { sha256: blobSha256, size: bytes.length };
  }

  /** A cached file as its project's current page lists it, if it still does. */
  private async listing(sha256: string, filename: string): Promise<Extract<ProxiedFile, { kind: 'listed' }> | undefined> {
    if (this.settings.offline) return undefined;
    try {
      const page = await this.index.project(parseDistFilename(filename).normalizedName);
      const source = this.sources.get(page.source);
      const file = page.files.get(filename);
      if (source && file && file.hashes['sha256'] === sha256 && file.upstreamUrl !== undefined) return { kind: 'listed', source, page, file };
    } catch {
      // No page to ask: the cached wheel itself can still give its METADATA.
    }
    return undefined;
  }
}

/** A download's key: the commit reads the upstream, project and file name back from it. */
function downloadKey(found: Extract<ProxiedFile, { kind: 'listed' }>): string {
  return JSON.stringify([found.source.name, found.page.project, found.file.filename, found.file.hashes['sha256']]);
}
