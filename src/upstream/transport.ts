/**
 * HTTP to one upstream, on undici: a keep-alive pool per origin (undici's Agent keeps one per origin), the proxy
 * from `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (undici's EnvHttpProxyAgent), timeouts for connecting, for the
 * response headers (the first byte) and for a body that goes idle, retries, the circuit breaker, and redirects
 * under a rule the caller gives.
 *
 * Every request is a GET (no other method can be expressed here), so every request is idempotent and may be
 * retried: on no connection, a
 * timeout, a connection lost before the response was read, 502/503/504, and 429 (after `Retry-After`, when it is
 * short enough). A response is retried only until it is handed over: `exchange` retries what its `consume`
 * callback throws while reading, and a caller that takes the body as a stream (a file) gets no retry once it has it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { discard } from './body.js';
import { neverPauseLastChunk } from './last-chunk.js';
import { CircuitBreaker, type CircuitBreakerOptions, type CircuitHealth, type CircuitPermit } from './circuit-breaker.js';
import { UpstreamError, UpstreamHostRefusedError, UpstreamUnavailableError } from './errors.js';
import { emit, type RequestEvent, type RequestKind, type UpstreamEvents } from './events.js';
import type { Redactor } from './redact.js';
import { isRetryableStatus, retryAfterMs, retryPolicy, type RetryOptions, type RetryPolicy } from './retry.js';
import type { Upstream } from './upstream.js';

export interface TimeoutOptions {
  /** TCP (and TLS) connection; default 10 s. */
  connectMs?: number;
  /** From sending the request to the response headers: the first byte; default 30 s. */
  headersMs?: number;
  /** The longest pause between two pieces of a body; default 30 s. A body its reader has paused is not timed. */
  bodyIdleMs?: number;
}

/** `env` reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY (and their lowercase forms); `none` connects directly. */
export type ProxyOptions = 'env' | 'none' | { httpProxy?: string; httpsProxy?: string; noProxy?: string };

export interface TransportOptions {
  timeouts?: TimeoutOptions;
  retry?: RetryOptions;
  circuit?: CircuitBreakerOptions;
  proxy?: ProxyOptions;
  /** Connections per origin at most; default 32. */
  connectionsPerOrigin?: number;
  /** How long an idle keep-alive connection is kept; default 30 s (or less, when the server says so). */
  keepAliveMs?: number;
  userAgent?: string;
  events?: UpstreamEvents;
}

export interface ExchangeRequest {
  url: URL;
  kind: RequestKind;
  headers?: Record<string, string>;
  /** Says why a redirect from one URL to another is refused, or null to follow it. */
  redirect: (from: URL, to: URL) => string | null;
  signal?: AbortSignal;
}

export interface UpstreamResponse {
  /** The URL that answered, after redirects. */
  url: URL;
  status: number;
  statusText: string;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
}

const MAX_REDIRECTS = 5;
const REDIRECTS: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/** Network errors worth another try, by code (undici's and Node's). */
const RETRYABLE_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const TIMEOUT_CODES: ReadonlySet<string> = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);

function errorCode(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED') return code;
  }
  return undefined;
}

/** A network failure in words, with its code; never the error object (undici's may embed the URL). */
export function describeNetworkError(error: unknown, timeouts: Required<TimeoutOptions>, redactor: Redactor): string {
  const code = errorCode(error);
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `no connection within ${timeouts.connectMs} ms`;
    case 'UND_ERR_HEADERS_TIMEOUT':
      return `no response within ${timeouts.headersMs} ms`;
    case 'UND_ERR_BODY_TIMEOUT':
      return `the response stalled for ${timeouts.bodyIdleMs} ms`;
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ENOTFOUND':
      return 'host name not found';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'UND_ERR_CLOSED':
      return 'the connection closed early';
    default:
      return redactor.error(error);
  }
}

export function isTimeout(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && TIMEOUT_CODES.has(code);
}

