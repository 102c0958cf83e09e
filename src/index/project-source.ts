/**
 * A source of projects: where a project's page comes from. The hosted index and each upstream are sources; the
 * gateway's index asks them in order (`GatewayIndex`).
 */
import type { SimpleFile, SimpleProjectPage } from '../pep/simple.js';

/** How a page was obtained, for `X-Cache-Status`, metrics and logs. */
export type CacheStatus = 'HOSTED' | 'HIT' | 'MISS' | 'REVALIDATED' | 'STALE';

/** A file as its source listed it, with where the gateway fetches it from (hosted files have no upstream). */
export interface SourcedFile extends SimpleFile {
  /** The upstream URL the file is fetched from; absent for hosted files. */
  upstreamUrl?: string;
  /** The upstream's provenance URL (PEP 740), when it lists one. */
  upstreamProvenance?: string;
}

export interface SourcedPage {
  /** `hosted`, or the upstream's configured name. */
  source: string;
  project: string;
  /** The page as clients see it: every file URL points to the gateway. */
  page: SimpleProjectPage;
  /** The files with their upstream locations, by file name. */
  files: ReadonlyMap<string, SourcedFile>;
  /** Changes whenever the served page changes: rendered bytes are cached per revision. */
  revision: string;
  cacheStatus: CacheStatus;
  /** Seconds since the source last confirmed the page (for `Age` when it is served stale). */
  ageSeconds: number;
  /** Why it is served stale, when it is. */
  staleReason?: string;
}

export type SourceAnswer = { found: true; page: SourcedPage } | { found: false };

export const NOT_FOUND: SourceAnswer = Object.freeze({ found: false });

export interface ProjectSource {
  readonly name: string;
  /** The project's page, or not found. Throws when the source fails and has nothing cached to serve instead. */
  project(name: string): Promise<SourceAnswer>;
  /**
   * What `project` would answer, when the source can tell from memory alone, at once (no query, no request, no
   * await); undefined when it must look. A busy page is answered here: the warm path allocates no promise. It
   * observes nothing: whoever serves its answer says so with `answeredFromMemory`.
   */
  cached(name: string, now: number): SourceAnswer | undefined;
  /** An answer of `cached` was used: counted as `project` counts its answers. */
  answeredFromMemory(name: string, answer: SourceAnswer): void;
}
