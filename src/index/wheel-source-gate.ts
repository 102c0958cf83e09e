/**
 * The gateway's wheel option (config `[build]`; docs/decisions.md, "Wheels built here"), at the serve gate in front
 * of the policy. For each proxied project it is one of:
 *
 * - `upstream`: pages and files pass to the policy unchanged;
 * - `matching`: a pure-Python wheel is served only once the wheel its release's sdist builds in the sandbox is
 *   equivalent to it (ActiveState's model); one that differs, or whose sdist does not build, is refused;
 * - `rebuilt`: the page lists the wheel built here from the sdist (its own sha256, its signed provenance beside it
 *   as `<file>.provenance.json`) in place of the upstream's.
 *
 * A wheel this option does not serve is refused by the policy: the option's verdict is an input of the policy's
 * decision (`Judge.useWheelOption`, a `build.*` rule), so the refusal is stored, logged, explained and can be waived,
 * and the page marks it yanked with the reason as it marks every refusal: resolvers take the sdist or an older
 * release, a pin that reaches the wheel gets its 403 with the reason. Until a check has a result the wheel is "being
 * checked": marked yanked here, and refused at download
 * while the check is queued (a build can take minutes, longer than an installer waits). A page asks for the checks of
 * its newest releases and waits for them a few seconds (`page_wait`); an older release is checked when its wheel is
 * first asked for, or through the admin API. Compiled wheels, sdists and hosted projects are never affected: the
 * sandbox has no compilers, and hosted files are the organization's own.
 *
 * The builds themselves are done elsewhere (sandbox/gateway-builds.ts), behind `WheelChecks`.
 */
import { wheelSourceFor, type BuildSettings, type WheelSource } from '../config/gateway.js';
import type { FileSubject, WheelOptionRefusal } from '../policy/engine.js';
import { isPurePythonWheel, parseDistFilename, parseWheelFilename } from '../pep/filename.js';
import { Version } from '../pep/version.js';
import { WheelNotServedError } from './errors.js';
import { servedFileUrl } from './file-urls.js';
import type { GatewayIndex } from './gateway-index.js';
import type { SourcedFile, SourcedPage } from './project-source.js';
import type { FileAdmission, FileRequest, ServeGate } from './serve-gate.js';

/** A pure-Python wheel of a proxied release, and its release's sdist when it has one. */
export interface WheelPair {
  source: string;
  project: string;
  version: string;
  wheel: SourcedFile;
  sdist?: SourcedFile;
}

export type CheckablePair = WheelPair & { sdist: SourcedFile };

export type WheelCheckState = 'queued' | 'building' | 'matches' | 'differs' | 'not-rebuilt';

export interface BuiltWheel {
  filename: string;
  sha256: string;
  size: number;
  /** The sha256 of the sdist it was built from. */
  sdistSha256: string;
  /** Where it is kept, and its signed provenance (a DSSE envelope) when there is one. */
  path: string;
  provenancePath?: string;
}

export interface WheelCheckStatus {
  state: WheelCheckState;
  /** One line saying why: the comparison's summary, or why the sdist did not build. */
  reason: string;
  /** The wheel the sandbox built from the sdist, when it built. */
  built?: BuiltWheel;
  /** The differences from what the sdist builds, one line each (`differs`). */
  differences?: string[];
  finishedAt?: string;
}

/** What this gate needs of the builds. */
export interface WheelChecks {
  /** The pair's check under way, or its stored result; undefined when it was never checked. */
  status(pair: CheckablePair): WheelCheckStatus | undefined;
  /** Queues the pair's check unless it has a result or is under way (`force`: build again); resolves when it ends. */
  request(pair: CheckablePair, options?: { force?: boolean }): Promise<void>;
  /** A wheel built here, by its sha256. */
  built(sha256: string): BuiltWheel | undefined;
  /** Called with the project whenever one of its checks changes state. */
  onChange(listener: (project: string) => void): void;
}

/**
 * What the option makes of one wheel. A refusal (`none`, not pending) is handed to the policy as a rule input; a
 * pending wheel and a wheel replaced by the one built here are this gate's own business.
 */
export type WheelVerdict =
  | { serve: 'upstream' }
  | { serve: 'built'; built: BuiltWheel }
  | { serve: 'none'; code: `build.${string}`; reason: string; pending: boolean };

/** Releases whose checks a page asks for and waits on: the ones resolvers look at first. */
const NEWEST_RELEASES = 3;