function outcomeOf(status: number): RequestEvent['outcome'] {
  if (status >= 200 && status < 300) return 'ok';
  if (status === 304) return 'not-modified';
  if (status === 404 || status === 410) return 'not-found';
  return 'error';
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export class UpstreamTransport {
  readonly upstream: Upstream;
  readonly redactor: Redactor;
  readonly timeouts: Required<TimeoutOptions>;
  private readonly dispatcher: Dispatcher;
  private readonly retry: RetryPolicy;
  private readonly breaker: CircuitBreaker;
  private readonly events: UpstreamEvents;
  private readonly userAgent: string;
  private closing: Promise<void> | undefined;

  constructor(upstream: Upstream, options: TransportOptions = {}) {
    this.upstream = upstream;
    this.events = options.events ?? {};
    this.timeouts = {
      connectMs: options.timeouts?.connectMs ?? 10_000,
      headersMs: options.timeouts?.headersMs ?? 30_000,
      bodyIdleMs: options.timeouts?.bodyIdleMs ?? 30_000,
    };
    this.retry = retryPolicy(options.retry);
    this.breaker = new CircuitBreaker(options.circuit, (change) => emit(this.events.onCircuitChange, { upstream: upstream.name, ...change }));
    this.userAgent = options.userAgent ?? 'gatehouse';
    const agentOptions: Agent.Options = {
      connect: { timeout: this.timeouts.connectMs },
      headersTimeout: this.timeouts.headersMs,
      bodyTimeout: this.timeouts.bodyIdleMs,
      connections: options.connectionsPerOrigin ?? 32,
      keepAliveTimeout: options.keepAliveMs ?? 30_000,
    };
    const proxy = options.proxy ?? 'env';
    const proxies: string[] = [];
    let dispatcher: Dispatcher;
    if (proxy === 'none') dispatcher = new Agent(agentOptions);
    else if (proxy === 'env') {
      dispatcher = new EnvHttpProxyAgent(agentOptions);
      proxies.push(process.env['https_proxy'] ?? '', process.env['HTTPS_PROXY'] ?? '', process.env['http_proxy'] ?? '', process.env['HTTP_PROXY'] ?? '');
    } else {
      dispatcher = new EnvHttpProxyAgent({ ...agentOptions, ...proxy });
      proxies.push(proxy.httpProxy ?? '', proxy.httpsProxy ?? '');
    }
    // Without it, an upstream that closes its connections (HTTP/1.0) and a slow reader crash the process (last-chunk.ts).
    this.dispatcher = dispatcher.compose(neverPauseLastChunk);
    this.redactor = upstream.redactor.with(proxySecrets(proxies));
  }

  /** The upstream's name: with `redactor`, what errors are built from. */
  get name(): string {
    return this.upstream.name;
  }

  health(): CircuitHealth {
    return this.breaker.health();
  }

  /**
   * A body that broke off after its response was handed over (a file cut mid-way): a failure of the upstream's
   * health like any other, though the request is not retried.
   */
  bodyFailed(kind: RequestKind, reason: string): void {
    this.breaker.failure({ allowed: true, probe: false }, `${kind}: ${reason}`);
  }

  /** Closes the connection pools; idempotent. */
  async close(): Promise<void> {
    this.closing ??= this.dispatcher.close();
    await this.closing;
  }

  /**
   * Sends `request`, follows redirects its rule allows, retries as the module header says, and hands every final
   * response that is not retryable to `consume` (which must read or keep the body). What `consume` throws is
   * retried when it is a network failure (a page whose body broke off), and passed on when it is an UpstreamError.
   */
  async exchange<T>(request: ExchangeRequest, consume: (response: UpstreamResponse) => Promise<T>): Promise<T> {
    const name = this.upstream.name;
    for (let attempt = 1; ; attempt++) {
      const permit = this.breaker.permit();
      if (!permit.allowed) {
        const last = this.breaker.health().lastFailure?.reason;
        const after = new Date(permit.retryAt).toISOString();
        throw new UpstreamUnavailableError(this, `not tried: its circuit is open after repeated failures${last === undefined ? '' : ` (last: ${last})`}; next try after ${after}`);
      }
      const started = performance.now();
      const attemptOutcome = new AttemptOutcome(this.breaker, permit, (status, outcome, reason) => {
        const event: RequestEvent = { upstream: name, kind: request.kind, attempt, status, outcome, durationMs: performance.now() - started };
        if (reason !== undefined) event.reason = reason;
        emit(this.events.onRequest, event);
      });
      let response: UpstreamResponse | undefined;
      try {
        response = await this.send(request);
        const status = response.status;
        if (status >= 500 || isRetryableStatus(status)) {
          await response.body.dump();
          const reason = `answered ${status} ${response.statusText}`.trim() + ` for ${this.redactor.url(response.url)}`;
          // 429 says the upstream is up and busy: no failure of its health.
          if (status === 429) attemptOutcome.neutral(status, reason);
          else attemptOutcome.failed(status, reason);
          const wait = this.waitBeforeRetry(status, response.headers['retry-after'], attempt);
          if (wait.retry) {
            emit(this.events.onRetry, { upstream: name, kind: request.kind, attempt, delayMs: wait.delayMs, reason });
            await sleep(wait.delayMs);
            continue;
          }
          throw new UpstreamUnavailableError(this, wait.why === undefined ? reason : `${reason}; ${wait.why}`);
        }
        const result = await consume(response);
        attemptOutcome.answered(status, outcomeOf(status));
        return result;
      } catch (error) {
        if (error instanceof UpstreamError) {
          // Ours: a redirect refused, an answer that was not usable, or the retryable status above (already settled).
          if (response === undefined) attemptOutcome.neutral(null, error.message);
          else attemptOutcome.answered(response.status, 'error', error.message);
          throw error;
        }
        if (response !== undefined) discard(response.body);
        if (request.signal?.aborted === true) {
          attemptOutcome.neutral(response?.status ?? null, 'abandoned by its caller');
          throw request.signal.reason ?? error;
        }
        const what = describeNetworkError(error, this.timeouts, this.redactor);
        const reason = `${what} (GET ${this.redactor.url(response?.url ?? request.url)})`;
        attemptOutcome.failed(response?.status ?? null, reason);
        const code = errorCode(error);
        if (attempt < this.retry.attempts && code !== undefined && RETRYABLE_CODES.has(code)) {
          const delayMs = this.retry.backoff(attempt);
          emit(this.events.onRetry, { upstream: name, kind: request.kind, attempt, delayMs, reason });
          await sleep(delayMs);
          continue;
        }
        throw new UpstreamUnavailableError(this, reason, { timedOut: isTimeout(error) });
      }
    }
  }

  private waitBeforeRetry(status: number, retryAfter: string | string[] | undefined, attempt: number): { retry: true; delayMs: number } | { retry: false; why?: string } {
    if (attempt >= this.retry.attempts) return { retry: false, why: `gave up after ${attempt} attempts` };
    if (!isRetryableStatus(status)) return { retry: false };
    const asked = status === 429 || status === 503 ? retryAfterMs(headerValue(retryAfter), Date.now()) : null;
    if (asked === null) return { retry: true, delayMs: this.retry.backoff(attempt) };
    if (asked > this.retry.maxRetryAfterMs) {
      return { retry: false, why: `it asks to retry after ${Math.ceil(asked / 1000)} s, longer than the ${this.retry.maxRetryAfterMs / 1000} s we wait` };
    }
    return { retry: true, delayMs: asked };
  }

  /** One request, following redirects. The Authorization header goes only to the index's own origin. */
  private async send(request: ExchangeRequest): Promise<UpstreamResponse> {
    let url = request.url;
    for (let hop = 0; ; hop++) {
      const headers: Record<string, string> = { 'user-agent': this.userAgent, ...request.headers };
      const authorization = this.upstream.authorizationFor(url);
      if (authorization !== null) headers['authorization'] = authorization;
      const response = await this.dispatcher.request({
        origin: url.origin,
        path: url.pathname + url.search,
        method: 'GET',
        headers,
        signal: request.signal ?? null,
      });
      const location = headerValue(response.headers['location']);
      if (!REDIRECTS.has(response.statusCode) || location === undefined) {
        return { url, status: response.statusCode, statusText: response.statusText, headers: response.headers, body: response.body };
      }
      await response.body.dump();
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new UpstreamHostRefusedError(this, `${this.redactor.url(url)} redirects to a location that is not a URL`);
      }
      if (hop + 1 > MAX_REDIRECTS) {
        throw new UpstreamHostRefusedError(this, `more than ${MAX_REDIRECTS} redirects from ${this.redactor.url(request.url)}`);
      }
      const refusal = redirectRefusal(url, next) ?? request.redirect(url, next);
      if (refusal !== null) {
        throw new UpstreamHostRefusedError(this, `refused the redirect from ${this.redactor.url(url)} to ${this.redactor.url(next)}: ${refusal}`);
      }
      url = next;
    }
  }
}

