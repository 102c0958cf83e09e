/**
 * The policy in a running gateway: the policy state (file watched, vulnerability database polled), the scan pool,
 * the judge and the gate; re-evaluation of stored decisions when the policy or the database changes; metrics and
 * log lines for decisions.
 */
import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from '../config/gateway.js';
import { ScanPool } from '../analyze/scan-pool.js';
import { DEFAULT_PRESCAN, PolicyGate, type PrescanOptions } from '../index/policy-gate.js';
import { Judge } from '../policy/judge.js';
import { PolicyState } from '../policy/policy-state.js';
import type { Policy, Waiver } from '../policy/policy.js';
import { SYSTEM_ACTOR, plainJson, type JsonObject, type NewLogEntry } from '../store/decision-log/index.js';
import type { Storage } from '../store/index.js';
import type { GatewayMetrics } from './metrics.js';

export interface GatewayPolicy {
  state: PolicyState;
  judge: Judge;
  gate: PolicyGate;
  scans: ScanPool;
  close(): Promise<void>;
}

export async function openPolicy(
  app: FastifyInstance,
  storage: Storage,
  config: GatewayConfig,
  metrics: GatewayMetrics,
  options: { policy?: Policy; prescan?: PrescanOptions },
): Promise<GatewayPolicy> {
  const state = await PolicyState.open({
    configFile: config.configFile,
    dataDir: config.dataDir,
    ...(options.policy ? { policy: options.policy } : {}),
  });
  const scans = new ScanPool();
  let gate: PolicyGate | undefined;
  const judge = new Judge(state, storage.decisions, scans, {
    decided(e) {
      if (!e.changed) return;
      gate?.changed(e.subject.project);
      metrics.decisions.inc({ state: e.state });
      for (const r of e.results) if (!r.waivedBy && !r.allowedBy) metrics.decisionRules.inc({ rule: r.rule, outcome: r.outcome, mode: r.mode });
      const dryRun = e.results.filter((r) => r.mode === 'dry-run' && r.outcome !== 'allow' && !r.waivedBy);
      const level = e.state === 'blocked' || e.state === 'quarantined' ? 'warn' : 'info';
      app.log[level](
        { project: e.subject.project, version: e.subject.version, filename: e.subject.filename, state: e.state, rules: e.results.map((r) => `${r.rule}:${r.outcome}${r.mode === 'dry-run' ? ':dry-run' : ''}`) },
        `${e.subject.filename}: ${e.state}${dryRun.length > 0 ? ` (dry run would ${dryRun.map((r) => `${r.outcome}: ${r.message}`).join('; ')})` : ''}`,
      );
    },
    scanned(e) {
      metrics.scanDuration.observe({ verdict: e.verdict }, e.durationMs / 1000);
    },
    autoReleased(e) {
      app.log.info({ project: e.project, filename: e.filename, sha256: e.sha256 }, `${e.filename} released from quarantine: the reasons no longer apply`);
    },
  });
  gate = new PolicyGate(judge, options.prescan ?? DEFAULT_PRESCAN, (err, what) => app.log.warn({ err }, `${what} failed`));

  // The policy in force at start is logged when it differs from the last one logged (a restart with the same policy
  // adds nothing); each reload and database update is logged when it happens, with the waivers it added or removed.
  await logPolicyAtStart(storage, state.policy, state.revisions);
  let policyBefore = state.policy;
  state.on('change', (change: { reason: string; before: { policy: string; db: string }; after: { policy: string; db: string } }) => {
    app.log.info({ reason: change.reason, before: change.before, after: change.after }, change.reason === 'policy' ? 'policy reloaded: re-evaluating stored decisions' : 'vulnerability database updated: re-evaluating stored decisions');
    const entries: NewLogEntry[] =
      change.reason === 'policy'
        ? [
            { kind: 'policy.reload', actor: SYSTEM_ACTOR, payload: { file: state.path, revision: change.after.policy, previous: change.before.policy, waivers: plainJson(state.policy.waivers) } },
            ...waiverChanges(policyBefore.waivers, state.policy.waivers),
          ]
        : [{ kind: 'vulndb.update', actor: SYSTEM_ACTOR, payload: { revision: change.after.db, previous: change.before.db } }];
    policyBefore = state.policy;
    storage.decisionLog
      .appendAll(entries)
      .catch((err: unknown) => app.log.error({ err }, 'writing the decision log failed'))
      .then(() => judge.reevaluate())
      .then(
        (r) => app.log.info(r, `re-evaluated ${r.checked} decision(s): ${r.changed} changed state`),
        (err: unknown) => app.log.error({ err }, 're-evaluating decisions failed'),
      );
  });
  state.watch({ onError: (err, what) => app.log.error({ err: { message: err.message } }, `${what} failed; the policy in force stays`) });
  metrics.quarantineCount.read = async () => (await storage.decisions.countsByState()).get('quarantined') ?? 0;
  return {
    state,
    judge,
    gate,
    scans,
    async close() {
      state.close();
      await scans.close();
    },
  };
}

/** Logs the policy a gateway starts with, unless the last `policy.reload` entry already has that revision. */
async function logPolicyAtStart(storage: Storage, policy: Policy, revisions: { policy: string; db: string }): Promise<void> {
  const last = await storage.decisionLog.latest('policy.reload');
  if (last?.payload.revision === revisions.policy) return;
  await storage.decisionLog.appendAll([
    { kind: 'policy.reload', actor: SYSTEM_ACTOR, payload: { revision: revisions.policy, previous: last?.payload.revision ?? null, waivers: plainJson(policy.waivers), at: 'start' } },
    ...waiverChanges((last?.payload.waivers ?? []) as unknown as Waiver[], policy.waivers),
  ]);
}

/** `waiver.added` and `waiver.removed` entries between two policies' waiver lists. */
export function waiverChanges(before: readonly Waiver[], after: readonly Waiver[]): NewLogEntry[] {
  const key = (w: Waiver) => JSON.stringify([w.project, w.version ?? null, w.filename ?? null, w.rule ?? null, w.reason, w.grantedBy, w.expires]);
  const had = new Set(before.map(key));
  const has = new Set(after.map(key));
  const entry = (kind: 'waiver.added' | 'waiver.removed', w: Waiver): NewLogEntry => ({
    kind,
    actor: SYSTEM_ACTOR,
    subject: { project: w.project, version: w.version ?? null, filename: w.filename ?? null },
    payload: plainJson<JsonObject>({ rule: w.rule, reason: w.reason, grantedBy: w.grantedBy, expires: w.expires }),
  });
  return [...after.filter((w) => !had.has(key(w))).map((w) => entry('waiver.added', w)), ...before.filter((w) => !has.has(key(w))).map((w) => entry('waiver.removed', w))];
}
