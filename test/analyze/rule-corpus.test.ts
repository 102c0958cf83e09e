/**
 * Every rule's samples, packed into real wheels and sdists and scanned end to
 * end by the library (archive reader, integrity, analyzers, verdict): each
 * positive artifact carries the rule's finding, each negative does not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactScanner } from '../../src/analyze/artifact.js';
import { artifactKindOf } from '../../src/analyze/inputs.js';
import { artifactForSample } from './corpus/from-samples.js';
import { type ArtifactSpec, packArtifacts } from './corpus/pack.js';

const scanner = await ArtifactScanner.create();
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-rule-corpus-'));

interface Case {
  rule: string;
  positive: boolean;
  label: string;
  spec: ArtifactSpec;
}
const cases: Case[] = [];
for (const { rule } of scanner.book.rules) {
  rule.positive.forEach((s, i) => cases.push({ rule: rule.id, positive: true, label: `p${i + 1}`, spec: artifactForSample(rule, s, `p${i + 1}`) }));
  rule.negative.forEach((s, i) => cases.push({ rule: rule.id, positive: false, label: `n${i + 1}`, spec: artifactForSample(rule, s, `n${i + 1}`) }));
}
// Artifacts that share a name and version (entry-point and top-level samples name real projects) get their own folder.
const paths = packArtifacts(
  dir,
  cases.map((c) => c.spec),
  { ownFolders: true },
);

test.after(() => rmSync(dir, { recursive: true, force: true }));

test('the corpus holds at least 3 positive and 3 negative artifacts per rule, wheels and sdists', () => {
  for (const { rule } of scanner.book.rules) {
    assert.ok(cases.filter((c) => c.rule === rule.id && c.positive).length >= 3, rule.id);
    assert.ok(cases.filter((c) => c.rule === rule.id && !c.positive).length >= 3, rule.id);
  }
  const kinds = new Set(paths.map((p) => artifactKindOf(p)));
  assert.deepEqual([...kinds].sort(), ['sdist', 'wheel']);
});

for (const [i, c] of cases.entries()) {
  test(`${c.rule} ${c.positive ? 'fires on' : 'stays quiet on'} ${c.label} (${c.spec.kind})`, async () => {
    const path = paths[i]!;
    const report = await scanner.scanArchive(path, artifactKindOf(path)!);
    const fired = report.findings.filter((f) => f.rule === c.rule);
    if (c.positive) assert.ok(fired.length > 0, `${c.rule} did not fire on ${path}; findings: ${report.findings.map((f) => f.rule).join(', ')}`);
    else assert.deepEqual(fired, [], `${c.rule} fired on ${path}`);
  });
}