/** The one home of the option's rule: what a project's setting and a wheel's check say about serving it. */
export function wheelVerdict(mode: Exclude<WheelSource, 'upstream'>, pair: WheelPair, status: WheelCheckStatus | undefined): WheelVerdict {
  const name = pair.wheel.filename;
  const setting = `build.wheels = "${mode}"`;
  if (pair.sdist === undefined) {
    return { serve: 'none', code: 'build.no-sdist', reason: `${setting}: its release has no sdist to ${mode === 'matching' ? 'check it against' : 'build it from'}`, pending: false };
  }
  if (status === undefined || status.state === 'queued' || status.state === 'building') {
    const what = mode === 'matching' ? 'being checked against its sdist' : 'being built from its sdist';
    return { serve: 'none', code: 'build.pending', reason: `${name} is ${what} by the gateway before it is served; try again in a minute (${setting})`, pending: true };
  }
  if (status.state === 'not-rebuilt') return { serve: 'none', code: 'build.not-rebuilt', reason: `${setting}: its sdist did not build here: ${status.reason}`, pending: false };
  if (mode === 'rebuilt') {
    if (status.built !== undefined) return { serve: 'built', built: status.built };
    return { serve: 'none', code: 'build.not-rebuilt', reason: `${setting}: no wheel built from its sdist is kept`, pending: false };
  }
  if (status.state === 'matches') return { serve: 'upstream' };
  return { serve: 'none', code: 'build.wheel-differs', reason: `${setting}: ${status.reason}`, pending: false };
}

/** Each pure-Python wheel of a page with its release's sdist (a `.tar.gz` first when there are several). */
export function releasePairs(page: SourcedPage): WheelPair[] {
  const sdists = new Map<string, SourcedFile>();
  const wheels: { file: SourcedFile; version: string; release: string }[] = [];
  for (const file of page.files.values()) {
    let dist;
    try {
      dist = parseDistFilename(file.filename, page.project);
    } catch {
      continue;
    }
    // `1.0` and `1.0.0` are one release.
    const release = releaseKey(dist.version);
    if (dist.kind === 'wheel') {
      if (isPurePythonWheel(dist)) wheels.push({ file, version: dist.version, release });
    } else if (!sdists.has(release) || (file.filename.endsWith('.tar.gz') && !sdists.get(release)!.filename.endsWith('.tar.gz'))) {
      sdists.set(release, file);
    }
  }
  return wheels.map(({ file, version, release }) => {
    const sdist = sdists.get(release);
    return { source: page.source, project: page.project, version, wheel: file, ...(sdist ? { sdist } : {}) };
  });
}

function releaseKey(version: string): string {
  return Version.tryParse(version)?.canonical ?? version;
}

function isPureWheelName(filename: string): boolean {
  if (!filename.endsWith('.whl')) return false;
  try {
    return isPurePythonWheel(parseWheelFilename(filename));
  } catch {
    return false;
  }
}

function checkable(pair: WheelPair): pair is CheckablePair {
  return pair.sdist !== undefined;
}

/** How a wheel built here is listed in place of the upstream's: its own name, hash and size; the release's upload time. */
function builtListing(wheel: SourcedFile, built: BuiltWheel): SourcedFile {
  const file: SourcedFile = { filename: built.filename, url: servedFileUrl(built.sha256, built.filename), hashes: { sha256: built.sha256 }, yanked: wheel.yanked, size: built.size };
  if (wheel.requiresPython !== undefined) file.requiresPython = wheel.requiresPython;
  if (wheel.uploadTime !== undefined) file.uploadTime = wheel.uploadTime;
  return file;
}

export class WheelSourceGate implements ServeGate {
  private index: GatewayIndex | null = null;
  private checks: WheelChecks | null = null;
  private readonly serials = new Map<string, number>();
  /** The pairs seen on pages, by wheel sha256: what the policy's input is read from. */
  private readonly seen = new Map<string, WheelPair>();

  constructor(
    /** The policy's gate: it decides on every file this gate lets through, built wheels included. */
    private readonly inner: ServeGate,
    private readonly settings: BuildSettings,
  ) {}

  attach(index: GatewayIndex, checks: WheelChecks): void {
    this.index = index;
    this.checks = checks;
    checks.onChange((project) => this.serials.set(project, (this.serials.get(project) ?? 0) + 1));
  }

