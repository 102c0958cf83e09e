/**
 * The sandbox builds behind the gateway's wheel option (index/wheel-source-gate.ts). A check takes a release's
 * pure-Python wheel and its sdist (fetched into the gateway's cache, verified against their listed sha256), rebuilds
 * the wheel from the sdist in the sandbox, compares the two (rebuild.ts), and keeps the outcome in the built-wheel
 * store: the build keyed by the sdist's sha256, the comparison by both hashes. A stored outcome is read back after a
 * restart; a build already kept for the sdist is reused.
 *
 * Builds are slow and take a core each, so they are bounded: `concurrency` at once (1 by default), the rest waiting
 * in the order asked; one check per pair however many ask. A check that fails for want of the sandbox or of the files
 * (not for what the sdist does) is not stored: it is forgotten after a while, and tried again.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BuildResult } from './build.js';
import type { BuiltWheelStore } from './built-store.js';
import type { SandboxHost } from './host.js';
import type { SandboxLimits } from './limits.js';
import { rebuildAndCompare, type RebuildCheck, type RebuildDecision } from './rebuild.js';
import type { BuiltWheel, CheckablePair, WheelCheckStatus, WheelChecks } from '../index/wheel-source-gate.js';

export interface GatewayBuildsObserver {
  queued?(event: { pair: CheckablePair; waiting: number }): void;
  started?(event: { pair: CheckablePair }): void;
  finished?(event: { pair: CheckablePair; status: WheelCheckStatus; durationMs: number; behaviour: number }): void;
  failed?(event: { pair: CheckablePair; error: unknown }): void;
}

export interface GatewayBuildsOptions {
  store: BuiltWheelStore;
  /** A local path of a proxied file's verified bytes (fetched into the cache first when need be). */
  localCopy(sha256: string, filename: string): Promise<string>;
  host: () => Promise<SandboxHost>;
  /** Where build dependencies are resolved from: the gateway's own index, known once it listens. */
  indexUrl: () => string;
  /** Fetched build dependencies and build environments. */
  cacheDir: string;
  concurrency: number;
  limits?: Partial<SandboxLimits>;
  /** Signs the provenance of a new build (sign/provenance.ts). */
  attest: (build: BuildResult) => string;
  observer?: GatewayBuildsObserver;
}

/** What the store keeps of a check (rebuild.ts `finish`). */
interface StoredCheck {
  decision: RebuildDecision;
  reason: string;
  comparison?: { differences: { detail: string }[] };
  build: { wheel?: { filename: string; sha256: string; size: number } };
}

/** A check that failed for the gateway's own reasons is tried again after this long. */
const RETRY_AFTER_MS = 10 * 60_000;
/** Outcomes remembered in memory; the store has them all. */
const MAX_REMEMBERED = 10_000;

function pairKey(pair: CheckablePair): string {
  return `${pair.wheel.hashes['sha256']}-${pair.sdist.hashes['sha256']}`;
}

export class GatewayBuilds implements WheelChecks {
  private readonly listeners: ((project: string) => void)[] = [];
  private readonly underWay = new Map<string, { state: 'queued' | 'building'; done: Promise<void> }>();
  private readonly outcomes = new Map<string, WheelCheckStatus & { retryAt?: number }>();
  private readonly builtWheels = new Map<string, BuiltWheel>();
  private readonly waiting: (() => void)[] = [];
  private running = 0;
  private closed = false;

  constructor(private readonly options: GatewayBuildsOptions) {}

  onChange(listener: (project: string) => void): void {
    this.listeners.push(listener);
  }

  /** Checks waiting for a sandbox, and building. */
  counts(): { queued: number; building: number } {
    let building = 0;
    for (const c of this.underWay.values()) if (c.state === 'building') building++;
    return { queued: this.underWay.size - building, building };
  }

  status(pair: CheckablePair): WheelCheckStatus | undefined {
    const key = pairKey(pair);
    const going = this.underWay.get(key);
    if (going) return { state: going.state, reason: going.state === 'queued' ? 'waiting for a sandbox' : 'building in the sandbox' };
    const known = this.outcomes.get(key);
    if (known) {
      if (known.retryAt === undefined || Date.now() < known.retryAt) return known;
      this.outcomes.delete(key);
    }
    const stored = this.options.store.comparison(pair.wheel.hashes['sha256']!, pair.sdist.hashes['sha256']!) as StoredCheck | undefined;
    if (stored === undefined) return undefined;
    return this.remember(key, this.fromStored(stored, pair.sdist.hashes['sha256']!));
  }

  request(pair: CheckablePair, options: { force?: boolean } = {}): Promise<void> {
    const key = pairKey(pair);
    const going = this.underWay.get(key);
    if (going) return going.done;
    if (!options.force && this.status(pair) !== undefined) return Promise.resolve();
    if (this.closed) return Promise.resolve();
    const entry: { state: 'queued' | 'building'; done: Promise<void> } = { state: 'queued', done: Promise.resolve() };
    this.underWay.set(key, entry);
    this.options.observer?.queued?.({ pair, waiting: this.waiting.length + (this.running >= this.options.concurrency ? 1 : 0) });
    entry.done = this.check(pair, key, entry, options.force === true).finally(() => {
      this.underWay.delete(key);
      this.changed(pair.project);
    });
    this.changed(pair.project);
    return entry.done;
  }

