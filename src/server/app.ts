/**
 * Builds the gateway's HTTP app from route plugins. Services are handed in,
 * never imported as singletons, so a test builds an app over its own storage.
 */
import { resolve } from 'node:path';
import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { LoggerOptions } from 'pino';
import { GatehouseError, NotFoundError } from '../errors.js';
import type { GatewayConfig } from '../config/gateway.js';
import type { Storage } from '../store/index.js';
import { redactSecrets } from '../store/tokens.js';
import { createGatewayIndex, type GatewayIndexParts } from '../index/gateway.js';
import { openWheelOption, type GatewayWheels } from './build-setup.js';
import { observeGateway } from './gateway-observer.js';
import { openPolicy, type GatewayPolicy } from './policy-setup.js';
import type { Policy } from '../policy/policy.js';
import type { PrescanOptions } from '../index/policy-gate.js';
import { scheduleMaintenance } from './maintenance.js';
import { createMetrics, type GatewayMetrics } from './metrics.js';
import { adminRoutes } from './routes/admin.js';
import { fileRoutes } from './routes/files.js';
import { healthRoutes } from './routes/health.js';
import { keyRoutes } from './routes/keys.js';
import { simpleRoutes } from './routes/simple.js';
import { uploadRoutes } from './routes/upload.js';

export interface GatewayServices {
  storage: Storage;
  config: GatewayConfig;
  metrics: GatewayMetrics;
  /** The index clients see (hosted, then upstreams), the proxied files and the gate they pass. */
  gateway: GatewayIndexParts;
  /** The policy in force, the judge that keeps its decisions, and the gate it decides at. */
  policy: GatewayPolicy;
  /** The wheel option (config `[build]`): which wheel of a proxied release is served, and the builds behind it. */
  wheels: GatewayWheels;
}

declare module 'fastify' {
  interface FastifyInstance {
    services: GatewayServices;
  }
}

/** A status line may carry only visible ASCII; twine prints the reason phrase. */
export function reasonPhrase(message: string): string {
  return message.replace(/[^\x20-\x7e]/g, '?').slice(0, 300);
}

/**
 * The logger's options with the secret guard added: every line is checked for token-like strings just before it is
 * written, whatever logged it, so no code path can put a token (or the start of one) into the log.
 */
export function guardedLoggerOptions(options: LoggerOptions): LoggerOptions {
  return {
    ...options,
    redact: { paths: ['req.headers.authorization', 'headers.authorization', 'authorization'], censor: '[redacted]' },
    hooks: { ...options.hooks, streamWrite: (line: string) => redactSecrets(line) },
  };
}

/** Text for a client: no token-like string, and no server path (the data directory shows up in system errors). */
function forClient(text: string, dataDir: string): string {
  return redactSecrets(text).split(dataDir).join('<data>');
}

