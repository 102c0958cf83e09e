/** `gatehouse scan --dynamic` folds what an artifact's install-time code did into its verdict; `gatehouse compare` reports a wheel against its sdist. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { makeSdist, PYPI, serveOptPypi, setupRunning, sharedCache, type StaticIndex } from './fixtures.js';
import { obfuscate, techniques } from './techniques.js';
import { tamperedWheel, wheelToSdist } from './wheel-source.js';

let index: StaticIndex;
let data: string;
const env = { GATEHOUSE_SANDBOX_CACHE: sharedCache };

before(async () => {
  index = await serveOptPypi();
  data = mkdtempSync(join(tmpdir(), 'gatehouse-cli-data-'));
});

after(() => index.stop());

interface JsonReport {
  artifacts: { path: string; verdict: string; findings: { rule: string; severity: string; message: string; snippet?: string }[] }[];
}

test('scan --dynamic: an obfuscated credential stealer is malicious by what it did, a plain package stays clean', async () => {
  const stealer = techniques.find((t) => t.name === 'credential-reads')!;
  const evil = makeSdist({ name: 'cli-evil', setupPy: setupRunning(obfuscate(stealer.payload, 7), 'cli-evil') });
  const plain = makeSdist({ name: 'cli-plain', setupPy: setupRunning('', 'cli-plain') });
  const r = await runCli(['scan', '--dynamic', evil, plain, '--format', 'json', '--index-url', index.url, '--data', data], { env });
  assert.equal(r.code, 1, r.stderr);
  const report = JSON.parse(r.stdout) as JsonReport;
  const [bad, good] = report.artifacts;
  assert.equal(bad!.verdict, 'malicious');
  assert.ok(bad!.findings.some((f) => f.rule === 'sandbox.honeypot-read' && f.snippet === 'read ~/.aws/credentials'));
  assert.ok(bad!.findings.some((f) => f.rule === 'sandbox.dynamic-check' && /built cli_evil-1\.0-py3-none-any\.whl in the sandbox/.test(f.message)));
  assert.equal(good!.verdict, 'clean', JSON.stringify(good!.findings));
  assert.ok(good!.findings.some((f) => f.rule === 'sandbox.dynamic-check'));
});

test('gatehouse compare: MATCHES for the published idna wheel, DIFFERS for a tampered one', async () => {
  const published = join(PYPI, 'files', 'idna-3.20-py3-none-any.whl');
  const sdist = wheelToSdist(published, { requires: 'flit_core >=4,<5', buildBackend: 'flit_core.buildapi' });
  const same = await runCli(['compare', published, sdist, '--index-url', index.url, '--data', data], { env });
  assert.equal(same.code, 0, same.stdout + same.stderr);
  assert.match(same.stdout, /^MATCHES     idna-3\.20-py3-none-any\.whl against idna-3\.20\.tar\.gz$/m);
  assert.match(same.stdout, /15 files compared; normalized: timestamps/);
  const tampered = tamperedWheel(published, { replace: { 'idna-3.20.dist-info/METADATA': ['Requires-Dist: ruff', 'Requires-Dist: idna-helpers-fixed\nRequires-Dist: ruff'] } });
  const diff = await runCli(['compare', tampered, sdist, '--index-url', index.url, '--data', data], { env });
  assert.equal(diff.code, 1, diff.stderr);
  assert.match(diff.stdout, /^DIFFERS /m);
  assert.match(diff.stdout, /high +metadata-differs +the published wheel requires idna-helpers-fixed, which its source does not declare/);
});
