/** Keyed single-flight: one call per key in flight, shared results and errors, and a fresh call afterwards. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SingleFlight } from '../../src/upstream/single-flight.js';

test('200 concurrent callers of one key make one call and share its result', async () => {
  const flight = new SingleFlight<string, { n: number }>();
  let calls = 0;
  const call = async (): Promise<{ n: number }> => {
    calls++;
    await new Promise((resolve) => setTimeout(resolve, 20));
    return { n: calls };
  };
  const results = await Promise.all(Array.from({ length: 200 }, () => flight.run('page:demo', call)));
  assert.equal(calls, 1);
  assert.ok(results.every((r) => r === results[0]));
  assert.equal(flight.size, 0);
  // Settled keys are forgotten: the next caller calls again.
  await flight.run('page:demo', call);
  assert.equal(calls, 2);
});

test('different keys run separately; an error is shared, then forgotten', async () => {
  const flight = new SingleFlight<string, string>();
  let calls = 0;
  const failing = async (): Promise<string> => {
    calls++;
    await new Promise((resolve) => setTimeout(resolve, 10));
    throw new Error('upstream down');
  };
  const outcomes = await Promise.allSettled([...Array.from({ length: 50 }, () => flight.run('a', failing)), flight.run('b', async () => 'b')]);
  assert.equal(calls, 1);
  assert.equal(outcomes.filter((o) => o.status === 'rejected').length, 50);
  assert.deepEqual(outcomes[50], { status: 'fulfilled', value: 'b' });
  assert.equal(flight.size, 0);
});

test('a call that throws synchronously is shared and forgotten like any other', async () => {
  const flight = new SingleFlight<string, string>();
  let calls = 0;
  const sync = (): Promise<string> => {
    calls++;
    throw new Error('at once');
  };
  const outcomes = await Promise.allSettled([flight.run('k', sync), flight.run('k', sync)]);
  assert.equal(calls, 1);
  assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected']);
  assert.equal(await flight.run('k', async () => 'ok'), 'ok');
});
