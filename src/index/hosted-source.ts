/**
 * The hosted index as a source of projects. A project's page is built once per project serial; a change made
 * through this process drops it at once, and a change made by another replica sharing the database is seen when
 * the serial is next checked, at most SERIAL_CHECK_MS later. So a busy page costs one serial lookup a second, not a
 * query per request, and so does a busy page of a project that is not hosted (every proxied page asks here first).
 */
import type { HostedStore } from '../store/hosted.js';
import { hostedProjectPage } from './hosted-page.js';
import { NOT_FOUND, type ProjectSource, type SourceAnswer, type SourcedFile, type SourcedPage } from './project-source.js';

/** How long a serial read from the database is trusted: what another process sharing it changed shows within this. */
export const SERIAL_CHECK_MS = 1000;
const MAX_CACHED_PROJECTS = 10_000;

interface Entry {
  /** Undefined: not hosted. */
  serial: number | undefined;
  checkedAt: number;
  page?: SourcedPage;
}

export class HostedSource implements ProjectSource {
  readonly name = 'hosted';
  private readonly cache = new Map<string, Entry>();
  /** Counts changes made through this process: a lookup that raced one does not remember "not hosted". */
  private changes = 0;
  private readonly lookups = new Map<string, { changes: number; answer: Promise<SourceAnswer> }>();

  constructor(private readonly hosted: HostedStore) {
    hosted.onChange((project) => {
      this.changes++;
      this.cache.delete(project);
    });
  }

  /** Whether a project is hosted here: hosted names are never looked up upstream. */
  async has(project: string): Promise<boolean> {
    return (await this.serial(project, Date.now())) !== undefined;
  }

  private async serial(project: string, now: number): Promise<number | undefined> {
    const cached = this.cache.get(project);
    if (cached && now - cached.checkedAt < SERIAL_CHECK_MS) return cached.serial;
    const changes = this.changes;
    const serial = await this.hosted.serial(project);
    if (serial === undefined) {
      if (changes === this.changes) this.remember(project, { serial, checkedAt: now });
    } else if (cached && cached.serial === serial) cached.checkedAt = now;
    return serial;
  }

  private remember(project: string, entry: Entry): void {
    if (!this.cache.has(project) && this.cache.size >= MAX_CACHED_PROJECTS) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(project, entry);
  }

  /** From memory while the project's serial was checked less than SERIAL_CHECK_MS ago. */
  cached(name: string, now: number): SourceAnswer | undefined {
    const cached = this.cache.get(name);
    if (!cached || now - cached.checkedAt >= SERIAL_CHECK_MS) return undefined;
    if (cached.serial === undefined) return NOT_FOUND;
    return cached.page ? { found: true, page: cached.page } : undefined;
  }

  answeredFromMemory(): void {
    // Hosted pages are not counted by source.
  }

  project(name: string): Promise<SourceAnswer> {
    const now = Date.now();
    const known = this.cached(name, now);
    if (known) return Promise.resolve(known);
    // Requests that arrive while the project is looked up share that lookup (a busy page makes one query a second,
    // not one per request in flight), unless a change was made here since it started: that one must be seen.
    const running = this.lookups.get(name);
    if (running && running.changes === this.changes) return running.answer;
    const answer = this.lookUp(name, now).finally(() => {
      if (this.lookups.get(name)?.answer === answer) this.lookups.delete(name);
    });
    this.lookups.set(name, { changes: this.changes, answer });
    return answer;
  }

  private async lookUp(name: string, now: number): Promise<SourceAnswer> {
    const serial = await this.serial(name, now);
    if (serial === undefined) return NOT_FOUND;
    const cached = this.cache.get(name);
    if (cached?.page && cached.serial === serial) return { found: true, page: cached.page };
    const project = await this.hosted.project(name);
    if (!project) return NOT_FOUND;
    const page = hostedProjectPage(project, await this.hosted.releases(project.id), await this.hosted.files(project.id));
    const files = new Map<string, SourcedFile>(page.files.map((f) => [f.filename, f]));
    const sourced: SourcedPage = {
      source: 'hosted',
      project: name,
      page,
      files,
      revision: `hosted:${project.serial}`,
      cacheStatus: 'HOSTED',
      ageSeconds: 0,
    };
    this.remember(name, { serial: project.serial, checkedAt: now, page: sourced });
    return { found: true, page: sourced };
  }
}
