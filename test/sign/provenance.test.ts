/** Provenance statements: what they record of a build, signed, verified, and refused when anything was changed. */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { BuildResult } from '../../src/sandbox/build.js';
import { resolveSandboxLimits } from '../../src/sandbox/limits.js';
import { ProvenanceError } from '../../src/sign/errors.js';
import { loadOrCreateSigningKey } from '../../src/sign/key.js';
import { BUILD_TYPE, gatehouseVersion, signProvenance, verifyProvenance } from '../../src/sign/provenance.js';

const sha = (c: string): string => c.repeat(64);
const build = {
  status: 'built',
  sdist: { path: '/x/demo-1.0.tar.gz', filename: 'demo-1.0.tar.gz', sha256: sha('a'), size: 100 },
  wheel: { path: '/x/demo-1.0-py3-none-any.whl', filename: 'demo-1.0-py3-none-any.whl', sha256: sha('b'), size: 200 },
  buildSystem: { requires: ['setuptools'], backend: 'setuptools.build_meta', backendPath: [], fallback: false },
  requiresForBuild: [],
  dependencies: [{ name: 'setuptools', version: '84.0.0', filename: 'setuptools-84.0.0-py3-none-any.whl', url: 'http://127.0.0.1:1/files/setuptools-84.0.0-py3-none-any.whl', sha256: sha('c'), path: '/cache/x' }],
  log: 'running build\n',
  findings: [{ rule: 'sandbox.dns-lookup', severity: 'high', confidence: 'high', message: 'looked up a host name: x.example (A)', snippet: 'x.example (A)' }],
  events: [],
  limitsHit: [],
  run: { wallTimeMs: 300, exitCode: 0, signal: null },
  sandbox: {
    isolation: 'bubblewrap 0.8.0',
    tracer: 'strace 6.1',
    namespaces: ['user', 'mount', 'pid', 'network', 'ipc', 'uts', 'cgroup'],
    network: 'none',
    filesystem: 'read-only',
    uid: 1000,
    capabilities: 'none',
    python: { implementation: 'cpython', version: '3.11.7', executable: '/usr/bin/python3' },
    limits: resolveSandboxLimits(),
    enforcement: { memory: 'cgroup', processes: 'cgroup', cpuTime: 'cgroup', disk: 'tmpfs', wallTime: 'timer', output: 'pipe' },
  },
  indexUrl: 'http://127.0.0.1:1/simple/',
  startedOn: '2026-12-01T10:00:00.000Z',
  finishedOn: '2026-12-01T10:00:01.000Z',
} as BuildResult;

const key = loadOrCreateSigningKey(join(mkdtempSync(join(tmpdir(), 'gatehouse-keys-')), 'keys'));

test('the statement names the wheel, the sdist, each build dependency, the sandbox and the builder', () => {
  const { statement, keyid, wheel, sdist } = verifyProvenance(signProvenance(build, key, 'urn:gatehouse:builder:test'), key.publicKey, { wheelSha256: sha('b'), sdistSha256: sha('a'), wheelName: 'demo-1.0-py3-none-any.whl' });
  assert.equal(keyid, key.keyid);
  assert.deepEqual(wheel, { name: 'demo-1.0-py3-none-any.whl', sha256: sha('b') });
  assert.deepEqual(sdist, { name: 'demo-1.0.tar.gz', sha256: sha('a') });
  const definition = statement.predicate.buildDefinition;
  assert.equal(definition.buildType, BUILD_TYPE);
  assert.deepEqual(definition.resolvedDependencies[1], {
    uri: 'http://127.0.0.1:1/files/setuptools-84.0.0-py3-none-any.whl',
    name: 'setuptools-84.0.0-py3-none-any.whl',
    digest: { sha256: sha('c') },
    annotations: { role: 'build-dependency', project: 'setuptools', version: '84.0.0' },
  });
  assert.deepEqual((definition.internalParameters.sandbox as { limits: unknown }).limits, resolveSandboxLimits());
  assert.equal(statement.predicate.runDetails.builder.version.gatehouse, gatehouseVersion());
  const findings = statement.predicate.runDetails.byproducts!.find((b) => b.name === 'findings.json')!;
  assert.equal(JSON.parse(Buffer.from(findings.content!, 'base64').toString()).length, 1);
});

test('the wrong wheel, the wrong sdist, or a statement changed after signing is refused', () => {
  const signed = signProvenance(build, key, 'urn:gatehouse:builder:test');
  const refused = (fn: () => unknown, code: string): void => assert.throws(fn, (e) => e instanceof ProvenanceError && e.code === code);
  refused(() => verifyProvenance(signed, key.publicKey, { wheelSha256: sha('d') }), 'provenance.subject-mismatch');
  refused(() => verifyProvenance(signed, key.publicKey, { sdistSha256: sha('d') }), 'provenance.source-mismatch');
  const envelope = JSON.parse(signed) as { payload: string };
  const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString());
  statement.predicate.buildDefinition.resolvedDependencies[1].digest.sha256 = sha('e');
  refused(() => verifyProvenance(JSON.stringify({ ...envelope, payload: Buffer.from(JSON.stringify(statement)).toString('base64') }), key.publicKey), 'provenance.signature-invalid');
});
