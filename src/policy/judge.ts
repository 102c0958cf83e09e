/**
 * Decisions about files, kept: the engine decides (engine.ts), this part gathers the inputs (the scan of the file's
 * bytes, done once per sha256 and scanner, in the scan pool), applies quarantine reviews, stores each file's
 * current decision, and writes every change to the decision log.
 *
 * A decision is recomputed whenever it is asked for (the engine is cheap; the scan is cached), because some inputs
 * move with time (a release's age) and others with the policy or the vulnerability database; what is stored is the
 * latest, with the revisions it was made under. A re-evaluation walks every stored decision after a policy reload
 * or a database update, and releases quarantines whose reasons have gone.
 */
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { defaultRulesDir } from '../analyze/rulebook/rulebook.js';
import type { ScanPool } from '../analyze/scan-pool.js';
import { GatehouseError } from '../errors.js';
import { parseCoreMetadata, type CoreMetadata } from '../pep/metadata.js';
import { shippedPath } from '../paths.js';
import { plainJson, SYSTEM_ACTOR, type JsonObject, type NewLogEntry } from '../store/decision-log/index.js';
import type { DecisionRow, DecisionStore, NewDecision } from '../store/decisions.js';
import type { FileState } from '../store/schema.js';
import type { ContentFacts, Decision, FileSubject, RuleResult, WheelOptionRefusal } from './engine.js';
import type { PolicyState } from './policy-state.js';
import type { Outcome } from './policy.js';

export interface JudgeObserver {
  decided?(event: { subject: FileSubject; state: FileState; outcome: Outcome; results: RuleResult[]; changed: boolean }): void;
  scanned?(event: { sha256: string; filename: string; verdict: string; durationMs: number }): void;
  autoReleased?(event: { sha256: string; filename: string; project: string }): void;
}

export interface FileDecision {
  decisionId: string;
  state: FileState;
  decision: Decision;
  subject: FileSubject;
}

/** Files in these states are served. */
export const SERVED_STATES: ReadonlySet<FileState> = new Set(['allowed', 'warned', 'released']);

/** The scanner and its rules: a scan made by another is redone. */
export function scannerRevision(): string {
  const hash = createHash('sha256');
  hash.update(JSON.parse(readFileSync(shippedPath('package.json'), 'utf8')).version as string);
  // The scanner's rules are the YAML files at the top of rules/ (the sandbox's behaviour rules have their own folder).
  for (const file of readdirSync(defaultRulesDir).filter((f) => /\.ya?ml$/.test(f)).sort()) hash.update(file).update(readFileSync(join(defaultRulesDir, file)));
  return hash.digest('hex').slice(0, 16);
}

/** A policy refusal as the client meets it: 403, the reason in the status line, the decision's id in the body. */
export class PolicyRefusal extends GatehouseError {
  constructor(
    readonly decisionId: string | null,
    readonly state: FileState | 'refused',
    message: string,
  ) {
    super(`policy.${state}`, decisionId ? `${message} (decision ${decisionId})` : message, 403);
  }
}

export function refusalMessage(d: FileDecision): string {
  const reasons = d.decision.results.filter((r) => !r.waivedBy && !r.allowedBy && r.mode === 'enforce' && r.outcome !== 'allow' && r.outcome !== 'warn');
  const what = d.state === 'quarantined' ? 'held in quarantine for review' : d.state === 'rejected' ? 'rejected after review' : 'refused by policy';
  // The rule ids first: a reason phrase is cut at 300 characters, and the ids say the most in the fewest.
  const rules = [...new Set(reasons.map((r) => r.rule))].join(', ');
  return `${d.subject.filename} is ${what}${rules ? ` (${rules})` : ''}: ${reasons.map((r) => r.message).join('; ') || 'see gatehouse explain'}`;
}

function stateOf(decision: Decision, review: { action: 'release' | 'reject'; rules: string[] } | undefined): FileState {
  if (decision.outcome === 'block') return 'blocked';
  if (decision.outcome === 'quarantine') {
    const holding = decision.results.filter((r) => r.outcome === 'quarantine' && !r.waivedBy && !r.allowedBy && r.mode === 'enforce').map((r) => r.rule);
    if (review?.action === 'reject') return 'rejected';
    if (review?.action === 'release' && holding.every((rule) => review.rules.includes(rule))) return 'released';
    return 'quarantined';
  }
  if (decision.pendingContent) return 'pending';
  return decision.outcome === 'warn' ? 'warned' : 'allowed';
}

