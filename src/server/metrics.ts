/**
 * Prometheus metrics for one app instance (its own registry, so tests that
 * build several apps do not share counters).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { HotCounter } from './hot-counter.js';

export interface GatewayMetrics {
  registry: Registry;
  requests: HotCounter<'method' | 'route' | 'status'>;
  latency: Histogram<'method' | 'route'>;
  simplePages: HotCounter<'format'>;
  downloads: Counter<'kind'>;
  uploads: Counter<'outcome'>;
  storedBytes: Gauge;
  blobStoreBytes: Gauge;
  blobsCollected: Counter;
  upstreamRequests: Counter<'upstream' | 'kind' | 'outcome'>;
  upstreamLatency: Histogram<'upstream' | 'kind'>;
  upstreamRetries: Counter<'upstream' | 'kind'>;
  upstreamCircuit: Gauge<'upstream'>;
  upstreamBytes: Counter<'upstream' | 'kind'>;
  proxyPages: HotCounter<'upstream' | 'status'>;
  proxyFiles: Counter<'upstream' | 'result'>;
  alerts: Counter<'kind'>;
  decisions: Counter<'state'>;
  decisionRules: Counter<'rule' | 'outcome' | 'mode'>;
  quarantine: Gauge;
  /** Where the quarantine gauge reads its count (the policy sets it once it is open). */
  quarantineCount: { read: () => Promise<number> };
  scanDuration: Histogram<'verdict'>;
  wheelChecks: Counter<'result'>;
  wheelCheckDuration: Histogram<'result'>;
  wheelChecksUnderWay: Gauge<'state'>;
  /** Where the under-way gauge reads its counts (the wheel option sets it once it is open). */
  wheelCheckCounts: { read: () => { queued: number; building: number } };
}

