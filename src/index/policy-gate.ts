/**
 * The policy at the serve gate (serve-gate.ts): what pages list and which files go out.
 *
 * Pages: a project the policy refuses by name answers 403 with the reason. A refused file stays on its page but is
 * marked yanked with the policy's reason (PEP 592): resolvers pass over yanked files, so `pip install pkg` quietly
 * takes an allowed version, and `pip install pkg==bad` (which may pick a yanked file) reaches the file's 403 and
 * prints why. A warning marks the file yanked too; it is still served to a pin. A quarantined project carries
 * PEP 792's `quarantined` status.
 *
 * Files whose verdict needs their bytes (the scan, the license) are checked when first fetched: the tail of the
 * bytes waits for the verdict. Because a 403 at that point breaks a resolution, the newest releases of a proxied
 * project are fetched and scanned before their page is listed: up to `releases` releases, newest first, until one
 * has a file the policy serves, each with at most `filesPerRelease` files and all within `maxBytes`; the page waits
 * up to `waitMs` for it and the scans go on in the background after that (the page is rebuilt when they end).
 */
import { GatehouseError } from '../errors.js';
import { parseDistFilename } from '../pep/filename.js';
import type { SimpleFile, SimpleProjectPage } from '../pep/simple.js';
import { Version } from '../pep/version.js';
import type { Decision, FileSubject, RuleResult } from '../policy/engine.js';
import { PolicyRefusal, refusalMessage, SERVED_STATES, type FileDecision, type Judge } from '../policy/judge.js';
import type { FileState } from '../store/schema.js';
import { SERIAL_CHECK_MS } from './hosted-source.js';
import type { SourcedFile, SourcedPage } from './project-source.js';
import type { ProxiedFiles } from './proxied-files.js';
import type { FileAdmission, FileRequest, ServeGate } from './serve-gate.js';

export interface PrescanOptions {
  releases: number;
  filesPerRelease: number;
  maxBytes: number;
  waitMs: number;
}

export const DEFAULT_PRESCAN: PrescanOptions = { releases: 3, filesPerRelease: 4, maxBytes: 200 * 1024 * 1024, waitMs: 8000 };

/** A file's size when its page does not say: counted against the prescan budget as this. */
const UNKNOWN_SIZE = 50 * 1024 * 1024;

interface Listed {
  file: SourcedFile;
  subject: FileSubject;
  version: Version | null;
  state: FileState;
  results: RuleResult[];
}

function enforcedReasons(results: readonly RuleResult[], outcomes: ReadonlySet<string>): RuleResult[] {
  return results.filter((r) => r.mode === 'enforce' && !r.waivedBy && !r.allowedBy && outcomes.has(r.outcome));
}

const REFUSED: ReadonlySet<FileState> = new Set(['blocked', 'quarantined', 'rejected']);

function listingState(decision: Decision): FileState {
  if (decision.outcome === 'block') return 'blocked';
  if (decision.outcome === 'quarantine') return 'quarantined';
  if (decision.pendingContent) return 'pending';
  return decision.outcome === 'warn' ? 'warned' : 'allowed';
}

/** A page as the policy marked it, and what it was built from: it is built again when any of that changes. */
interface BuiltPage {
  /** The source page's revision. */
  revision: string;
  policy: string;
  db: string;
  /** Changes to decisions about the project's files made here (`changed`). */
  changes: number;
  validUntil: number;
  page: SourcedPage;
}

const CHECKED: Promise<void> = Promise.resolve();

export class PolicyGate implements ServeGate {
  private readonly built = new Map<string, BuiltPage>();
  private readonly changes = new Map<string, number>();
  private readonly prescans = new Map<string, Promise<void>>();
  /** Files being fetched and scanned before they are listed, by project. */
  private readonly checking = new Map<string, Set<string>>();
  private files: ProxiedFiles | null = null;
  private builtHere: (sha256: string, filename: string) => string | undefined = () => undefined;
  private serial: { value: number; checkedAt: number } = { value: -1, checkedAt: 0 };
  private serialCheck: Promise<void> | undefined;

  constructor(
    private readonly judge: Judge,
    private readonly prescanOptions: PrescanOptions = DEFAULT_PRESCAN,
    private readonly onError: (err: unknown, what: string) => void = () => undefined,
  ) {
    judge.state.on('change', () => this.built.clear());
  }

