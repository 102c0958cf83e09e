/**
 * Regression guard for the false positives found while tuning on real PyPI
 * wheels (docs/scan-false-positives.md): each of these honest wheels was once
 * called malicious or suspicious by a rule defect. Needs /opt/pypi/files and
 * fails, not skips, when it is missing. The full measurement over all 887
 * wheels is bench/scan-false-positives.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ArtifactScanner } from '../../src/analyze/artifact.js';

const dir = '/opt/pypi/files';

const table: Array<{ wheel: string; notMalicious: string; absent: string[] }> = [
  { wheel: 'coverage-7.16.2-cp311-cp311-manylinux1_x86_64.manylinux_2_28_x86_64.manylinux_2_5_x86_64.whl', notMalicious: 'exec of a readable literal in a .pth', absent: ['install.pth-exec-payload'] },
  { wheel: 'distlib-0.4.3-py2.py3-none-any.whl', notMalicious: 'reads ~/.pypirc and uploads, in different functions', absent: ['combo.secrets-exfiltration'] },
  { wheel: 'blobfile-3.3.0-py3-none-any.whl', notMalicious: 'reads gcloud credentials and sends requests, in different functions', absent: ['combo.secrets-exfiltration'] },
  { wheel: 'yt_dlp-2026.8.19-py3-none-any.whl', notMalicious: 'imports browser cookies on request', absent: ['combo.secrets-exfiltration', 'combo.secrets-to-drop'] },
  { wheel: 'huggingface_hub-2.0.0-py3-none-any.whl', notMalicious: 'prints `curl … | sh` install instructions', absent: ['code.shell-download-pipe'] },
  { wheel: 'nltk-3.10.3-py3-none-any.whl', notMalicious: 'security tests name cron paths and downloads', absent: ['code.shell-download-pipe', 'combo.persistence-download'] },
  { wheel: 'six-1.17.0-py2.py3-none-any.whl', notMalicious: 'getattr(builtins, "exec") for Python 2/3 compatibility', absent: ['code.builtins-indirection'] },
  { wheel: 'ptyprocess-0.7.0-py2.py3-none-any.whl', notMalicious: 'looks up an exception class by a decoded name', absent: ['code.builtins-indirection'] },
  { wheel: 'future-1.0.0-py3-none-any.whl', notMalicious: 'a CGI server decodes the user name into the environment of the script it runs', absent: ['code.hidden-command'] },
  { wheel: 'jupyter_console-6.6.3-py3-none-any.whl', notMalicious: 'writes a decoded image to a temp file and runs a configured viewer on it', absent: ['code.run-dropped-file'] },
];

test('/opt/pypi/files is present (these tests need the real PyPI wheels)', () => {
  assert.ok(existsSync(dir), `${dir} is missing`);
});

const scanner = await ArtifactScanner.create();
for (const c of table) {
  test(`${c.wheel.split('-').slice(0, 2).join(' ')} is not malicious: ${c.notMalicious}`, async () => {
    const path = join(dir, c.wheel);
    assert.ok(existsSync(path), `${path} is missing`);
    const report = await scanner.scanArchive(path, 'wheel');
    assert.notEqual(report.verdict, 'malicious', report.reasons.join(' | '));
    const fired = report.findings.filter((f) => c.absent.includes(f.rule)).map((f) => `${f.rule}@${f.file}:${f.line}`);
    assert.deepEqual(fired, []);
  });
}
