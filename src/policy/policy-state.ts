/**
 * The policy in force and what it decides with: the engine, the name gate, the vulnerability database, and the
 * revisions decisions are keyed by. A change to the policy file (watched) or a new vulnerability database revision
 * (`gatehouse vulndb update`, polled) swaps them in without a restart; listeners then re-evaluate.
 */
import { EventEmitter } from 'node:events';
import { unwatchFile, watchFile } from 'node:fs';
import type { NameGate } from '../analyze/names/gate.js';
import type { VulnDb } from '../vulndb/database.js';
import { PolicyEngine } from './engine.js';
import { loadPolicy, type LoadedPolicy } from './policy-file.js';
import { policyRevision, type Policy } from './policy.js';

export interface PolicyStateOptions {
  /** The gateway's config file, whose `[policy.*]` tables (or `[policy] file`) are the policy; null: defaults. */
  configFile: string | null;
  /** Where the vulnerability database lives (built from the shipped snapshot on first use). */
  dataDir: string;
  /** A policy given directly (tests, `gatehouse policy check`); the config file is then not read. */
  policy?: Policy;
  now?: () => Date;
}

export interface Revisions {
  policy: string;
  db: string;
}

export class PolicyState extends EventEmitter {
  private current: { loaded: LoadedPolicy; engine: PolicyEngine; revisions: Revisions };
  private nameGate: NameGate | null = null;
  private vulndb: VulnDb | null = null;
  private timers: Array<ReturnType<typeof setInterval>> = [];
  private watched: string | null = null;

  private constructor(
    private readonly options: PolicyStateOptions,
    loaded: LoadedPolicy,
  ) {
    super();
    this.current = { loaded, engine: null as unknown as PolicyEngine, revisions: { policy: '', db: '' } };
  }

  static async open(options: PolicyStateOptions): Promise<PolicyState> {
    const loaded = options.policy ? { path: null, policy: options.policy } : loadPolicy(options.configFile);
    const state = new PolicyState(options, loaded);
    await state.install(loaded);
    return state;
  }

  get policy(): Policy {
    return this.current.loaded.policy;
  }

  get engine(): PolicyEngine {
    return this.current.engine;
  }

  get revisions(): Revisions {
    return this.current.revisions;
  }

  /** The file the policy was read from, if any. */
  get path(): string | null {
    return this.current.loaded.path;
  }

  private async install(loaded: LoadedPolicy): Promise<void> {
    const v = loaded.policy.vulnerabilities;
    const needsVulns = v.malware !== 'allow' || v.blockSeverity !== 'none' || v.warnSeverity !== 'none' || v.block.length > 0;
    if (needsVulns && this.vulndb === null) {
      // Built from the shipped snapshot on first use (about a second): only when a rule asks about advisories.
      const { openVulnDb } = await import('../vulndb/database.js');
      this.vulndb = await openVulnDb(this.options.dataDir);
    }
    const needsNames = loaded.policy.names.typosquat !== 'allow' || loaded.policy.names.unknown !== 'allow';
    if (needsNames && this.nameGate === null) {
      // About a second and some tens of MB: only when a rule asks for the name gate.
      const [{ loadNameCorpus }, { createNameGate }] = await Promise.all([import('../analyze/names/corpus.js'), import('../analyze/names/gate.js')]);
      this.nameGate = createNameGate(loadNameCorpus());
    }
    const engine = new PolicyEngine(loaded.policy, {
      nameGate: needsNames ? this.nameGate : null,
      vulndb: needsVulns ? this.vulndb : null,
      now: this.options.now ?? (() => new Date()),
    });
    this.current = { loaded, engine, revisions: { policy: policyRevision(loaded.policy), db: this.vulndb?.revision ?? 'none' } };
  }

  /**
   * Reads the policy file again. An invalid file changes nothing (the error is returned for the log); a valid one
   * with other content is installed, and `change` is emitted.
   */
  async reload(): Promise<{ changed: boolean; error?: Error }> {
    if (this.options.policy) return { changed: false };
    let loaded: LoadedPolicy;
    try {
      loaded = loadPolicy(this.options.configFile);
    } catch (err) {
      return { changed: false, error: err as Error };
    }
    if (policyRevision(loaded.policy) === this.current.revisions.policy) return { changed: false };
    const before = this.current.revisions;
    await this.install(loaded);
    this.emit('change', { reason: 'policy', before, after: this.current.revisions });
    return { changed: true };
  }

  /** Opens the vulnerability database again when a newer revision was written; `change` when it was. */
  async refreshVulnDb(): Promise<boolean> {
    if (this.vulndb === null) return false;
    const { openVulnDb } = await import('../vulndb/database.js');
    const db = await openVulnDb(this.options.dataDir);
    if (db.revision === this.vulndb?.revision) {
      db.close();
      return false;
    }
    const before = this.current.revisions;
    this.vulndb?.close();
    this.vulndb = db;
    await this.install(this.current.loaded);
    this.emit('change', { reason: 'vulndb', before, after: this.current.revisions });
    return true;
  }

  /** Watches the policy file (polling, so an editor's replace-by-rename is seen) and the database's revision. */
  watch(options: { fileIntervalMs?: number; dbIntervalMs?: number; onError?: (err: Error, what: string) => void } = {}): void {
    const onError = options.onError ?? (() => undefined);
    const path = this.current.loaded.path;
    if (path !== null && !this.options.policy) {
      this.watched = path;
      watchFile(path, { interval: options.fileIntervalMs ?? 2000, persistent: false }, (now, before) => {
        if (now.mtimeMs === before.mtimeMs && now.size === before.size) return;
        this.reload().then(
          (r) => r.error && onError(r.error, `reloading the policy from ${path}`),
          (err: Error) => onError(err, `reloading the policy from ${path}`),
        );
      });
    }
    const timer = setInterval(() => {
      this.refreshVulnDb().catch((err: Error) => onError(err, 'reopening the vulnerability database'));
    }, options.dbIntervalMs ?? 60_000);
    timer.unref();
    this.timers.push(timer);
  }

  close(): void {
    if (this.watched !== null) unwatchFile(this.watched);
    for (const t of this.timers) clearInterval(t);
    this.vulndb?.close();
  }
}
