/**
 * The audit and its reports: findings, ignores, suggested upgrades, and each
 * output format's structure (pip-audit's JSON shape, SARIF 2.1.0, CycloneDX
 * 1.6 checked by the library's own strict JSON validator, Markdown, table).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as CDX from '@cyclonedx/cyclonedx-library';
import { runAudit, summarize, type AuditReport } from '../../src/audit/audit.js';
import { emptySet, type DependencySet } from '../../src/audit/dependency.js';
import { renderCycloneDx } from '../../src/audit/formats/cyclonedx.js';
import { renderJson } from '../../src/audit/formats/json.js';
import { renderMarkdown } from '../../src/audit/formats/markdown.js';
import { renderSarif } from '../../src/audit/formats/sarif.js';
import { renderTable } from '../../src/audit/formats/table.js';
import { parseIgnore } from '../../src/audit/ignore.js';
import { updateVulnDb } from '../../src/vulndb/build.js';
import { openVulnDb, type VulnDb } from '../../src/vulndb/database.js';

const advisories = fileURLToPath(new URL('../fixtures/audit/advisories/osv/', import.meta.url));
let dir: string;
let db: VulnDb;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gatehouse-audit-'));
  await updateVulnDb(dir, advisories);
  db = await openVulnDb(dir);
});
after(() => rmSync(dir, { recursive: true, force: true }));

function input(): DependencySet {
  const set = emptySet();
  set.pinned.push(
    { name: 'Demo_Pkg', version: '1.2', origin: 'requirements.txt:3' },
    { name: 'demo-pkg', version: '1.2.0', origin: 'constraints.txt:1' },
    { name: 'demo-pkgg', version: '0.1', origin: 'requirements.txt:4' },
    { name: 'six', version: '1.16.0', origin: 'requirements.txt:5' },
  );
  set.unauditable.push({ name: 'httpx', requirement: 'httpx>=0.24', reason: 'not pinned to one version with ==', origin: 'requirements.txt:6' });
  return set;
}

function audit(ignores: string[] = [], today = '2026-06-01'): AuditReport {
  return runAudit(db, input(), ignores.map(parseIgnore), today);
}

test('findings per dependency, deduplicated by normalized name and version, with the smallest clean upgrade', () => {
  const report = audit();
  assert.deepEqual(
    report.dependencies.map((d) => [d.name, d.version, d.origins, d.findings.map((f) => f.advisory.id), d.suggestedUpgrade]),
    [
      ['demo-pkg', '1.2', ['requirements.txt:3', 'constraints.txt:1'], ['GHSA-dddd-eeee-ffff', 'PYSEC-9000-1'], '1.10'], // 1.5.0rc1 is still in PYSEC-9000-1's range
      ['demo-pkgg', '0.1', ['requirements.txt:4'], ['MAL-2026-9'], null],
      ['six', '1.16.0', ['requirements.txt:5'], [], null],
    ],
  );
  assert.deepEqual(summarize(report), { dependencies: 3, vulnerableDependencies: 2, vulnerabilities: 2, malware: 1, ignored: 0, unauditable: 1 });
});

test('--ignore by id or alias, with a reason and an inclusive until-date', () => {
  const active = audit(['CVE-9000-0001:behind auth:2026-06-01', 'GHSA-dddd-eeee-ffff']);
  const demo = active.dependencies.find((d) => d.name === 'demo-pkg');
  assert.deepEqual(demo?.findings.map((f) => [f.advisory.id, f.ignoredBy?.reason]), [['GHSA-dddd-eeee-ffff', undefined], ['PYSEC-9000-1', 'behind auth']]);
  assert.equal(demo?.suggestedUpgrade, null, 'nothing open, nothing to upgrade for');
  assert.equal(summarize(active).ignored, 2);

  const expired = audit(['CVE-9000-0001:behind auth:2026-06-01'], '2026-06-02');
  assert.equal(summarize(expired).ignored, 0);
  assert.deepEqual(expired.expiredIgnores.map((i) => i.id), ['CVE-9000-0001']);
});

test('json follows pip-audit\'s shape, with severity and malware added', () => {
  const json = JSON.parse(renderJson(audit(['GHSA-dddd-eeee-ffff:accepted']))) as {
    dependencies: Array<Record<string, unknown>>;
    fixes: unknown[];
    ignored: unknown[];
  };
  const demo = json.dependencies.find((d) => d.name === 'demo-pkg') as { version: string; vulns: Array<Record<string, unknown>> };
  assert.equal(demo.version, '1.2');
  assert.deepEqual(demo.vulns, [
    {
      id: 'PYSEC-9000-1',
      fix_versions: ['1.10'],
      aliases: ['CVE-9000-0001', 'GHSA-aaaa-bbbb-cccc'],
      description: "demo-pkg before 1.10 lets a crafted path read files outside the static root.\n",
      severity: { type: 'CVSS_V3', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N', score: 7.5, level: 'high' },
      malware: false,
    },
  ]);
  assert.deepEqual(json.dependencies.find((d) => d.name === 'six'), { name: 'six', version: '1.16.0', vulns: [] });
  assert.deepEqual(json.dependencies.find((d) => d.name === 'httpx'), { name: 'httpx', skip_reason: 'not pinned to one version with == (requirements.txt:6: httpx>=0.24)' });
  assert.deepEqual(json.fixes, [{ name: 'demo-pkg', old_version: '1.2', new_version: '1.10' }]);
  assert.deepEqual(json.ignored, [{ name: 'demo-pkg', version: '1.2', id: 'GHSA-dddd-eeee-ffff', reason: 'accepted', until: null }]);
});

test('sarif 2.1.0: a rule per advisory, a located result per finding', () => {
  const sarif = JSON.parse(renderSarif(audit())) as {
    version: string;
    runs: Array<{ tool: { driver: { rules: Array<{ id: string; properties: Record<string, unknown> }> } }; results: Array<Record<string, unknown>> }>;
  };
  assert.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0];
  assert.ok(run);
  assert.deepEqual(run.tool.driver.rules.map((r) => r.id), ['GHSA-dddd-eeee-ffff', 'PYSEC-9000-1', 'MAL-2026-9']);
  assert.equal(run.tool.driver.rules[1]?.properties['security-severity'], '7.5');
  const mal = run.results.find((r) => r.ruleId === 'MAL-2026-9') as { level: string; locations: unknown[]; ruleIndex: number };
  assert.equal(mal.level, 'error');
  assert.equal(mal.ruleIndex, 2);
  assert.deepEqual(mal.locations, [{ physicalLocation: { artifactLocation: { uri: 'requirements.txt' }, region: { startLine: 4 } } }]);
  const pysec = run.results.find((r) => r.ruleId === 'PYSEC-9000-1') as { locations: unknown[] };
  assert.equal(pysec.locations.length, 2, 'one location per place the pin was found');
});

test('cyclonedx 1.6 passes the library\'s strict JSON schema validation and carries the vulnerabilities', async () => {
  const text = renderCycloneDx(audit());
  const error = await new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6).validate(text);
  assert.equal(error, null, JSON.stringify(error));
  const bom = JSON.parse(text) as {
    specVersion: string;
    components: Array<{ purl: string }>;
    vulnerabilities: Array<{ id: string; ratings?: Array<{ score: number; method: string }>; affects: Array<{ ref: string }>; recommendation?: string }>;
  };
  assert.equal(bom.specVersion, '1.6');
  assert.deepEqual(bom.components.map((c) => c.purl).sort(), ['pkg:pypi/demo-pkg@1.2', 'pkg:pypi/demo-pkgg@0.1', 'pkg:pypi/six@1.16.0']);
  const pysec = bom.vulnerabilities.find((v) => v.id === 'PYSEC-9000-1');
  assert.deepEqual(pysec?.ratings?.map((r) => [r.score, r.method]), [[7.5, 'CVSSv31']]);
  assert.deepEqual(pysec?.affects.map((a) => a.ref), ['pkg:pypi/demo-pkg@1.2']);
  assert.equal(pysec?.recommendation, 'Upgrade demo-pkg to 1.10 or later.');
  assert.deepEqual(bom.vulnerabilities.find((v) => v.id === 'GHSA-dddd-eeee-ffff')?.ratings?.map((r) => r.method), ['CVSSv4']);
});

test('markdown and table name every finding, the upgrades and what was not audited', () => {
  const md = renderMarkdown(audit());
  assert.match(md, /\| demo-pkg \| 1\.2 \| \[PYSEC-9000-1\]\(https:\/\/osv\.dev\/vulnerability\/PYSEC-9000-1\) \| high 7\.5 \| 1\.10 \|/);
  assert.match(md, /\| demo-pkgg \| 0\.1 \| \[MAL-2026-9\]\(.*\) \| MALWARE \| - \|/);
  assert.match(md, /- `demo-pkg` 1\.2 → \*\*1\.10\*\*/);
  assert.match(md, /`httpx>=0\.24` \(requirements\.txt:6\)/);
  const table = renderTable(audit());
  assert.match(table, /^Name +Version +ID +Severity +Fix versions$/m);
  assert.match(table, /^demo-pkg\s+1\.2\s+PYSEC-9000-1\s+high 7\.5\s+1\.10$/m);
  assert.match(table, /^Found 2 known vulnerabilities and 1 malicious-package report in 2 of 3 dependencies\.$/m);
  assert.match(table, /demo-pkg 1\.2 -> 1\.10/);
  assert.match(table, /httpx>=0\.24 \(requirements\.txt:6\): not pinned/);
});