  /**
   * The option's refusal of a file, for the policy (`Judge.useWheelOption`): known for wheels whose page has been seen
   * since the start (a decision re-evaluated before that is made without it, and made again when the page is served).
   */
  refusal(subject: FileSubject): WheelOptionRefusal | undefined {
    const pair = this.seen.get(subject.sha256);
    if (pair === undefined || pair.wheel.filename !== subject.filename || this.checks === null) return undefined;
    const mode = this.modeFor(pair.source, pair.project);
    if (mode === 'upstream') return undefined;
    const verdict = wheelVerdict(mode, pair, checkable(pair) ? this.checks.status(pair) : undefined);
    return verdict.serve === 'none' && !verdict.pending ? { rule: verdict.code, message: verdict.reason } : undefined;
  }

  private remember(pairs: readonly WheelPair[]): void {
    if (this.seen.size > 100_000) this.seen.clear();
    for (const pair of pairs) this.seen.set(pair.wheel.hashes['sha256']!, pair);
  }

  /** The option for a project from a source: hosted projects are the organization's own, served as uploaded. */
  modeFor(source: string, project: string): WheelSource {
    return source === 'hosted' ? 'upstream' : wheelSourceFor(this.settings, project);
  }

  /** Each wheel the option applies to, with its check and what it makes of it (the admin API shows this). */
  async project(project: string): Promise<{ source: string; mode: WheelSource; wheels: { pair: WheelPair; status?: WheelCheckStatus; verdict: WheelVerdict }[] }> {
    const page = await this.requireIndex().project(project);
    const mode = this.modeFor(page.source, page.project);
    const pairs = page.source === 'hosted' ? [] : releasePairs(page);
    this.remember(pairs);
    const wheels = pairs.map((pair) => {
      const status = checkable(pair) ? this.checks?.status(pair) : undefined;
      return { pair, ...(status ? { status } : {}), verdict: mode === 'upstream' ? ({ serve: 'upstream' } as const) : wheelVerdict(mode, pair, status) };
    });
    return { source: page.source, mode, wheels };
  }

  /** Queues the checks of a release's wheels (`force`: build again); returns the pairs queued. */
  async recheck(project: string, version: Version, force: boolean): Promise<CheckablePair[]> {
    const page = await this.requireIndex().project(project);
    if (page.source === 'hosted') return [];
    const pairs = releasePairs(page).filter((p): p is CheckablePair => checkable(p) && releaseKey(p.version) === version.canonical);
    for (const pair of pairs) void this.checks?.request(pair, { force }).catch(() => undefined);
    return pairs;
  }

  cachedPage(sourced: SourcedPage): SourcedPage | undefined {
    // A page whose wheels are checked here asks after their checks each time: only the policy's memory is enough.
    return this.modeFor(sourced.source, sourced.project) === 'upstream' || this.checks === null ? this.inner.cachedPage(sourced) : undefined;
  }

  async page(sourced: SourcedPage): Promise<SourcedPage> {
    const mode = this.modeFor(sourced.source, sourced.project);
    if (mode === 'upstream' || this.checks === null) return this.inner.page(sourced);
    const pairs = releasePairs(sourced);
    this.remember(pairs);
    await this.checkNewest(pairs);
    const verdicts = pairs.map((pair) => ({ pair, verdict: wheelVerdict(mode, pair, checkable(pair) ? this.checks!.status(pair) : undefined) }));
    // Refusals reach the page through the policy; wheels still being checked are marked here.
    const gated = await this.inner.page(this.substitute(sourced, verdicts));
    const pending = new Map(verdicts.flatMap(({ pair, verdict }) => (verdict.serve === 'none' && verdict.pending ? [[pair.wheel.filename, verdict.reason] as const] : [])));
    if (pending.size === 0) return gated;
    const files = gated.page.files.map((f) => {
      const reason = pending.get(f.filename);
      // A file the policy refuses already carries its reason: the first refusal is the one to read.
      return reason === undefined || (typeof f.yanked === 'string' && f.yanked !== '') ? f : { ...f, yanked: reason };
    });
    return { ...gated, page: { ...gated.page, files } };
  }