  /**
   * The proxied files, for fetching the newest releases to scan before they are listed; and where the wheels built
   * here are (the wheel option lists them on upstream pages, but no upstream has them).
   */
  attach(files: ProxiedFiles, builtHere?: (sha256: string, filename: string) => string | undefined): void {
    this.files = files;
    if (builtHere) this.builtHere = builtHere;
  }

  /**
   * Another process (a replica, `gatehouse quarantine release`) may have changed decisions: checked at most once a
   * second, and every built page is dropped when it did.
   */
  private checkSerial(): Promise<void> {
    const now = Date.now();
    if (now - this.serial.checkedAt < SERIAL_CHECK_MS) return CHECKED;
    // Pages asked for while the serial is read wait for that read instead of making their own.
    this.serialCheck ??= this.readSerial(now).finally(() => {
      this.serialCheck = undefined;
    });
    return this.serialCheck;
  }

  private async readSerial(now: number): Promise<void> {
    const value = await this.judge.decisionsSerial();
    if (value !== this.serial.value) this.built.clear();
    this.serial = { value, checkedAt: now };
  }

  /** A decision about one of the project's files changed: its page is built again. */
  changed(project: string): void {
    this.changes.set(project, (this.changes.get(project) ?? 0) + 1);
  }

  /** The page built for this revision of the source page, while it is current. */
  private builtFor(sourced: SourcedPage, now: number): SourcedPage | undefined {
    const built = this.built.get(sourced.project);
    const { policy, db } = this.judge.state.revisions;
    if (
      built === undefined ||
      built.revision !== sourced.revision ||
      built.policy !== policy ||
      built.db !== db ||
      built.changes !== (this.changes.get(sourced.project) ?? 0) ||
      now >= built.validUntil
    ) {
      return undefined;
    }
    return { ...built.page, cacheStatus: sourced.cacheStatus, ageSeconds: sourced.ageSeconds };
  }

  cachedPage(sourced: SourcedPage): SourcedPage | undefined {
    const now = Date.now();
    return now - this.serial.checkedAt < SERIAL_CHECK_MS ? this.builtFor(sourced, now) : undefined;
  }

  async page(sourced: SourcedPage): Promise<SourcedPage> {
    await this.checkSerial();
    const hit = this.builtFor(sourced, Date.now());
    if (hit) return hit;
    const { policy, db } = this.judge.state.revisions;
    const changes = this.changes.get(sourced.project) ?? 0;
    const project = this.judge.state.engine.project({ project: sourced.project, source: sourced.source });
    if (project.outcome === 'block') throw nameRefusal(sourced.project, project.results);
    let listed = await this.list(sourced);
    if (sourced.source !== 'hosted' && this.files && (await this.prescan(sourced, listed))) listed = await this.list(sourced);
    const timeDependent = listed.some((l) => l.results.some((r) => r.rule.startsWith('cooldown.')));
    const checking = this.checking.get(sourced.project);
    const page = this.mark(sourced, listed, project.outcome === 'quarantine' ? enforcedReasons(project.results, new Set(['quarantine'])) : [], checking);
    const gated: SourcedPage = { ...sourced, page, revision: `${sourced.revision}|policy:${policy}|${db}|${changes}|${Date.now()}` };
    // A release's age changes by the minute: a page with a cooldown in it is built again a minute later.
    const validFor = checking && checking.size > 0 ? 5_000 : timeDependent ? 60_000 : Infinity;
    this.built.set(sourced.project, { revision: sourced.revision, policy, db, changes, validUntil: Date.now() + validFor, page: gated });
    return gated;
  }

  /** Each file of a page with its state: stored decisions for files that passed through, the engine for the rest. */
  private async list(sourced: SourcedPage): Promise<Listed[]> {
    const stored = await this.judge.storedForProject(sourced.project);
    const out: Listed[] = [];
    for (const file of sourced.files.values()) {
      const subject = subjectFor(sourced, file);
      if (subject === null) continue;
      const version = Version.tryParse(subject.version);
      if (stored.has(`${subject.sha256}\n${subject.filename}`)) {
        const d = await this.judge.decide(subject);
        out.push({ file, subject, version, state: d.state, results: d.decision.results });
      } else {
        const facts = await this.judge.storedFacts(subject.sha256);
        const decision = this.judge.evaluate(subject, facts);
        out.push({ file, subject, version, state: listingState(decision), results: decision.results });
      }
    }
    return out;
  }

