/**
 * The wheel option in a running gateway (config `[build]`): its gate in front of the policy's
 * (index/wheel-source-gate.ts), the sandbox builds behind it (sandbox/gateway-builds.ts) with the gateway's
 * provenance key, and their metrics and log lines.
 *
 * Builds resolve their dependencies through the gateway itself, so the policy decides on build dependencies as on
 * anything else it serves, but at an index of their own (`/_build/<key>/simple/`, the key random per process) that
 * the wheel option does not apply to: with every project on `matching`, setuptools' own wheel would otherwise wait
 * for a build that needs setuptools.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { GatewayConfig } from '../config/gateway.js';
import type { GatewayIndexParts } from '../index/gateway.js';
import type { ServeGate } from '../index/serve-gate.js';
import { WheelSourceGate, type CheckablePair } from '../index/wheel-source-gate.js';
import { BuiltWheelStore, sandboxHost } from '../sandbox/index.js';
import { GatewayBuilds } from '../sandbox/gateway-builds.js';
import { loadOrCreateSigningKey, signProvenance, type SigningKey } from '../sign/index.js';
import type { GatewayMetrics } from './metrics.js';

export interface GatewayWheels {
  gate: WheelSourceGate;
  builds: GatewayBuilds;
  /** The provenance key (made on first use): its public half is served for those who verify. */
  signingKey(): SigningKey;
  /** The path segment of the builds' own index (`/_build/<key>/`): whoever has it bypasses the wheel option. */
  buildIndexKey: string;
  close(): Promise<void>;
}

/** The gate first: the index's files pass it. The builds start once the index exists (`attach`). */
export function openWheelOption(app: FastifyInstance, config: GatewayConfig, metrics: GatewayMetrics, inner: ServeGate) {
  const gate = new WheelSourceGate(inner, config.build);
  let key: SigningKey | undefined;
  const signingKey = () => (key ??= loadOrCreateSigningKey(join(config.dataDir, 'keys')));
  const sandboxDir = join(config.dataDir, 'sandbox');
  const buildIndexKey = randomBytes(16).toString('hex');
  const name = (pair: CheckablePair) => ({ project: pair.project, version: pair.version, wheel: pair.wheel.filename, sdist: pair.sdist.filename });
  return {
    gate,
    attach(gateway: GatewayIndexParts): GatewayWheels {
      const builds = new GatewayBuilds({
        store: new BuiltWheelStore(sandboxDir),
        localCopy: (sha256, filename) => gateway.files.localCopy(sha256, filename),
        host: () => sandboxHost(),
        indexUrl: () => `${ownAddress(app)}/_build/${buildIndexKey}/simple/`,
        // The same place `gatehouse build` keeps them, so the CLI and the gateway share build environments.
        cacheDir: process.env.GATEHOUSE_SANDBOX_CACHE ?? sandboxDir,
        concurrency: config.build.concurrency,
        attest: (build) => signProvenance(build, signingKey(), `urn:gatehouse:gateway:${hostname()}`),
        observer: {
          queued(e) {
            app.log.info({ ...name(e.pair), waiting: e.waiting }, `${e.pair.wheel.filename}: queued to be rebuilt from ${e.pair.sdist.filename} in the sandbox (${e.waiting} ahead)`);
          },
          finished(e) {
            metrics.wheelChecks.inc({ result: e.status.state });
            metrics.wheelCheckDuration.observe({ result: e.status.state }, e.durationMs / 1000);
            const what = {
              matches: `matches what ${e.pair.sdist.filename} builds`,
              differs: `differs from what ${e.pair.sdist.filename} builds`,
              'not-rebuilt': `could not be checked: ${e.pair.sdist.filename} did not build`,
            }[e.status.state as 'matches' | 'differs' | 'not-rebuilt'];
            const mode = gate.modeFor(e.pair.source, e.pair.project);
            const served = mode === 'rebuilt' ? (e.status.built ? `serving ${e.status.built.filename} built here (sha256 ${e.status.built.sha256})` : 'no wheel is served') : e.status.state === 'matches' ? 'the upstream wheel is served' : 'the upstream wheel is not served';
            app.log[e.status.state === 'matches' ? 'info' : 'warn'](
              { ...name(e.pair), result: e.status.state, mode, differences: e.status.differences, built: e.status.built?.sha256, behaviourFindings: e.behaviour, ms: e.durationMs },
              `${e.pair.wheel.filename} ${what}; ${served} (build.wheels = "${mode}"): ${e.status.reason}`,
            );
          },
          failed(e) {
            metrics.wheelChecks.inc({ result: 'error' });
            app.log.error({ ...name(e.pair), err: e.error }, `${e.pair.wheel.filename}: the check against ${e.pair.sdist.filename} could not run; it is tried again in 10 minutes`);
          },
        },
      });
      gate.attach(gateway.index, builds);
      metrics.wheelCheckCounts.read = () => builds.counts();
      return { gate, builds, signingKey, buildIndexKey, close: () => builds.close() };
    },
  };
}

/** The gateway as the builds reach it: the address it listens on (loopback for a wildcard). */
function ownAddress(app: FastifyInstance): string {
  const address = app.server.address();
  if (address === null || typeof address === 'string') throw new Error('the gateway does not listen on a TCP port, and builds resolve their dependencies through it');
  const host = address.family === 'IPv6' ? `[${address.address === '::' ? '::1' : address.address}]` : address.address === '0.0.0.0' ? '127.0.0.1' : address.address;
  return `http://${host}:${address.port}`;
}
