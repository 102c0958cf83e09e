/**
 * The circuit breaker's states on a fake clock: closed -> open after the threshold, fast refusals while open, one
 * probe when half-open, and the counters a health listing shows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CircuitBreaker, type CircuitChange } from '../../src/upstream/circuit-breaker.js';

function breaker(failureThreshold = 3, openMs = 1000): { breaker: CircuitBreaker; clock: { now: number }; changes: CircuitChange[] } {
  const clock = { now: 1_000_000 };
  const changes: CircuitChange[] = [];
  return { breaker: new CircuitBreaker({ failureThreshold, openMs, now: () => clock.now }, (c) => changes.push(c)), clock, changes };
}

test('failures in a row open the circuit; a success in between resets the count', () => {
  const { breaker: b, changes } = breaker(3);
  for (let i = 0; i < 2; i++) b.failure(b.permit(), 'refused');
  b.success(b.permit());
  for (let i = 0; i < 2; i++) b.failure(b.permit(), 'refused');
  assert.equal(b.health().state, 'closed');
  b.failure(b.permit(), 'connection refused');
  assert.equal(b.health().state, 'open');
  assert.deepEqual(changes, [{ from: 'closed', to: 'open', reason: '3 failures in a row: connection refused' }]);
  assert.deepEqual(b.permit(), { allowed: false, retryAt: 1_001_000 });
  const health = b.health();
  assert.equal(health.failures, 5);
  assert.equal(health.successes, 1);
  assert.equal(health.rejected, 1);
  assert.equal(health.consecutiveFailures, 3);
  assert.equal(health.openedAt, new Date(1_000_000).toISOString());
  assert.equal(health.retryAt, new Date(1_001_000).toISOString());
  assert.deepEqual(health.lastFailure, { at: new Date(1_000_000).toISOString(), reason: 'connection refused' });
});

test('after the open period one probe goes through; its success closes the circuit', () => {
  const { breaker: b, clock, changes } = breaker(1, 1000);
  b.failure(b.permit(), 'x');
  clock.now += 999;
  assert.equal(b.permit().allowed, false);
  clock.now += 1;
  const probe = b.permit();
  assert.deepEqual(probe, { allowed: true, probe: true });
  assert.equal(b.health().state, 'half-open');
  // Others are refused while the probe runs.
  assert.equal(b.permit().allowed, false);
  b.success(probe);
  assert.equal(b.health().state, 'closed');
  assert.deepEqual(b.permit(), { allowed: true, probe: false });
  assert.deepEqual(changes.map((c) => c.to), ['open', 'half-open', 'closed']);
});

test('a failed probe opens the circuit for another period; a neutral one lets the next probe through', () => {
  const { breaker: b, clock } = breaker(1, 1000);
  b.failure(b.permit(), 'x');
  clock.now += 1000;
  const probe = b.permit();
  b.neutral(probe);
  const second = b.permit();
  assert.deepEqual(second, { allowed: true, probe: true });
  b.failure(second, 'still down');
  assert.equal(b.health().state, 'open');
  assert.deepEqual(b.permit(), { allowed: false, retryAt: clock.now + 1000 });
  assert.match(b.health().lastFailure?.reason ?? '', /still down/);
});
