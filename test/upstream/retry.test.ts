/** Backoff with full jitter, and Retry-After as seconds or as an HTTP date. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRetryableStatus, retryAfterMs, retryPolicy } from '../../src/upstream/retry.js';

test('full jitter: a random share of an exponentially growing, capped window', () => {
  const top = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999999 });
  assert.deepEqual([1, 2, 3, 4, 5, 10].map((n) => top.backoff(n)), [99, 199, 399, 799, 999, 999]);
  const bottom = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000, random: () => 0 });
  assert.deepEqual([1, 2, 3].map((n) => bottom.backoff(n)), [0, 0, 0]);
  assert.equal(retryPolicy({ attempts: 0 }).attempts, 1);
});

test('which statuses are retried', () => {
  assert.deepEqual([200, 304, 404, 429, 500, 501, 502, 503, 504].filter(isRetryableStatus), [429, 502, 503, 504]);
});

test('Retry-After: delay-seconds, an HTTP date, or nothing usable', () => {
  const now = Date.parse('2026-12-01T00:00:00Z');
  assert.equal(retryAfterMs('3', now), 3000);
  assert.equal(retryAfterMs(' 0 ', now), 0);
  assert.equal(retryAfterMs('Tue, 01 Dec 2026 00:00:10 GMT', now), 10_000);
  assert.equal(retryAfterMs('Mon, 30 Nov 2026 00:00:00 GMT', now), 0);
  assert.equal(retryAfterMs(undefined, now), null);
  assert.equal(retryAfterMs('soon', now), null);
  assert.equal(retryAfterMs('-1', now), null);
});