export function createMetrics(storedBytes: () => Promise<number>): GatewayMetrics {
  const registry = new Registry();
  const quarantineCount = { read: async () => 0 };
  const wheelCheckCounts = { read: () => ({ queued: 0, building: 0 }) };
  collectDefaultMetrics({ register: registry, prefix: 'gatehouse_process_' });
  return {
    registry,
    requests: new HotCounter({
      name: 'gatehouse_http_requests_total',
      help: 'HTTP requests by method, route and status code.',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    latency: new Histogram({
      name: 'gatehouse_http_request_duration_seconds',
      help: 'HTTP request latency by method and route.',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
      registers: [registry],
    }),
    simplePages: new HotCounter({
      name: 'gatehouse_simple_pages_total',
      help: 'Simple API project pages served, by format (json, html).',
      labelNames: ['format'],
      registers: [registry],
    }),
    downloads: new Counter({
      name: 'gatehouse_downloads_total',
      help: 'Files served, hosted or proxied, by kind (distribution, metadata, provenance).',
      labelNames: ['kind'],
      registers: [registry],
    }),
    uploads: new Counter({
      name: 'gatehouse_uploads_total',
      help: 'Uploads, by outcome (stored, or the refusal code).',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    storedBytes: new Gauge({
      name: 'gatehouse_stored_bytes',
      help: 'Bytes of the blobs rows point at: hosted distribution files and their METADATA.',
      registers: [registry],
      async collect() {
        this.set(await storedBytes());
      },
    }),
    blobStoreBytes: new Gauge({
      name: 'gatehouse_blob_store_bytes',
      help: 'Bytes in the blob store, referenced or not, as the last store maintenance run found them.',
      registers: [registry],
    }),
    upstreamRequests: new Counter({
      name: 'gatehouse_upstream_requests_total',
      help: 'Requests to upstream indexes by upstream, kind (page, pypi-json, file, metadata, provenance) and outcome (ok, not-modified, not-found, error); each retry counts.',
      labelNames: ['upstream', 'kind', 'outcome'],
      registers: [registry],
    }),
    upstreamLatency: new Histogram({
      name: 'gatehouse_upstream_request_duration_seconds',
      help: 'Time to an upstream response (headers), by upstream and kind.',
      labelNames: ['upstream', 'kind'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    upstreamRetries: new Counter({
      name: 'gatehouse_upstream_retries_total',
      help: 'Upstream requests retried after a failure, by upstream and kind.',
      labelNames: ['upstream', 'kind'],
      registers: [registry],
    }),
    upstreamCircuit: new Gauge({
      name: 'gatehouse_upstream_circuit_state',
      help: "Each upstream's circuit breaker: 0 closed, 1 half-open, 2 open (requests refused without trying).",
      labelNames: ['upstream'],
      registers: [registry],
    }),
    upstreamBytes: new Counter({
      name: 'gatehouse_upstream_bytes_total',
      help: 'Bytes received from upstreams, by upstream and kind.',
      labelNames: ['upstream', 'kind'],
      registers: [registry],
    }),
    proxyPages: new HotCounter({
      name: 'gatehouse_proxy_pages_total',
      help: 'Upstream project pages served, by cache status: HIT, MISS, REVALIDATED (304), STALE (upstream failed), NEGATIVE (remembered as missing).',
      labelNames: ['upstream', 'status'],
      registers: [registry],
    }),
    proxyFiles: new Counter({
      name: 'gatehouse_proxy_files_total',
      help: 'Upstream files served, from the cache (hit) or fetched first (miss).',
      labelNames: ['upstream', 'result'],
      registers: [registry],
    }),
    alerts: new Counter({
      name: 'gatehouse_dependency_confusion_alerts_total',
      help: 'An upstream has a project named like a hosted (kind=hosted) or reserved (kind=reserved) one.',
      labelNames: ['kind'],
      registers: [registry],
    }),
    decisions: new Counter({
      name: 'gatehouse_decisions_total',
      help: 'File decisions made or changed, by the state they put the file in (allowed, warned, pending, quarantined, blocked, released, rejected).',
      labelNames: ['state'],
      registers: [registry],
    }),
    decisionRules: new Counter({
      name: 'gatehouse_decision_rules_total',
      help: 'Rules that fired in decisions made or changed, by rule id, outcome and mode (enforce, dry-run).',
      labelNames: ['rule', 'outcome', 'mode'],
      registers: [registry],
    }),
    quarantine: new Gauge({
      name: 'gatehouse_quarantined_files',
      help: 'Files held in quarantine for review.',
      registers: [registry],
      async collect() {
        this.set(await quarantineCount.read());
      },
    }),
    quarantineCount,
    scanDuration: new Histogram({
      name: 'gatehouse_scan_duration_seconds',
      help: 'Time to scan one file (in a scanning thread), by verdict.',
      labelNames: ['verdict'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    wheelChecks: new Counter({
      name: 'gatehouse_wheel_checks_total',
      help: 'Wheels rebuilt from their sdists in the sandbox for the wheel option (config [build]), by result: matches, differs, not-rebuilt (the sdist did not build), error (the check could not run).',
      labelNames: ['result'],
      registers: [registry],
    }),
    wheelCheckDuration: new Histogram({
      name: 'gatehouse_wheel_check_duration_seconds',
      help: 'Time to fetch, rebuild and compare one wheel (from the start of its build, not counting the wait for a sandbox), by result.',
      labelNames: ['result'],
      buckets: [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
      registers: [registry],
    }),
    wheelChecksUnderWay: new Gauge({
      name: 'gatehouse_wheel_checks_under_way',
      help: 'Wheel checks waiting for a sandbox (state=queued) and building (state=building).',
      labelNames: ['state'],
      registers: [registry],
      collect() {
        const counts = wheelCheckCounts.read();
        this.set({ state: 'queued' }, counts.queued);
        this.set({ state: 'building' }, counts.building);
      },
    }),
    wheelCheckCounts,
    blobsCollected: new Counter({
      name: 'gatehouse_blobs_collected_total',
      help: 'Blobs removed because no row referred to them (losers of upload races, crash leftovers).',
      registers: [registry],
    }),
  };
}
