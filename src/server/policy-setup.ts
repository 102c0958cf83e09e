/**
 * The policy in a running gateway: the policy state (file watched, vulnerability database polled), the scan pool,
 * the judge and the gate; re-evaluation of stored decisions when the policy or the database changes; metrics and
 * log lines for decisions.
 */
import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from '../config/gateway.js';
import { ScanPool } from '../analyze/scan-pool.js';
import { DEFAULT_PRESCAN, PolicyGate, type PrescanOptions } from '../index/policy-gate.js';
import { Judge, type DecisionLogWriter } from '../policy/judge.js';
import { PolicyState } from '../policy/policy-state.js';
import type { Policy } from '../policy/policy.js';
import type { Storage } from '../store/index.js';
import type { GatewayMetrics } from './metrics.js';

export interface GatewayPolicy {
  state: PolicyState;
  judge: Judge;
  gate: PolicyGate;
  scans: ScanPool;
  log: DecisionLogWriter | null;
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
  const log: DecisionLogWriter | null = null;
  let gate: PolicyGate | undefined;
  const judge = new Judge(state, storage.decisions, scans, log, {
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

  state.on('change', (change: { reason: string; before: { policy: string; db: string }; after: { policy: string; db: string } }) => {
    app.log.info({ reason: change.reason, before: change.before, after: change.after }, change.reason === 'policy' ? 'policy reloaded: re-evaluating stored decisions' : 'vulnerability database updated: re-evaluating stored decisions');
    void log;
    judge.reevaluate().then(
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
    log,
    async close() {
      state.close();
      await scans.close();
    },
  };
}