function fingerprint(d: { state: FileState; results: RuleResult[] }): string {
  return JSON.stringify([d.state, d.results.map((r) => [r.rule, r.outcome, r.mode, Boolean(r.waivedBy), Boolean(r.allowedBy)]).sort()]);
}

function newDecisionId(): string {
  return `d-${randomBytes(6).toString('base64url')}`;
}

export class Judge {
  private readonly scanner = scannerRevision();
  private readonly scanning = new Map<string, Promise<ContentFacts>>();
  private wheelOption: (subject: FileSubject) => WheelOptionRefusal | undefined = () => undefined;

  constructor(
    readonly state: PolicyState,
    private readonly store: DecisionStore,
    private readonly scans: ScanPool,
    private readonly observer: JudgeObserver = {},
  ) {}

  /** Where the wheel option's refusals come from (index/wheel-source-gate.ts): an input of every file decision. */
  useWheelOption(refusal: (subject: FileSubject) => WheelOptionRefusal | undefined): void {
    this.wheelOption = refusal;
  }

  /** The engine's decision on a file with what is known of it now (no store involved). */
  evaluate(subject: FileSubject, facts: ContentFacts | undefined): Decision {
    return this.state.engine.file(subject, facts, this.wheelOption(subject));
  }

  /** The scan of a file's bytes: stored by sha256, or made now in the scan pool (once, however many ask). */
  async contentFacts(sha256: string, filename: string, path: string): Promise<ContentFacts> {
    const stored = await this.storedFacts(sha256);
    if (stored) return stored;
    let running = this.scanning.get(sha256);
    if (!running) {
      running = this.scan(sha256, filename, path).finally(() => this.scanning.delete(sha256));
      this.scanning.set(sha256, running);
    }
    return running;
  }

  /** The stored scan of a file by this scanner, if there is one. */
  async storedFacts(sha256: string): Promise<ContentFacts | undefined> {
    const row = await this.store.scan(sha256);
    if (!row || row.scanner !== this.scanner) return undefined;
    return { scan: { verdict: row.verdict, reasons: JSON.parse(row.reasons) as string[] }, metadata: readMetadata(row.metadata) };
  }

  private async scan(sha256: string, filename: string, path: string): Promise<ContentFacts> {
    const kind = filename.endsWith('.whl') ? 'wheel' : 'sdist';
    const outcome = await this.scans.scan(path, filename, kind);
    await this.store.putScan({
      sha256,
      scanner: this.scanner,
      verdict: outcome.verdict,
      reasons: JSON.stringify(outcome.reasons),
      findings: JSON.stringify(outcome.findings),
      metadata: outcome.metadata,
      duration_ms: outcome.durationMs,
      scanned_at: new Date().toISOString(),
    });
    this.observer.scanned?.({ sha256, filename, verdict: outcome.verdict, durationMs: outcome.durationMs });
    return { scan: { verdict: outcome.verdict, reasons: outcome.reasons }, metadata: readMetadata(outcome.metadata) };
  }

