/**
 * A circuit breaker per upstream, so a dead upstream costs a fast 502, not a connect timeout per request.
 *
 * closed: requests go through; `failureThreshold` failures in a row open it.
 * open: requests fail at once, until `openMs` has passed since it opened.
 * half-open: one request (the probe) goes through; others still fail at once. The probe's success closes the
 * circuit, its failure opens it again for another `openMs`.
 *
 * Failures are the upstream's own: no connection, a timeout, a 5xx. A 404 or 304 is a success (the upstream
 * answered), a request its caller abandoned is neither.
 */

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Failures in a row that open the circuit; default 5. */
  failureThreshold?: number;
  /** How long an open circuit refuses requests before one probe; default 30 s. */
  openMs?: number;
  now?: () => number;
}

/** A breaker's state and counters, for an admin listing of upstreams and their health. */
export interface CircuitHealth {
  state: CircuitState;
  consecutiveFailures: number;
  failures: number;
  successes: number;
  /** Requests refused at once because the circuit was open. */
  rejected: number;
  /** ISO times. */
  openedAt?: string;
  /** When an open circuit lets its next probe through. */
  retryAt?: string;
  lastSuccessAt?: string;
  lastFailure?: { at: string; reason: string };
}

/** Permission for one request; `probe` is true for the one request a half-open circuit lets through. */
export type CircuitPermit = { allowed: true; probe: boolean } | { allowed: false; retryAt: number };

export interface CircuitChange {
  from: CircuitState;
  to: CircuitState;
  reason: string;
}

export class CircuitBreaker {
  private state: CircuitState = 'closed';
  private consecutiveFailures = 0;
  private failures = 0;
  private successes = 0;
  private rejected = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private lastSuccessAt: number | undefined;
  private lastFailure: { at: number; reason: string } | undefined;
  private readonly failureThreshold: number;
  private readonly openMs: number;
  private readonly now: () => number;

  constructor(
    options: CircuitBreakerOptions = {},
    private readonly onChange: (change: CircuitChange) => void = () => {},
  ) {
    this.failureThreshold = Math.max(1, options.failureThreshold ?? 5);
    this.openMs = Math.max(0, options.openMs ?? 30_000);
    this.now = options.now ?? Date.now;
  }

  permit(): CircuitPermit {
    if (this.state === 'open') {
      const retryAt = this.openedAt + this.openMs;
      if (this.now() < retryAt) return this.reject(retryAt);
      this.change('half-open', 'the open period is over: one request probes the upstream');
    }
    if (this.state === 'half-open') {
      if (this.probeInFlight) return this.reject(this.now());
      this.probeInFlight = true;
      return { allowed: true, probe: true };
    }
    return { allowed: true, probe: false };
  }

  success(permit: CircuitPermit): void {
    this.release(permit);
    this.successes++;
    this.consecutiveFailures = 0;
    this.lastSuccessAt = this.now();
    if (this.state !== 'closed') this.change('closed', 'the upstream answered');
  }

  failure(permit: CircuitPermit, reason: string): void {
    this.release(permit);
    this.failures++;
    this.consecutiveFailures++;
    this.lastFailure = { at: this.now(), reason };
    if (this.state === 'half-open' || (this.state === 'closed' && this.consecutiveFailures >= this.failureThreshold)) {
      this.openedAt = this.now();
      const why = this.state === 'half-open' ? 'the probe failed' : `${this.consecutiveFailures} failures in a row`;
      this.change('open', `${why}: ${reason}`);
    }
  }

  /** The request ended without saying anything about the upstream (its caller went away). */
  neutral(permit: CircuitPermit): void {
    this.release(permit);
  }

  health(): CircuitHealth {
    const iso = (t: number): string => new Date(t).toISOString();
    const health: CircuitHealth = {
      state: this.state,
      consecutiveFailures: this.consecutiveFailures,
      failures: this.failures,
      successes: this.successes,
      rejected: this.rejected,
    };
    if (this.state !== 'closed') {
      health.openedAt = iso(this.openedAt);
      health.retryAt = iso(this.openedAt + this.openMs);
    }
    if (this.lastSuccessAt !== undefined) health.lastSuccessAt = iso(this.lastSuccessAt);
    if (this.lastFailure !== undefined) health.lastFailure = { at: iso(this.lastFailure.at), reason: this.lastFailure.reason };
    return health;
  }

  private reject(retryAt: number): CircuitPermit {
    this.rejected++;
    return { allowed: false, retryAt };
  }

  private release(permit: CircuitPermit): void {
    if (permit.allowed && permit.probe) this.probeInFlight = false;
  }

  private change(to: CircuitState, reason: string): void {
    const from = this.state;
    this.state = to;
    this.onChange({ from, to, reason });
  }
}
