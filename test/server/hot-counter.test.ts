/**
 * A hot counter exposes what a prom-client counter fed the same increments exposes, however the scrapes fall
 * between them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Counter, Registry } from 'prom-client';
import { HotCounter } from '../../src/server/hot-counter.js';

const METHODS = ['GET', 'HEAD', 'POST'];
const ROUTES = ['/simple/:project/', '/files/:sha256/:filename', 'unmatched'];
const STATUSES = ['200', '304', '404', '502'];

test('a hot counter reads the same as prom-client counting each increment', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.oneof(fc.constant('scrape' as const), fc.tuple(fc.constantFrom(...METHODS), fc.constantFrom(...ROUTES), fc.constantFrom(...STATUSES))), { maxLength: 300 }),
      async (steps) => {
        const registry = new Registry();
        const hot = new HotCounter({ name: 'hot_total', help: 'h', labelNames: ['method', 'route', 'status'], registers: [registry] });
        const plain = new Counter({ name: 'plain_total', help: 'h', labelNames: ['method', 'route', 'status'], registers: [registry] });
        const read = async () => {
          const text = await registry.metrics();
          const lines = (prefix: string) =>
            text
              .split('\n')
              .filter((l) => l.startsWith(`${prefix}{`))
              .map((l) => l.slice(prefix.length))
              .sort();
          assert.deepEqual(lines('hot_total'), lines('plain_total'));
        };
        for (const step of steps) {
          if (step === 'scrape') await read();
          else {
            hot.inc(...step);
            plain.inc({ method: step[0], route: step[1], status: step[2] });
          }
        }
        await read();
      },
    ),
    { numRuns: 60 },
  );
});

test('one and two labels; more than three is refused', async () => {
  const registry = new Registry();
  const one = new HotCounter({ name: 'one_total', help: 'h', labelNames: ['format'], registers: [registry] });
  const two = new HotCounter({ name: 'two_total', help: 'h', labelNames: ['upstream', 'status'], registers: [registry] });
  one.inc('json');
  one.inc('json');
  one.inc('html');
  two.inc('pypi', 'HIT');
  two.inc('pypi', 'MISS');
  two.inc('mirror', 'HIT');
  const text = await registry.metrics();
  assert.match(text, /one_total\{format="json"\} 2\n/);
  assert.match(text, /one_total\{format="html"\} 1\n/);
  assert.match(text, /two_total\{upstream="pypi",status="HIT"\} 1\n/);
  assert.match(text, /two_total\{upstream="mirror",status="HIT"\} 1\n/);
  assert.throws(() => new HotCounter({ name: 'four_total', help: 'h', labelNames: ['a', 'b', 'c', 'd'], registers: [registry] }), /one to three labels/);
});
