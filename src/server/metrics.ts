/**
 * Prometheus metrics for one app instance (its own registry, so tests that
 * build several apps do not share counters).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface GatewayMetrics {
  registry: Registry;
  requests: Counter<'method' | 'route' | 'status'>;
  latency: Histogram<'method' | 'route'>;
  simplePages: Counter<'format'>;
  downloads: Counter<'kind'>;
  uploads: Counter<'outcome'>;
  storedBytes: Gauge;
  blobStoreBytes: Gauge;
  blobsCollected: Counter;
}

export function createMetrics(storedBytes: () => Promise<number>): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'gatehouse_process_' });
  return {
    registry,
    requests: new Counter({
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
    simplePages: new Counter({
      name: 'gatehouse_simple_pages_total',
      help: 'Simple API project pages served, by format (json, html).',
      labelNames: ['format'],
      registers: [registry],
    }),
    downloads: new Counter({
      name: 'gatehouse_downloads_total',
      help: 'Files served, by kind (distribution, metadata).',
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
    blobsCollected: new Counter({
      name: 'gatehouse_blobs_collected_total',
      help: 'Blobs removed because no row referred to them (losers of upload races, crash leftovers).',
      registers: [registry],
    }),
  };
}