  private mark(sourced: SourcedPage, listed: Listed[], projectQuarantine: RuleResult[], checking: ReadonlySet<string> | undefined): SimpleProjectPage {
    const byName = new Map(listed.map((l) => [l.file.filename, l]));
    // A file still being checked is passed over while an older release can be served, rather than refused at its
    // download if the check finds something; a project with nothing else to offer lists it (checked at download).
    const usable = (l: Listed) => (l.state === 'pending' || SERVED_STATES.has(l.state)) && !checking?.has(l.file.filename);
    const holdChecked = checking !== undefined && checking.size > 0 && listed.some(usable);
    const files: SimpleFile[] = sourced.page.files.map((f) => {
      const l = byName.get(f.filename);
      if (projectQuarantine.length > 0) return { ...f, yanked: `quarantined by policy: ${projectQuarantine[0]!.message}` };
      if (!l) return f;
      if (holdChecked && l.state === 'pending' && checking!.has(f.filename)) {
        return { ...f, yanked: 'being checked by the gateway before it is served; try again in a minute' };
      }
      if (REFUSED.has(l.state)) {
        const reasons = enforcedReasons(l.results, new Set(['block', 'quarantine']));
        const what = l.state === 'quarantined' ? 'quarantined by policy' : 'refused by policy';
        return { ...f, yanked: `${what}: ${reasons[0]?.message ?? l.state}` };
      }
      if (l.state === 'warned') {
        const reasons = enforcedReasons(l.results, new Set(['warn']));
        const own = typeof f.yanked === 'string' && f.yanked !== '' ? `${f.yanked}; ` : '';
        return { ...f, yanked: `${own}policy warning: ${reasons[0]?.message ?? 'see gatehouse explain'}` };
      }
      return f;
    });
    const page: SimpleProjectPage = { ...sourced.page, files };
    if (projectQuarantine.length > 0) page.projectStatus = { status: 'quarantined', reason: projectQuarantine.map((r) => r.message).join('; ') };
    return page;
  }

  /**
   * Scans the newest releases' files before they are listed (bounded, see the module comment). True when any
   * decision was made, so the caller lists again.
   */
  private async prescan(sourced: SourcedPage, listed: Listed[]): Promise<boolean> {
    const running = this.prescans.get(sourced.project);
    if (running) {
      await this.wait(running);
      return true;
    }
    const plan = this.plan(listed);
    if (plan.length === 0) return false;
    const work = this.scanReleases(sourced.project, plan).finally(() => {
      this.prescans.delete(sourced.project);
      this.changed(sourced.project);
    });
    this.prescans.set(sourced.project, work);
    await this.wait(work);
    return true;
  }

  private wait(work: Promise<void>): Promise<void> {
    return Promise.race([work.catch(() => undefined), new Promise<void>((r) => setTimeout(r, this.prescanOptions.waitMs).unref())]);
  }

  /** The newest releases, each with the files to scan, until one has a served file that needs no scan. */
  private plan(listed: Listed[]): Listed[][] {
    const releases = new Map<string, Listed[]>();
    for (const l of listed) {
      if (l.version === null) continue;
      const key = l.version.canonical;
      releases.set(key, [...(releases.get(key) ?? []), l]);
    }
    const ordered = [...releases.values()].sort((a, b) => b[0]!.version!.compare(a[0]!.version!));
    const finals = ordered.filter((r) => !r[0]!.version!.isPrerelease);
    const plan: Listed[][] = [];
    let budget = this.prescanOptions.maxBytes;
    for (const release of (finals.length > 0 ? finals : ordered).slice(0, this.prescanOptions.releases)) {
      const candidates = release.filter((l) => l.state === 'pending' || SERVED_STATES.has(l.state));
      if (candidates.length === 0) continue; // refused already: resolvers pass it over
      const pending = candidates.filter((l) => l.state === 'pending');
      if (pending.length === 0) break; // this release is served and decided: it is what resolvers take
      const picked = pending
        .sort((a, b) => rank(a) - rank(b) || (a.file.size || UNKNOWN_SIZE) - (b.file.size || UNKNOWN_SIZE))
        .slice(0, this.prescanOptions.filesPerRelease)
        .filter((l) => {
          const size = l.file.size || UNKNOWN_SIZE;
          if (size > budget) return false;
          budget -= size;
          return true;
        });
      if (picked.length === 0) break;
      plan.push(picked);
    }
    return plan;
  }