/** What no redirect may do, whatever the caller's rule: leave http(s), or go from https to plain http. */
function redirectRefusal(from: URL, to: URL): string | null {
  if (to.protocol !== 'https:' && to.protocol !== 'http:') return `${to.protocol} is not fetched`;
  if (from.protocol === 'https:' && to.protocol === 'http:') return 'it downgrades https to http';
  if (to.username !== '' || to.password !== '') return 'the location carries credentials';
  return null;
}

/**
 * How one attempt ended, told once to the circuit breaker and to the request hook: `answered` (the upstream
 * answered, whatever the status), `failed` (no answer, or a 5xx), `neutral` (nothing learned about its health).
 */
class AttemptOutcome {
  private settled = false;

  constructor(
    private readonly breaker: CircuitBreaker,
    private readonly permit: CircuitPermit,
    private readonly report: (status: number | null, outcome: RequestEvent['outcome'], reason?: string) => void,
  ) {}

  answered(status: number, outcome: RequestEvent['outcome'], reason?: string): void {
    if (this.settle()) {
      this.breaker.success(this.permit);
      this.report(status, outcome, reason);
    }
  }

  failed(status: number | null, reason: string): void {
    if (this.settle()) {
      this.breaker.failure(this.permit, reason);
      this.report(status, 'error', reason);
    }
  }

  neutral(status: number | null, reason: string): void {
    if (this.settle()) {
      this.breaker.neutral(this.permit);
      this.report(status, 'error', reason);
    }
  }

  private settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    return true;
  }
}

function proxySecrets(proxies: string[]): string[] {
  const secrets: string[] = [];
  for (const proxy of proxies) {
    if (proxy === '') continue;
    try {
      const url = new URL(proxy);
      if (url.password !== '') secrets.push(url.password, decodeURIComponent(url.password));
    } catch {
      // Not a URL: undici refuses it when it is used; nothing to mask.
    }
  }
  return secrets;
}