  built(sha256: string): BuiltWheel | undefined {
    const known = this.builtWheels.get(sha256);
    if (known) return known;
    const stored = this.options.store.byWheel(sha256);
    if (stored === undefined) return undefined;
    const record = JSON.parse(readFileSync(stored.record, 'utf8')) as BuildResult;
    if (record.wheel?.sha256 !== sha256) return undefined;
    const built: BuiltWheel = { filename: record.wheel.filename, sha256, size: record.wheel.size, sdistSha256: stored.sdistSha256, path: stored.wheel, ...(stored.provenance ? { provenancePath: stored.provenance } : {}) };
    if (this.builtWheels.size >= MAX_REMEMBERED) this.builtWheels.clear();
    this.builtWheels.set(sha256, built);
    return built;
  }

  /** No new check starts; the ones running end. */
  async close(): Promise<void> {
    this.closed = true;
    // The waiting checks each get a slot, see that the gateway is closing, and end.
    const waiting = this.waiting.splice(0);
    this.running += waiting.length;
    for (const start of waiting) start();
    await Promise.all([...this.underWay.values()].map((c) => c.done.catch(() => undefined)));
  }

  private async check(pair: CheckablePair, key: string, entry: { state: 'queued' | 'building' }, force: boolean): Promise<void> {
    await this.slot();
    const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-wheel-check-'));
    try {
      if (this.closed) return;
      entry.state = 'building';
      this.changed(pair.project);
      this.options.observer?.started?.({ pair });
      const sdistSha256 = pair.sdist.hashes['sha256']!;
      if (force) {
        this.options.store.forget(sdistSha256);
        for (const k of [...this.outcomes.keys()]) if (k.endsWith(`-${sdistSha256}`)) this.outcomes.delete(k);
        this.builtWheels.clear();
      }
      const started = Date.now();
      // The build and the comparison read file names: the cache keeps bytes under their sha256.
      const local = async (file: CheckablePair['wheel']) => {
        const path = join(scratch, file.filename);
        copyFileSync(await this.options.localCopy(file.hashes['sha256']!, file.filename), path);
        return path;
      };
      const [wheel, sdist] = [await local(pair.wheel), await local(pair.sdist)];
      const check = await rebuildAndCompare(wheel, sdist, {
        host: await this.options.host(),
        indexUrl: this.options.indexUrl(),
        cacheDir: this.options.cacheDir,
        outDir: join(scratch, 'out'),
        store: this.options.store,
        attest: this.options.attest,
        ...(this.options.limits ? { limits: this.options.limits } : {}),
      });
      const status = this.remember(key, this.fromCheck(check));
      this.options.observer?.finished?.({ pair, status, durationMs: Date.now() - started, behaviour: check.build.findings.length });
    } catch (error) {
      this.remember(key, { state: 'not-rebuilt', reason: `the check could not run: ${(error as Error).message}`, retryAt: Date.now() + RETRY_AFTER_MS });
      this.options.observer?.failed?.({ pair, error });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
      this.release();
    }
  }

  private fromCheck(check: RebuildCheck): WheelCheckStatus {
    const wheel = check.build.status === 'built' ? check.build.wheel : undefined;
    const stored = check.stored?.wheel;
    return {
      state: check.decision,
      reason: check.reason,
      ...(wheel && stored
        ? { built: { filename: wheel.filename, sha256: wheel.sha256, size: wheel.size, sdistSha256: check.build.sdist.sha256, path: stored, ...(check.stored?.provenance ? { provenancePath: check.stored.provenance } : {}) } }
        : {}),
      ...(check.comparison ? { differences: check.comparison.differences.map((d) => d.detail) } : {}),
      finishedAt: new Date().toISOString(),
    };
  }

  private fromStored(stored: StoredCheck, sdistSha256: string): WheelCheckStatus {
    const kept = this.options.store.lookup(sdistSha256);
    const wheel = stored.build.wheel;
    return {
      state: stored.decision,
      reason: stored.reason,
      ...(wheel && kept
        ? { built: { filename: wheel.filename, sha256: wheel.sha256, size: wheel.size, sdistSha256, path: kept.wheel, ...(kept.provenance ? { provenancePath: kept.provenance } : {}) } }
        : {}),
      ...(stored.comparison ? { differences: stored.comparison.differences.map((d) => d.detail) } : {}),
    };
  }

  private remember(key: string, status: WheelCheckStatus & { retryAt?: number }): WheelCheckStatus {
    if (this.outcomes.size >= MAX_REMEMBERED) this.outcomes.clear();
    this.outcomes.set(key, status);
    return status;
  }

  private changed(project: string): void {
    for (const listener of this.listeners) listener(project);
  }

  private slot(): Promise<void> {
    if (this.running < this.options.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** Hands the slot to the next waiting check, or frees it. */
  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
  }
}
