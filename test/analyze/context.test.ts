import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileRole, firstLevelPackages } from '../../src/analyze/context.js';

test('a first-level tooling directory is unshipped in an sdist, unless it is a package', () => {
  assert.equal(fileRole('utils/thread.py', 'sdist'), 'unshipped');
  assert.equal(fileRole('tools/release.py', 'source-tree'), 'unshipped');
  const packages = firstLevelPackages(['utils/__init__.py', 'utils/thread.py', 'tools/release.py', 'setup.py', 'mypkg/sub/__init__.py']);
  assert.deepEqual([...packages], ['utils']);
  assert.equal(fileRole('utils/thread.py', 'sdist', packages), 'package');
  assert.equal(fileRole('tools/release.py', 'sdist', packages), 'unshipped');
  // Tests stay unshipped even in a package.
  assert.equal(fileRole('tests/test_x.py', 'sdist', new Set(['tests'])), 'unshipped');
  assert.equal(fileRole('setup.py', 'sdist', packages), 'setup');
});
