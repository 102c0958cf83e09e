/** The wheel option's rule (`wheelVerdict`) and how a page's wheels are paired with their release's sdist. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SourcedFile, SourcedPage } from '../../src/index/project-source.js';
import { releasePairs, wheelVerdict, type WheelCheckStatus, type WheelPair } from '../../src/index/wheel-source-gate.js';

const file = (filename: string, sha = filename.length.toString(16).padStart(64, '0')): SourcedFile => ({ filename, url: `../../files/${sha}/${filename}`, hashes: { sha256: sha }, yanked: false, size: 1 });

function page(filenames: string[]): SourcedPage {
  const files = new Map(filenames.map((f) => [f, file(f)]));
  return { source: 'pypi', project: 'demo-lib', page: { name: 'demo-lib', versions: [], files: [...files.values()] }, files, revision: 'r', cacheStatus: 'HIT', ageSeconds: 0 };
}

test('pure-Python wheels are paired with the sdist of their release; compiled wheels and other projects are not', () => {
  const pairs = releasePairs(
    page([
      'demo_lib-1.0-py3-none-any.whl',
      'demo_lib-1.0.zip',
      'demo_lib-1.0.tar.gz',
      'demo_lib-1.0.0-py2.py3-none-any.whl',
      'demo_lib-1.0-cp311-cp311-manylinux_2_17_x86_64.whl',
      'demo_lib-2.0-py3-none-any.whl',
      'not a file name.whl',
    ]),
  );
  assert.deepEqual(
    pairs.map((p) => [p.wheel.filename, p.version, p.sdist?.filename ?? null]),
    [
      // A .tar.gz is preferred to a .zip; 1.0.0 is the release 1.0.
      ['demo_lib-1.0-py3-none-any.whl', '1.0', 'demo_lib-1.0.tar.gz'],
      ['demo_lib-1.0.0-py2.py3-none-any.whl', '1.0.0', 'demo_lib-1.0.tar.gz'],
      ['demo_lib-2.0-py3-none-any.whl', '2.0', null],
    ],
  );
});

const withSdist: WheelPair = { source: 'pypi', project: 'demo-lib', version: '1.0', wheel: file('demo_lib-1.0-py3-none-any.whl'), sdist: file('demo_lib-1.0.tar.gz') };
const withoutSdist: WheelPair = { ...withSdist, sdist: undefined } as WheelPair;
const built = { filename: 'demo_lib-1.0-py3-none-any.whl', sha256: 'b'.repeat(64), size: 10, sdistSha256: 'c'.repeat(64), path: '/x' };
const status = (state: WheelCheckStatus['state'], extra: Partial<WheelCheckStatus> = {}): WheelCheckStatus => ({ state, reason: `reason for ${state}`, ...extra });

test('wheelVerdict: what a setting and a check make of a wheel', () => {
  const cases: [mode: 'matching' | 'rebuilt', pair: WheelPair, status: WheelCheckStatus | undefined, expect: { serve: string; code?: string; pending?: boolean; reason?: RegExp }][] = [
    ['matching', withSdist, status('matches', { built }), { serve: 'upstream' }],
    ['matching', withSdist, status('differs', { built }), { serve: 'none', code: 'build.wheel-differs', pending: false, reason: /^build\.wheels = "matching": reason for differs$/ }],
    ['matching', withSdist, status('not-rebuilt'), { serve: 'none', code: 'build.not-rebuilt', pending: false, reason: /^build\.wheels = "matching": its sdist did not build here: reason for not-rebuilt$/ }],
    ['matching', withSdist, undefined, { serve: 'none', code: 'build.pending', pending: true, reason: /^demo_lib-1\.0-py3-none-any\.whl is being checked against its sdist by the gateway before it is served; try again in a minute \(build\.wheels = "matching"\)$/ }],
    ['matching', withSdist, status('queued'), { serve: 'none', code: 'build.pending', pending: true }],
    ['matching', withSdist, status('building'), { serve: 'none', code: 'build.pending', pending: true }],
    ['matching', withoutSdist, undefined, { serve: 'none', code: 'build.no-sdist', pending: false, reason: /no sdist to check it against/ }],
    ['rebuilt', withSdist, status('matches', { built }), { serve: 'built' }],
    // The built wheel is served whether or not the upstream's matched it.
    ['rebuilt', withSdist, status('differs', { built }), { serve: 'built' }],
    ['rebuilt', withSdist, status('not-rebuilt'), { serve: 'none', code: 'build.not-rebuilt', pending: false }],
    ['rebuilt', withSdist, status('building'), { serve: 'none', code: 'build.pending', pending: true, reason: /being built from its sdist/ }],
    ['rebuilt', withoutSdist, undefined, { serve: 'none', code: 'build.no-sdist', reason: /^build\.wheels = "rebuilt": its release has no sdist to build it from$/ }],
  ];
  for (const [mode, pair, given, expect] of cases) {
    const verdict = wheelVerdict(mode, pair, given);
    const label = `${mode} ${given?.state ?? 'unchecked'} ${pair.sdist ? '' : 'no sdist'}`;
    assert.equal(verdict.serve, expect.serve, label);
    if (verdict.serve === 'built') assert.equal(verdict.built, built, label);
    if (verdict.serve === 'none') {
      assert.equal(verdict.code, expect.code, label);
      if (expect.pending !== undefined) assert.equal(verdict.pending, expect.pending, label);
      if (expect.reason) assert.match(verdict.reason, expect.reason, label);
    }
  }
});
