import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';

const COMMANDS = ['serve', 'token', 'audit', 'vulndb', 'scan', 'check-name', 'names'];

test('gatehouse --help lists every subcommand and exits 0', async () => {
  const r = await runCli(['--help']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Usage: gatehouse/);
  for (const name of COMMANDS) assert.match(r.stdout, new RegExp(`^  ${name}\\b`, 'm'), `${name} is listed`);
});

test('`gatehouse help NAME` shows that command\'s help', async () => {
  const r = await runCli(['help', 'check-name']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Usage: gatehouse check-name/);
});

test('an unknown subcommand exits non-zero with a hint, suggesting the nearest command', async () => {
  const r = await runCli(['no-such-command']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /unknown command/);
  const typo = await runCli(['audti']);
  assert.notEqual(typo.code, 0);
  assert.match(typo.stderr, /Did you mean audit\?/);
});
