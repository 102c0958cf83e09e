/**
 * The labelled corpus (corpus/labelled.ts) packed into real wheels and sdists
 * and scanned by the library: each artifact gets exactly its label, and the
 * rule that makes it so is among the reasons. The CLI runs over the same
 * corpus in test/cli/scan.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ArtifactScanner } from '../../src/analyze/artifact.js';
import { artifactKindOf } from '../../src/analyze/inputs.js';
import { labelledCorpus } from './corpus/labelled.js';
import { packArtifacts } from './corpus/pack.js';

const scanner = await ArtifactScanner.create();
const dir = mkdtempSync(join(tmpdir(), 'gatehouse-labelled-'));
const paths = packArtifacts(dir, labelledCorpus);
test.after(() => rmSync(dir, { recursive: true, force: true }));

test('the labelled corpus has malicious, suspicious and clean wheels and sdists', () => {
  for (const v of ['malicious', 'suspicious', 'clean'] as const) {
    assert.ok(labelledCorpus.filter((a) => a.verdict === v).length >= 3, v);
  }
  assert.ok(labelledCorpus.some((a) => a.kind === 'sdist' && a.verdict === 'malicious'));
  assert.ok(labelledCorpus.some((a) => a.kind === 'sdist' && a.verdict === 'clean'));
});

for (const [i, a] of labelledCorpus.entries()) {
  test(`${a.name} (${a.kind}) is ${a.verdict}`, async () => {
    const report = await scanner.scanArchive(paths[i]!, artifactKindOf(paths[i]!)!);
    assert.equal(report.verdict, a.verdict, `reasons: ${report.reasons.join(' | ')}\nfindings: ${report.findings.map((f) => `${f.rule}@${f.file}:${f.line}`).join(', ')}`);
    if (a.because) assert.ok(report.reasons.some((r) => r.includes(a.because!)), `${a.because} not among: ${report.reasons.join(' | ')}`);
    assert.ok(report.reasons.length > 0, 'a verdict always comes with reasons');
  });
}

test('a capability alone is reported at info and leaves the verdict clean', async () => {
  const i = labelledCorpus.findIndex((a) => a.name === 'honest-http');
  const report = await scanner.scanArchive(paths[i]!, 'wheel');
  assert.equal(report.verdict, 'clean');
  assert.ok(report.findings.every((f) => f.severity === 'info'), report.findings.map((f) => f.rule).join(', '));
});

test('the verdict explains which findings combined', async () => {
  const i = labelledCorpus.findIndex((a) => a.name === 'reqeusts');
  const report = await scanner.scanArchive(paths[i]!, 'wheel');
  const reason = report.reasons.find((r) => r.includes('combo.secrets-exfiltration'));
  assert.match(reason ?? '', /code\.secret-env-dump \(line \d+\) \+ code\.network-send \(line \d+\)/);
  assert.ok(report.findings.some((f) => f.rule === 'install.import-hijack'), 'reqeusts ships requests/');
});
