import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { missingServeFlags, SERVE_NODE_FLAGS } from '../../src/cli/serve-flags.js';
import { repoRoot } from '../helpers/cli.js';

test('npm start runs the gateway with exactly the Node flags gatehouse serve asks for', () => {
  const start = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts.start!;
  const match = /^node ((?:--\S+ )*)dist\/cli\/main\.js serve$/.exec(start);
  assert.ok(match, `the start script is node, its flags, the bundle and serve: ${start}`);
  assert.deepEqual(match[1]!.trim().split(' '), [...SERVE_NODE_FLAGS]);
});

test('missingServeFlags names the flags a process was started without', () => {
  assert.deepEqual(missingServeFlags([]), [...SERVE_NODE_FLAGS]);
  assert.deepEqual(missingServeFlags([...SERVE_NODE_FLAGS, '--enable-source-maps']), []);
  assert.deepEqual(missingServeFlags(['--max-semi-space-size=2']), ['--initial-old-space-size=64']);
  // A flag with another value is not the flag.
  assert.deepEqual(missingServeFlags(['--max-semi-space-size=16', '--initial-old-space-size=64']), ['--max-semi-space-size=2']);
});
