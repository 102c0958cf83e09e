/** Where things sit in artifacts: top-level import names, installed scripts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topLevelNames } from '../../src/analyze/layout.js';
import { scriptsFromEntryPoints, scriptsFromPyproject } from '../../src/analyze/entry-points.js';

const names: Array<[string, 'wheel' | 'sdist' | 'source-tree', string[], string[]]> = [
  ['wheel packages and modules', 'wheel', ['requests/__init__.py', 'requests/api.py', 'six.py', 'x-1.dist-info/METADATA'], ['requests', 'six']],
  ['namespace packages do not count', 'wheel', ['google/protobuf/__init__.py', 'google/protobuf/x.py'], []],
  ['purelib in .data', 'wheel', ['x-1.data/purelib/yaml/__init__.py'], ['yaml']],
  ['native modules', 'wheel', ['_cffi_backend.cpython-311-x86_64-linux-gnu.so'], ['_cffi_backend']],
  ['sdist root and src layout', 'sdist', ['pkg-1.0/setup.py', 'pkg-1.0/src/numpy/__init__.py', 'pkg-1.0/PKG-INFO'], ['numpy']],
  ['source tree', 'source-tree', ['setup.py', 'attr/__init__.py', 'tests/__init__.py'], ['attr', 'tests']],
];
for (const [name, kind, paths, expected] of names) {
  test(`top-level names: ${name}`, () => assert.deepEqual(topLevelNames(kind, paths), expected));
}

test('console and GUI scripts from entry_points.txt, not other groups', () => {
  const text = '[console_scripts]\npip = pip._internal:main\n\n[gui_scripts]\nidle-x = x:gui\n[pytest11]\nplugin = x.plugin\n';
  assert.deepEqual([...scriptsFromEntryPoints(text)], [
    ['pip', 'pip._internal:main'],
    ['idle-x', 'x:gui'],
  ]);
});

test('scripts from pyproject.toml, and nothing from a broken one', () => {
  const text = '[project]\nname = "x"\n[project.scripts]\ngit = "x:main"\n[project.gui-scripts]\nxg = "x:gui"\n';
  assert.deepEqual([...scriptsFromPyproject(text)], [
    ['git', 'x:main'],
    ['xg', 'x:gui'],
  ]);
  assert.equal(scriptsFromPyproject('[project\n').size, 0);
});
