/**
 * What the index and the upstream clients report, turned into metrics and log lines: the server owns both.
 * Labels stay bounded (upstream names, kinds, outcomes); project and file names go to logs only.
 */
import type { FastifyInstance } from 'fastify';
import type { ConfusionAlert } from '../index/confusion-watch.js';
import type { ProxiedFilesObserver } from '../index/proxied-files.js';
import type { UpstreamSourceObserver } from '../index/upstream-source.js';
import type { UpstreamEvents } from '../upstream/index.js';
import type { GatewayMetrics } from './metrics.js';

const CIRCUIT_STATES = { closed: 0, 'half-open': 1, open: 2 } as const;

export function observeGateway(
  app: FastifyInstance,
  metrics: GatewayMetrics,
): {
  upstreamEvents: UpstreamEvents;
  sourceObserver: UpstreamSourceObserver;
  filesObserver: ProxiedFilesObserver;
  onAlert: (alert: ConfusionAlert) => void;
  onError: (err: unknown, what: string) => void;
} {
  return {
    onAlert(alert) {
      if (!alert.first) return;
      metrics.alerts.inc({ kind: alert.kind });
      app.log.warn(
        { alert: 'dependency-confusion', project: alert.project, upstream: alert.upstream, kind: alert.kind, via: alert.via },
        `dependency confusion: upstream ${alert.upstream} has a project named '${alert.project}', which is ${alert.kind} here; it is never served from there`,
      );
    },
    onError(err, what) {
      app.log.error({ err }, `${what} failed`);
    },
    upstreamEvents: {
      onRequest(e) {
        metrics.upstreamRequests.inc({ upstream: e.upstream, kind: e.kind, outcome: e.outcome });
        metrics.upstreamLatency.observe({ upstream: e.upstream, kind: e.kind }, e.durationMs / 1000);
        if (e.outcome === 'error') {
          app.log.warn({ upstream: e.upstream, kind: e.kind, attempt: e.attempt, status: e.status, reason: e.reason }, `upstream ${e.upstream}: ${e.kind} request failed`);
        }
      },
      onRetry(e) {
        metrics.upstreamRetries.inc({ upstream: e.upstream, kind: e.kind });
      },
      onCircuitChange(e) {
        metrics.upstreamCircuit.set({ upstream: e.upstream }, CIRCUIT_STATES[e.to]);
        const log = e.to === 'open' ? app.log.error.bind(app.log) : app.log.warn.bind(app.log);
        log({ upstream: e.upstream, from: e.from, to: e.to, reason: e.reason }, `upstream ${e.upstream}: circuit ${e.to} (${e.reason})`);
      },
      onBytes(e) {
        metrics.upstreamBytes.inc({ upstream: e.upstream, kind: e.kind }, e.bytes);
      },
      onPageIssue(e) {
        app.log.info({ upstream: e.upstream, project: e.project, issue: e.issue }, `upstream ${e.upstream}: a link on the page of ${e.project} was left out`);
      },
    },
    sourceObserver: {
      page(e) {
        metrics.proxyPages.inc(e.upstream, e.status);
      },
      stale(e) {
        app.log.warn({ upstream: e.upstream, project: e.project, ageSeconds: e.ageSeconds, reason: e.reason }, `serving the cached page of ${e.project} stale: ${e.reason}`);
      },
      skippedFiles(e) {
        app.log.info(
          { upstream: e.upstream, project: e.project, count: e.count, first: e.first },
          `upstream ${e.upstream}: ${e.count} file(s) of ${e.project} are not served because the page gives no sha256 for them (or lists them twice)`,
        );
      },
    },
    filesObserver: {
      file(e) {
        metrics.proxyFiles.inc({ upstream: e.upstream, result: e.result });
      },
      stored(e) {
        app.log.info({ upstream: e.upstream, project: e.project, filename: e.filename, sha256: e.sha256, size: e.size }, 'file fetched, verified and cached');
      },
      commitFailed(e) {
        app.log.error({ err: e.error, key: e.key }, 'a verified download could not be stored; it will be fetched again on its next request');
      },
    },
  };
}