  /** The newest releases' checks are asked for, and waited on for `page_wait` seconds. */
  private async checkNewest(pairs: WheelPair[]): Promise<void> {
    const versions = [...new Set(pairs.map((p) => p.version))]
      .map((v) => Version.tryParse(v))
      .filter((v): v is Version => v !== null)
      .sort((a, b) => b.compare(a));
    const finals = versions.filter((v) => !v.isPrerelease);
    const newest = new Set((finals.length > 0 ? finals : versions).slice(0, NEWEST_RELEASES).map((v) => v.canonical));
    const waiting: Promise<void>[] = [];
    for (const pair of pairs) {
      if (!checkable(pair) || !newest.has(releaseKey(pair.version))) continue;
      const status = this.checks!.status(pair);
      if (status === undefined || status.state === 'queued' || status.state === 'building') waiting.push(this.checks!.request(pair).catch(() => undefined));
    }
    if (waiting.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(waiting), new Promise<void>((resolve) => (timer = setTimeout(resolve, this.settings.pageWait * 1000)))]);
    clearTimeout(timer);
  }

  /** The page with each wheel built here in place of the upstream's (`rebuilt`); its revision moves with the checks. */
  private substitute(sourced: SourcedPage, verdicts: { pair: WheelPair; verdict: WheelVerdict }[]): SourcedPage {
    const revision = `${sourced.revision}|wheels:${this.serials.get(sourced.project) ?? 0}`;
    const replaced = new Map<string, SourcedFile>();
    for (const { pair, verdict } of verdicts) if (verdict.serve === 'built') replaced.set(pair.wheel.filename, builtListing(pair.wheel, verdict.built));
    if (replaced.size === 0) return { ...sourced, revision };
    const files = new Map<string, SourcedFile>();
    for (const file of sourced.files.values()) {
      const served = replaced.get(file.filename) ?? file;
      // Two upstream wheels (py2 and py3) of one sdist are both replaced by the one wheel it builds.
      if (!files.has(served.filename)) files.set(served.filename, served);
    }
    const listed = [...files.values()].map(({ upstreamUrl: _u, upstreamProvenance: _p, ...rest }) => rest);
    return { ...sourced, revision, files, page: { ...sourced.page, files: listed } };
  }

  async file(request: FileRequest): Promise<FileAdmission> {
    const mode = this.modeFor(request.source, request.project);
    if (mode === 'upstream' || this.checks === null || !isPureWheelName(request.file.filename)) return this.inner.file(request);
    const page = await this.requireIndex().project(request.project);
    const sha256 = request.file.hashes['sha256'];
    const pair = releasePairs(page).find((p) => p.wheel.filename === request.file.filename && p.wheel.hashes['sha256'] === sha256);
    if (pair === undefined) {
      throw new WheelNotServedError('build.unlisted', `${request.file.filename} is not served: it is no longer on its project's page, so it cannot be checked against its sdist (build.wheels = "${mode}")`);
    }
    this.remember([pair]);
    const verdict = wheelVerdict(mode, pair, checkable(pair) ? this.checks.status(pair) : undefined);
    // The policy decides first, the option's refusal among its inputs (a waiver can accept the wheel).
    const admission = await this.inner.file(request);
    if (verdict.serve === 'upstream' || (verdict.serve === 'none' && !verdict.pending)) return admission;
    if (verdict.serve === 'built') {
      throw new WheelNotServedError('build.replaced', `${pair.wheel.filename} is not served: this gateway serves ${verdict.built.filename} (sha256 ${verdict.built.sha256}), built from its sdist, in its place (build.wheels = "rebuilt")`);
    }
    if (checkable(pair)) void this.checks.request(pair).catch(() => undefined);
    throw new WheelNotServedError(verdict.code, verdict.reason);
  }

  /**
   * A wheel built here, asked for by its sha256: served while its project takes wheels built here and its sdist is
   * on the project's page, after the policy's say on it (the admission's content check runs on `path`).
   */
  async builtFile(sha256: string, filename: string): Promise<(BuiltWheel & { admission: FileAdmission }) | undefined> {
    const built = this.checks?.built(sha256);
    if (built === undefined || built.filename !== filename) return undefined;
    const project = parseDistFilename(filename).normalizedName;
    const page = await this.requireIndex().project(project);
    const pair = releasePairs(page).find((p) => p.sdist?.hashes['sha256'] === built.sdistSha256);
    if (pair === undefined || this.modeFor(page.source, project) !== 'rebuilt') {
      throw new WheelNotServedError('build.not-served', `${filename} was built here, but is not served: ${pair === undefined ? 'the sdist it was built from is no longer on its project\'s page' : `'${project}' is not set to take wheels built here (build.wheels)`}`);
    }
    const admission = await this.inner.file({ source: page.source, project, file: builtListing(pair.wheel, built) });
    return { ...built, admission };
  }

  private requireIndex(): GatewayIndex {
    if (this.index === null) throw new Error('the wheel gate is used before the index is attached');
    return this.index;
  }
}