  private async scanReleases(project: string, plan: Listed[][]): Promise<void> {
    const checking = new Set(plan.flat().map((l) => l.file.filename));
    this.checking.set(project, checking);
    try {
      await this.scanPlanned(plan, checking);
    } finally {
      this.checking.delete(project);
    }
  }

  private async scanPlanned(plan: Listed[][], checking: Set<string>): Promise<void> {
    for (const release of plan) {
      const decided = await Promise.all(
        release.map(async (l): Promise<FileDecision | null> => {
          try {
            const built = this.builtHere(l.subject.sha256, l.subject.filename);
            if (built !== undefined) return await this.judge.decide(l.subject, built);
            const found = await this.files!.find(l.subject.sha256, l.subject.filename);
            if (found.kind !== 'listed') return this.judge.decide(l.subject);
            const path = await this.files!.fetchForCheck(found);
            return await this.judge.decide(l.subject, path);
          } catch (err) {
            this.onError(err, `scanning ${l.subject.filename} before listing it`);
            return null;
          } finally {
            checking.delete(l.file.filename);
          }
        }),
      );
      // A release with a file the policy serves is what resolvers will take: no need to look further down.
      if (decided.some((d) => d !== null && SERVED_STATES.has(d.state))) return;
      if (decided.every((d) => d === null)) return;
    }
  }

  async file(request: FileRequest): Promise<FileAdmission> {
    const project = this.judge.state.engine.project({ project: request.project, source: request.source });
    if (project.outcome === 'block') throw nameRefusal(request.project, project.results);
    const subject = await this.subjectOf(request);
    const decided = await this.judge.decide(subject);
    if (SERVED_STATES.has(decided.state)) return {};
    if (decided.state !== 'pending') throw new PolicyRefusal(decided.decisionId, decided.state, refusalMessage(decided));
    return {
      contentCheck: async (path: string) => {
        const checked = await this.judge.decide(subject, path);
        this.changed(request.project);
        if (!SERVED_STATES.has(checked.state)) throw new PolicyRefusal(checked.decisionId, checked.state, refusalMessage(checked));
      },
    };
  }

  private async subjectOf(request: FileRequest): Promise<FileSubject> {
    const sha256 = request.file.hashes['sha256'];
    if (sha256 === undefined) throw new GatehouseError('policy.unverifiable', `${request.file.filename} has no sha256 to decide on`, 403);
    const subject = subjectFor({ project: request.project, source: request.source }, request.file);
    if (subject === null) throw new GatehouseError('policy.invalid-filename', `${request.file.filename} is not a distribution file name`, 403);
    if (subject.uploadTime === undefined) {
      // A cached file whose page is not at hand: the upload time its first decision recorded.
      const stored = await this.judge.stored(sha256, request.file.filename);
      const inputs = stored ? (JSON.parse(stored.inputs) as { uploadTime?: string | null }) : {};
      if (inputs.uploadTime) subject.uploadTime = inputs.uploadTime;
    }
    return subject;
  }
}

/** A project refused by its name: pip prints the reason phrase (at -vv for a page). */
function nameRefusal(project: string, results: readonly RuleResult[]): PolicyRefusal {
  const reasons = enforcedReasons(results, new Set(['block'])).map((r) => {
    const target = r.finding?.evidence?.target;
    return r.rule === 'name.typosquat' && target ? `'${project}' looks like a typosquat of '${String(target)}': ${r.message}` : r.message;
  });
  return new PolicyRefusal(null, 'refused', `refused by policy: ${reasons.join('; ') || `'${project}'`}`);
}

/** Wheels that install anywhere first, then sdists, then the rest: what most clients would take. */
function rank(l: Listed): number {
  if (l.file.filename.endsWith('-none-any.whl')) return 0;
  if (!l.file.filename.endsWith('.whl')) return 1;
  return 2;
}

function subjectFor(source: { project: string; source: string }, file: SimpleFile): FileSubject | null {
  const sha256 = file.hashes['sha256'];
  if (sha256 === undefined) return null;
  let version: string;
  try {
    version = parseDistFilename(file.filename, source.project).version;
  } catch {
    return null;
  }
  const subject: FileSubject = { project: source.project, source: source.source, version, filename: file.filename, sha256 };
  if (file.uploadTime !== undefined) subject.uploadTime = file.uploadTime;
  return subject;
}
