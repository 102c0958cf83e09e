/** `--fix`: the rewrite of requirements files, hashes and continuations included. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditReport, AuditedDependency } from '../../src/audit/audit.js';
import { applyFixes, planFixes } from '../../src/audit/fix.js';
import type { Advisory } from '../../src/vulndb/advisory.js';

const advisory: Advisory = { id: 'PYSEC-1', modified: '', aliases: [], severity: [], highestSeverity: null, unscoredSeverity: [], malware: false, references: [], packages: [] };

function dep(name: string, version: string, origins: string[], upgrade: string | null): AuditedDependency {
  return { name, version, origins, findings: [{ advisory, fixVersions: upgrade ? [upgrade] : [] }], suggestedUpgrade: upgrade };
}

test('pins are rewritten on their line; that line\'s hashes are dropped; other lines stay byte for byte', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-fix-'));
  try {
    const before = [
      '# app',
      'django==3.2.0 \\',
      '    --hash=sha256:aaaa \\',
      '    --hash=sha256:bbbb',
      'requests[socks] == 2.19.0 ; python_version >= "3.6"  # http',
      'six==1.16.0 --hash=sha256:cccc',
      'jinja2==2.10',
      '',
    ].join('\r\n');
    writeFileSync(join(dir, 'requirements.txt'), before);
    writeFileSync(join(dir, 'poetry.lock'), '');
    const report: AuditReport = {
      dbRevision: 'r',
      unauditable: [],
      expiredIgnores: [],
      dependencies: [
        dep('django', '3.2.0', ['requirements.txt:2'], '3.2.25'),
        dep('requests', '2.19.0', ['requirements.txt:5'], '2.32.4'),
        dep('jinja2', '2.10', ['requirements.txt:7'], null),
        dep('urllib3', '1.26.4', ['poetry.lock'], '1.26.19'),
      ],
    };
    const plan = planFixes(report, dir);
    assert.deepEqual(plan.unfixed.map((u) => u.name), ['jinja2', 'urllib3']);
    assert.deepEqual(plan.files.map((f) => f.changes.map((c) => [c.name, c.line, c.to, c.droppedHashes])), [
      [['django', 2, '3.2.25', true], ['requests', 5, '2.32.4', false]],
    ]);
    applyFixes(plan, dir);
    assert.equal(
      readFileSync(join(dir, 'requirements.txt'), 'utf8'),
      ['# app', 'django==3.2.25', 'requests[socks] == 2.32.4 ; python_version >= "3.6"  # http', 'six==1.16.0 --hash=sha256:cccc', 'jinja2==2.10', ''].join('\r\n'),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
