/**
 * What the upstream client reports, for metrics and logs that its owner (the server, which owns prom-client and
 * the logger) keeps. Every field is already redacted; labels are bounded (upstream names, kinds, outcomes), never
 * URLs or project names, except in `PageIssueEvent`, which is meant for a log line.
 *
 * A hook that throws is ignored: metrics must never break a download.
 */
import type { PageIssue } from '../pep/simple-reading.js';
import type { CircuitState } from './circuit-breaker.js';

/** What a request was for. */
export type RequestKind = 'page' | 'pypi-json' | 'file' | 'metadata' | 'provenance';

export interface RequestEvent {
  upstream: string;
  kind: RequestKind;
  /** 1 for the first try. */
  attempt: number;
  /** The upstream's status; null when no response came. */
  status: number | null;
  /** `error` covers no response, a timeout, and statuses that fail the request; a retried attempt reports too. */
  outcome: 'ok' | 'not-modified' | 'not-found' | 'error';
  reason?: string;
  durationMs: number;
}

export interface RetryEvent {
  upstream: string;
  kind: RequestKind;
  /** The attempt that failed. */
  attempt: number;
  delayMs: number;
  reason: string;
}

export interface CircuitEvent {
  upstream: string;
  from: CircuitState;
  to: CircuitState;
  reason: string;
}

export interface BytesEvent {
  upstream: string;
  kind: RequestKind;
  bytes: number;
}

export interface PageIssueEvent {
  upstream: string;
  project: string;
  issue: PageIssue;
}

export interface UpstreamEvents {
  onRequest?(event: RequestEvent): void;
  onRetry?(event: RetryEvent): void;
  onCircuitChange?(event: CircuitEvent): void;
  /** Bytes received from the upstream (bodies as sent, before decompression), per response. */
  onBytes?(event: BytesEvent): void;
  onPageIssue?(event: PageIssueEvent): void;
}

/** Calls `hook` with `event`, swallowing what it throws. */
export function emit<E>(hook: ((event: E) => void) | undefined, event: E): void {
  if (hook === undefined) return;
  try {
    hook(event);
  } catch {
    // A metrics or logging hook failed: the request goes on.
  }
}
