/**
 * A real pure-Python wheel from /opt/pypi (idna 3.20, built by flit 4.1.0), turned back into its source tree and
 * rebuilt in the sandbox, is equivalent to the published one; tampered copies of it are reported with exactly the
 * difference made.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BuiltWheelStore } from '../../src/sandbox/built-store.js';
import { compareWheels } from '../../src/sandbox/compare/compare.js';
import { readWheelFiles } from '../../src/sandbox/compare/wheel-files.js';
import { rebuildAndCompare, type RebuildOptions } from '../../src/sandbox/rebuild.js';
import { buildFixture, PYPI, type BuildFixture } from './fixtures.js';
import { tamperedWheel, wheelToSdist } from './wheel-source.js';

const published = join(PYPI, 'files', 'idna-3.20-py3-none-any.whl');
let fx: BuildFixture;
let sdist: string;
let options: RebuildOptions;
let firstBuild: string;

before(async () => {
  assert.ok(existsSync(published), `${published} is missing`);
  fx = await buildFixture();
  sdist = wheelToSdist(published, { requires: 'flit_core >=4,<5', buildBackend: 'flit_core.buildapi' });
  options = { host: fx.host, indexUrl: fx.index.url, cacheDir: fx.cacheDir, outDir: fx.outDir, store: new BuiltWheelStore(mkdtempSync(join(tmpdir(), 'gatehouse-store-'))) };
});

after(() => fx.index.stop());

test('the untouched wheel rebuilds to an equivalent wheel', async () => {
  const check = await rebuildAndCompare(published, sdist, options);
  assert.equal(check.decision, 'matches', check.reason);
  assert.deepEqual(check.comparison!.differences, []);
  assert.equal(check.comparison!.filesCompared, 15);
  for (const n of ['timestamps', 'record'] as const) assert.ok(check.comparison!.normalizations.includes(n));
  assert.deepEqual(check.build.dependencies.map((d) => d.filename), ['flit_core-4.1.0-py3-none-any.whl']);
  assert.ok(check.stored?.wheel && existsSync(check.stored.wheel));
  assert.ok(existsSync(check.stored.comparison));
  firstBuild = check.build.startedOn;
});

const tampering: { name: string; change: Parameters<typeof tamperedWheel>[1]; expect: Record<string, unknown> }[] = [
  {
    name: 'one added module',
    change: { set: { 'idna/_telemetry.py': 'import os\nos.system("true")\n' } },
    expect: { kind: 'only-in-published', path: 'idna/_telemetry.py', severity: 'high' },
  },
  {
    name: 'a changed .py file',
    change: { replace: { 'idna/core.py': ['import bisect', 'import bisect, os'] } },
    expect: { kind: 'content-differs', path: 'idna/core.py', severity: 'high' },
  },
  {
    name: 'an added Requires-Dist',
    change: { replace: { 'idna-3.20.dist-info/METADATA': ['Requires-Dist: ruff', 'Requires-Dist: idna-helpers-fixed\nRequires-Dist: ruff'] } },
    expect: { kind: 'metadata-differs', path: 'idna-3.20.dist-info/METADATA', field: 'requires-dist', published: ['idna-helpers-fixed'], rebuilt: [], severity: 'high' },
  },
  {
    name: 'a .pth file',
    change: { set: { 'idna-init.pth': 'import idna._boot\n' } },
    expect: { kind: 'only-in-published', path: 'idna-init.pth', severity: 'critical' },
  },
];

for (const { name, change, expect } of tampering) {
  test(`the wheel with ${name} is reported with exactly that difference`, async () => {
    const check = await rebuildAndCompare(tamperedWheel(published, change), sdist, options);
    assert.equal(check.decision, 'differs');
    assert.equal(check.build.startedOn, firstBuild, 'the stored build of the same sdist is reused, not built again');
    assert.equal(check.comparison!.differences.length, 1, JSON.stringify(check.comparison!.differences));
    const [difference] = check.comparison!.differences;
    for (const [key, value] of Object.entries(expect)) assert.deepEqual((difference as unknown as Record<string, unknown>)[key], value, key);
    assert.equal(check.findings.filter((f) => f.rule.startsWith('rebuild.')).length, 1);
    assert.equal(check.findings.find((f) => f.rule.startsWith('rebuild.'))!.rule, `rebuild.${expect.kind as string}`);
  });
}

test('in a wheel with compiled parts, the binaries are listed as not rebuilt and everything else is compared', async () => {
  const stored = options.store!.lookup((await rebuildAndCompare(published, sdist, options)).build.sdist.sha256)!;
  const elf = '\x7fELF\x02\x01\x01' + '\0'.repeat(57);
  const withBinary = tamperedWheel(published, { set: { 'idna/_speedups.cpython-311-x86_64-linux-gnu.so': elf } });
  const compiled = compareWheels(await readWheelFiles(withBinary), await readWheelFiles(stored.wheel), { compiled: true });
  assert.deepEqual(compiled.differences, []);
  assert.deepEqual(compiled.unverifiedBinaries, ['idna/_speedups.cpython-311-x86_64-linux-gnu.so']);
  const plus = tamperedWheel(withBinary, { set: { 'idna/extra.py': 'X = 1\n' } });
  const both = compareWheels(await readWheelFiles(plus), await readWheelFiles(stored.wheel), { compiled: true });
  assert.deepEqual(both.differences.map((d) => [d.kind, d.path]), [['only-in-published', 'idna/extra.py']]);
  // The same binary in a pure wheel is a difference like any other file.
  const pure = compareWheels(await readWheelFiles(withBinary), await readWheelFiles(stored.wheel), { compiled: false });
  assert.deepEqual(pure.differences.map((d) => [d.kind, d.path, d.severity]), [['only-in-published', 'idna/_speedups.cpython-311-x86_64-linux-gnu.so', 'high']]);
});

test('CRLF line endings and a WHEEL from another generator are normalized, and say so', async () => {
  const stored = options.store!.lookup((await rebuildAndCompare(published, sdist, options)).build.sdist.sha256)!;
  const variant = tamperedWheel(published, {
    replace: { 'idna/compat.py': ['\n', '\r\n'], 'idna-3.20.dist-info/WHEEL': ['Generator: flit 4.1.0', 'Generator: flit 9.9.9'] },
  });
  const comparison = compareWheels(await readWheelFiles(variant), await readWheelFiles(stored.wheel), { compiled: false });
  assert.deepEqual(comparison.differences, []);
  assert.ok(comparison.normalizations.includes('line-endings'));
  assert.ok(comparison.normalizations.includes('wheel-generator'));
});

test('what only says which backend version wrote the wheel is normalized, and says so; a stale file is not', async () => {
  const stored = options.store!.lookup((await rebuildAndCompare(published, sdist, options)).build.sdist.sha256)!;
  const older = tamperedWheel(published, {
    replace: { 'idna-3.20.dist-info/METADATA': ['License-Expression: BSD-3-Clause', 'License: BSD-3-Clause\nPlatform: UNKNOWN\nDynamic: license'] },
    set: { 'idna-3.20.dist-info/metadata.json': '{"generator": "bdist_wheel (0.30.0)"}', 'idna-3.20.dist-info/DESCRIPTION.rst': 'UNKNOWN\n' },
  });
  const comparison = compareWheels(await readWheelFiles(older), await readWheelFiles(stored.wheel), { compiled: false });
  assert.deepEqual(comparison.differences, []);
  for (const n of ['backend-metadata', 'legacy-dist-info-files'] as const) assert.ok(comparison.normalizations.includes(n), n);
  // A module left over in the build directory (requests-toolbelt 1.0.0 shipped one its tag had removed) stays a difference.
  const stale = tamperedWheel(older, { set: { 'idna/appengine.py': '"""removed in 1.0.0"""\n' } });
  const found = compareWheels(await readWheelFiles(stale), await readWheelFiles(stored.wheel), { compiled: false });
  assert.deepEqual(found.differences.map((d) => [d.kind, d.path]), [['only-in-published', 'idna/appengine.py']]);
});
