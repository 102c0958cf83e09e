/**
 * Background upkeep of the store while the gateway runs: blobs no row refers to are collected, and temporary files
 * that crashed uploads abandoned are swept. Each run is logged when it removed anything.
 */
import type { FastifyInstance } from 'fastify';
import { TEMP_FILE_MAX_IDLE_MS, type Storage } from '../store/index.js';
import type { GatewayMetrics } from './metrics.js';

/** Often enough that racing uploads cannot fill a disk between runs; a run reads one row per file. */
export const MAINTENANCE_INTERVAL_MS = 15 * 60 * 1000;
const FIRST_RUN_MS = 30 * 1000;

export async function runMaintenance(app: FastifyInstance, storage: Storage, metrics: GatewayMetrics): Promise<void> {
  const report = await storage.collector.collect();
  const swept = await storage.blobs.sweepTemp(TEMP_FILE_MAX_IDLE_MS);
  metrics.blobStoreBytes.set(report.bytes - report.collectedBytes);
  metrics.blobsCollected.inc(report.collected);
  if (report.collected > 0 || swept > 0) {
    app.log.info(
      { collected: report.collected, collectedBytes: report.collectedBytes, blobs: report.blobs - report.collected, sweptTempFiles: swept },
      `removed ${report.collected} unreferenced blob(s) and ${swept} abandoned temporary file(s)`,
    );
  }
}

/** How often each upstream's project list is read for dependency-confusion alerts (PyPI's is tens of MB). */
export const CONFUSION_SCAN_INTERVAL_MS = 6 * 60 * 60 * 1000;

export async function runConfusionScan(app: FastifyInstance): Promise<void> {
  const { gateway, config } = app.services;
  if (config.proxy.offline) return;
  for (const result of await gateway.confusion.scan()) {
    if (result.error !== undefined) app.log.warn({ upstream: result.upstream, reason: result.error }, `could not read the project list of upstream ${result.upstream} to check for dependency confusion`);
    else app.log.info({ upstream: result.upstream, listed: result.listed, collisions: result.alerts }, `checked ${result.listed} project names of upstream ${result.upstream} for dependency confusion: ${result.alerts} collision(s)`);
  }
}

/** Runs maintenance shortly after start and then every interval, until the app closes. */
export function scheduleMaintenance(app: FastifyInstance, storage: Storage, metrics: GatewayMetrics, intervalMs = MAINTENANCE_INTERVAL_MS): void {
  let running: Promise<void> | undefined;
  const run = () => {
    running ??= runMaintenance(app, storage, metrics)
      .catch((err: unknown) => app.log.error({ err }, 'store maintenance failed; it runs again at the next interval'))
      .finally(() => (running = undefined));
  };
  const first = setTimeout(run, Math.min(FIRST_RUN_MS, intervalMs));
  const every = setInterval(run, intervalMs);
  let scanning: Promise<void> | undefined;
  const scan = () => {
    scanning ??= runConfusionScan(app)
      .catch((err: unknown) => app.log.error({ err }, 'the dependency-confusion scan failed; it runs again at the next interval'))
      .finally(() => (scanning = undefined));
  };
  const firstScan = setTimeout(scan, 2 * FIRST_RUN_MS);
  const everyScan = setInterval(scan, CONFUSION_SCAN_INTERVAL_MS);
  for (const timer of [first, every, firstScan, everyScan]) timer.unref();
  app.addHook('onClose', async () => {
    clearTimeout(first);
    clearInterval(every);
    clearTimeout(firstScan);
    clearInterval(everyScan);
    await running;
    await scanning;
  });
}