export async function buildApp(
  storage: Storage,
  config: GatewayConfig,
  options: {
    logger?: LoggerOptions | false;
    loggerStream?: NodeJS.WritableStream;
    /** How often unreferenced blobs are collected; 0 turns the background runs off (tests run them directly). */
    maintenanceIntervalMs?: number;
    /** A policy given directly instead of the config file's (tests). */
    policy?: Policy;
    prescan?: PrescanOptions;
  } = {},
): Promise<FastifyInstance> {
  const logger: FastifyServerOptions['logger'] =
    options.logger === undefined || options.logger === false
      ? false
      : { ...guardedLoggerOptions(options.logger), ...(options.loggerStream ? { stream: options.loggerStream } : {}) };
  const dataDir = resolve(config.dataDir);
  const app = Fastify({
    logger,
    // A body that breaks the route's schema is refused, not trimmed to fit: an unknown key is a client's mistake.
    ajv: { customOptions: { removeAdditional: false } },
    // Access logs go at debug level from the onResponse hook below: at the
    // default level the log says what the gateway decided, not every GET.
    logController: new LogController({ disableRequestLogging: true }),
    // Upload bodies are streamed by the multipart parser with their own limit;
    // this bounds every other body (admin JSON).
    bodyLimit: 1024 * 1024,
    // A path parameter longer than this answers 414. The default (100) is shorter than real wheel names with several
    // platform tags (charset_normalizer's is 116 characters), which pip then cannot download; a file name may have
    // up to 255 bytes on disk, and `.provenance` after it, percent-encoded in the URL.
    routerOptions: { maxParamLength: 1024 },
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  const metrics = createMetrics(async () => (await storage.hosted.storedBytes()) + (await storage.cachedFiles.totalBytes()));
  const observer = observeGateway(app, metrics);
  const policy = await openPolicy(app, storage, config, metrics, options);
  // Files pass the wheel option first, then the policy: a wheel built here is decided on like any other file.
  const wheelOption = openWheelOption(app, config, metrics, policy.gate);
  policy.judge.useWheelOption((subject) => wheelOption.gate.refusal(subject));
  const gateway = createGatewayIndex(storage, config, { ...observer, gate: wheelOption.gate });
  const wheels = wheelOption.attach(gateway);
  policy.gate.attach(gateway.files, (sha256, filename) => {
    const built = wheels.builds.built(sha256);
    return built?.filename === filename ? built.path : undefined;
  });
  app.addHook('onClose', async () => {
    await wheels.close();
    await gateway.close();
    await policy.close();
  });
  app.decorate('services', { storage, config, metrics, gateway, policy, wheels });

  // Every response, errors and 404s included: bodies are never to be sniffed into something executable.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('x-content-type-options', 'nosniff');
    done();
  });

  // A callback, not an async function: it runs for every request, and a promise each is garbage to collect.
  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.requests.inc(request.method, route, String(reply.statusCode));
    metrics.latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
    if (request.log.level === 'debug' || request.log.level === 'trace') {
      request.log.debug({ method: request.method, url: request.url, status: reply.statusCode, ms: reply.elapsedTime }, 'request');
    }
    done();
  });

  // One place turns errors into responses: the status, a reason phrase that
  // twine prints, and a one-line body that pip and curl users read.
  app.setErrorHandler(async (err: Error & { statusCode?: number; code?: string }, request, reply) => {
    let status: number;
    let message: string;
    let code: string;
    if (err instanceof GatehouseError) {
      status = err.status;
      message = err.message;
      code = err.code;
    } else if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      status = err.statusCode;
      message = err.message;
      code = err.code ?? 'http.bad-request';
    } else {
      status = 500;
      message = 'internal error; the server log has the details';
      code = 'internal';
      request.log.error({ err }, 'request failed');
    }
    message = forClient(message, dataDir);
    if (status < 500) request.log.info({ code, status }, message);
    else if (err instanceof GatehouseError) request.log.error({ err, code, status }, message);
    reply.raw.statusMessage = reasonPhrase(message);
    // The header proposed to pip (pip#14021) for showing a refusal's reason; the status line carries it today.
    reply.header('x-error-message', reasonPhrase(message));
    return reply.code(status).type('text/plain; charset=utf-8').header('x-gatehouse-error', code).send(`${message}\n`);
  });
  app.setNotFoundHandler(async (request, reply) => {
    const what = forClient(`${request.method} ${request.url}`, dataDir).slice(0, 500);
    return reply.code(404).type('text/plain; charset=utf-8').send(`no such resource: ${what}\n`);
  });

  if (options.maintenanceIntervalMs !== 0) scheduleMaintenance(app, storage, metrics, options.maintenanceIntervalMs);
  await app.register(healthRoutes);
  await app.register(simpleRoutes);
  await app.register(fileRoutes);
  await app.register(keyRoutes);
  // The index the gateway's own builds resolve their dependencies from: the policy applies, the wheel option does not
  // (build-setup.ts says why). The key in the path is random per process; any other key is not found.
  await app.register(
    async (builds) => {
      builds.addHook('onRequest', async (request) => {
        if ((request.params as { key?: string }).key !== wheels.buildIndexKey) throw new NotFoundError('build-index.unknown', 'no such index');
      });
      await builds.register(simpleRoutes, { gate: policy.gate });
      await builds.register(fileRoutes, { gate: policy.gate });
    },
    { prefix: '/_build/:key' },
  );
  await app.register(uploadRoutes);
  await app.register(adminRoutes);
  return app;
}
