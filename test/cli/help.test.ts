import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';

test('gatehouse --help lists the subcommands and exits 0', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Usage: gatehouse/);
});

test('an unknown subcommand exits non-zero with a hint', async () => {
  const r = await runCli(['no-such-command']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown command/);
});