  /**
   * A file's decision now, with its content when its bytes are at `contentPath` (scanned if need be) or already
   * scanned; stored, and logged when it changed.
   */
  async decide(subject: FileSubject, contentPath?: string, actor = SYSTEM_ACTOR): Promise<FileDecision> {
    const facts = contentPath !== undefined ? await this.contentFacts(subject.sha256, subject.filename, contentPath) : await this.storedFacts(subject.sha256);
    const decision = this.evaluate(subject, facts);
    const review = await this.store.review(subject.sha256, subject.filename);
    const state = stateOf(decision, review && { action: review.action, rules: JSON.parse(review.rules) as string[] });
    const before = await this.store.decision(subject.sha256, subject.filename);
    const changed = !before || fingerprint({ state: before.state, results: JSON.parse(before.results) as RuleResult[] }) !== fingerprint({ state, results: decision.results });
    const decisionId = changed || !before ? newDecisionId() : before.decision_id;
    const { policy, db } = this.state.revisions;
    const row: NewDecision = {
      decision_id: decisionId,
      sha256: subject.sha256,
      filename: subject.filename,
      project: subject.project,
      version: subject.version,
      source: subject.source,
      state,
      outcome: decision.outcome,
      would_be: decision.wouldBe,
      results: JSON.stringify(decision.results),
      inputs: JSON.stringify({ ...decision.inputs, uploadTime: subject.uploadTime ?? null }),
      pending_content: decision.pendingContent ? 1 : 0,
      policy_revision: policy,
      db_revision: db,
      decided_at: new Date().toISOString(),
    };
    if (changed) {
      const logSubject = { project: subject.project, version: subject.version, filename: subject.filename, sha256: subject.sha256 };
      const entries: NewLogEntry[] = [
        {
          kind: 'decision',
          actor,
          subject: logSubject,
          payload: plainJson<JsonObject>({
            decision: decisionId,
            source: subject.source,
            state,
            outcome: decision.outcome,
            wouldBe: decision.wouldBe,
            previous: before ? { decision: before.decision_id, state: before.state } : null,
            results: decision.results.map((r) => ({ rule: r.rule, outcome: r.outcome, mode: r.mode, message: r.message, waivedBy: r.waivedBy?.reason, allowedBy: r.allowedBy })),
            inputs: decision.inputs,
            policyRevision: policy,
            dbRevision: db,
          }),
        },
      ];
      const autoReleased = before?.state === 'quarantined' && state !== 'quarantined' && state !== 'rejected';
      if (autoReleased) {
        entries.push({
          kind: 'quarantine.auto-release',
          actor: SYSTEM_ACTOR,
          subject: logSubject,
          payload: { decision: decisionId, state, reason: 'the reasons for the quarantine no longer apply' },
        });
      }
      await this.store.record({ decision: row, log: entries });
      if (autoReleased) this.observer.autoReleased?.({ sha256: subject.sha256, filename: subject.filename, project: subject.project });
    } else if (!before || before.policy_revision !== policy || before.db_revision !== db) {
      await this.store.putDecision(row);
    }
    this.observer.decided?.({ subject, state, outcome: decision.outcome, results: decision.results, changed });
    return { decisionId, state, decision, subject };
  }

  /** Releases or rejects a quarantined file; the review covers the rules that hold it now. */
  async review(sha256: string, filename: string, action: 'release' | 'reject', reason: string, actor: string): Promise<FileDecision> {
    const row = await this.store.decision(sha256, filename);
    if (!row) throw new GatehouseError('quarantine.unknown', `no decision is stored for ${filename} (${sha256})`, 404);
    if (row.state !== 'quarantined' && !(action === 'release' && row.state === 'rejected')) {
      throw new GatehouseError('quarantine.not-quarantined', `${filename} is ${row.state}, not in quarantine`, 409);
    }
    if (reason.trim() === '') throw new GatehouseError('quarantine.reason', `a ${action} needs a reason`, 400);
    const results = JSON.parse(row.results) as RuleResult[];
    const rules = results.filter((r) => r.outcome === 'quarantine').map((r) => r.rule);
    await this.store.record({
      review: { sha256, filename, action, reason, actor, rules: JSON.stringify(rules), reviewed_at: new Date().toISOString() },
      log: [{ kind: `quarantine.${action}`, actor, subject: { project: row.project, version: row.version, filename, sha256 }, payload: { decision: row.decision_id, reason, rules } }],
    });
    return this.decide(subjectOf(row), undefined, actor);
  }

  /** Re-decides every stored decision (after a reload or a database update): returns how many changed state. */
  async reevaluate(): Promise<{ checked: number; changed: number }> {
    let changed = 0;
    const rows = await this.store.list();
    for (const row of rows) {
      const before = row.state;
      const after = await this.decide(subjectOf(row));
      if (after.state !== before) changed++;
    }
    return { checked: rows.length, changed };
  }

  stored(sha256: string, filename: string): Promise<DecisionRow | undefined> {
    return this.store.decision(sha256, filename);
  }

  /** Changes whenever any stored decision or review changes, in any process sharing the database. */
  decisionsSerial(): Promise<number> {
    return this.store.serial();
  }

  /** The stored decisions of a project's files, by `sha256 \n filename`. */
  async storedForProject(project: string): Promise<Map<string, DecisionRow>> {
    const rows = await this.store.list({ project });
    return new Map(rows.map((r) => [`${r.sha256}\n${r.filename}`, r]));
  }
}

/** The subject a stored decision was about. */
export function subjectOf(row: DecisionRow): FileSubject {
  const inputs = JSON.parse(row.inputs) as { uploadTime?: string | null };
  const subject: FileSubject = { project: row.project, source: row.source, version: row.version, filename: row.filename, sha256: row.sha256 };
  if (inputs.uploadTime) subject.uploadTime = inputs.uploadTime;
  return subject;
}

function readMetadata(text: string | null): CoreMetadata | null {
  if (text === null) return null;
  try {
    return parseCoreMetadata(text);
  } catch {
    return null;
  }
}
