/** `gatehouse build` writes a wheel with signed provenance; `gatehouse verify-provenance` accepts it and refuses tampering. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { loadOrCreateSigningKey } from '../../src/sign/key.js';
import { runCli } from '../helpers/cli.js';
import { makeSdist, serveOptPypi, sharedCache, type StaticIndex } from './fixtures.js';

let index: StaticIndex;
let data: string;
let out: string;
let sdist: string;
let wheel: string;

before(async () => {
  index = await serveOptPypi();
  data = mkdtempSync(join(tmpdir(), 'gatehouse-cli-data-'));
  out = mkdtempSync(join(tmpdir(), 'gatehouse-cli-out-'));
  sdist = makeSdist({ name: 'cli-demo', setupPy: 'from setuptools import setup\nsetup(name="cli-demo", version="1.0", packages=["cli_demo"])\n' });
});

after(() => index.stop());

test('the commands are listed in --help', async () => {
  const r = await runCli(['--help']);
  for (const name of ['build', 'compare', 'verify-provenance']) assert.match(r.stdout, new RegExp(`^  ${name}\\b`, 'm'));
  const build = await runCli(['build', '--help']);
  assert.match(build.stdout, /--time-limit <duration>/);
  assert.match(build.stdout, /Exit status: 0 built, 1 built but its behaviour reaches --fail-on/);
});

test('gatehouse build: a wheel, its build log and its signed provenance', async () => {
  const r = await runCli(['build', sdist, '--index-url', index.url, '--data', data, '--out', out], { env: { GATEHOUSE_SANDBOX_CACHE: sharedCache } });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  wheel = join(out, 'cli_demo-1.0-py3-none-any.whl');
  assert.match(r.stdout, new RegExp(`^BUILT   cli-demo-1.0.tar.gz -> ${wheel}$`, 'm'));
  assert.match(r.stdout, /build dependencies: setuptools 84\.0\.0/);
  assert.match(r.stdout, /behaviour: clean/);
  assert.ok(existsSync(wheel));
  assert.ok(existsSync(`${wheel}.provenance.json`));
  assert.ok(existsSync(join(data, 'keys', 'provenance-ed25519.pub')));
  assert.match(readFileSync(join(out, 'cli-demo-1.0.tar.gz.build.log'), 'utf8'), /running bdist_wheel/);
});

test('gatehouse verify-provenance: verified for the wheel and sdist it names', async () => {
  const r = await runCli(['verify-provenance', '--wheel', wheel, '--sdist', sdist, '--data', data]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^VERIFIED  cli_demo-1\.0-py3-none-any\.whl \(sha256 [0-9a-f]{64}\)$/m);
  assert.match(r.stdout, /built from cli-demo-1\.0\.tar\.gz .*, the sdist given/);
  assert.match(r.stdout, /build dependencies: setuptools 84\.0\.0/);
});

test('gatehouse verify-provenance: a changed statement, another wheel or another key are refused', async () => {
  const envelope = JSON.parse(readFileSync(`${wheel}.provenance.json`, 'utf8')) as { payload: string };
  const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString());
  statement.predicate.buildDefinition.resolvedDependencies[1].annotations.version = '99.0';
  const tampered = join(out, 'tampered.provenance.json');
  writeFileSync(tampered, JSON.stringify({ ...envelope, payload: Buffer.from(JSON.stringify(statement)).toString('base64') }));
  const changed = await runCli(['verify-provenance', tampered, '--wheel', wheel, '--data', data]);
  assert.equal(changed.code, 1);
  assert.match(changed.stderr, /^NOT VERIFIED .*no signature of the envelope verifies with this public key.*\[provenance\.signature-invalid\]$/m);

  const other = join(out, 'cli_demo-1.0-py3-none-any.whl.copy');
  writeFileSync(other, Buffer.concat([readFileSync(wheel), Buffer.from('x')]));
  const wrongWheel = await runCli(['verify-provenance', `${wheel}.provenance.json`, '--wheel', other, '--data', data]);
  assert.equal(wrongWheel.code, 1);
  assert.match(wrongWheel.stderr, /\[provenance\.subject-mismatch\]/);

  const otherKey = loadOrCreateSigningKey(mkdtempSync(join(tmpdir(), 'gatehouse-cli-otherkey-')));
  const wrongKey = await runCli(['verify-provenance', '--wheel', wheel, '--key', otherKey.publicKeyPath]);
  assert.equal(wrongKey.code, 1);
  assert.match(wrongKey.stderr, /\[provenance\.signature-invalid\]/);
});
