/**
 * Differential test of the matcher against the Python reference
 * (test/vulndb/oracle/osv_reference.py, on `packaging`): every package of the
 * shipped snapshot, at versions around every event boundary plus every listed
 * version, must give the same advisories and the same fix versions.
 *
 * The reference's output is cached under the OS temp dir, keyed by the hash of
 * the snapshot and of the reference script, because it takes ~25 s to compute.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openVulnDb } from '../../src/vulndb/database.js';

const oracle = fileURLToPath(new URL('./oracle/osv_reference.py', import.meta.url));
const snapshot = fileURLToPath(new URL('../../data/osv/pypa-advisories-2026-07.jsonl.gz', import.meta.url));

interface Case {
  name: string;
  version: string;
  matches: Record<string, string[]>;
}

function referenceCases(): Case[] {
  const key = createHash('sha256').update(readFileSync(snapshot)).update(readFileSync(oracle)).digest('hex').slice(0, 16);
  const cache = join(tmpdir(), `gatehouse-osv-oracle-${key}.jsonl`);
  if (!existsSync(cache)) {
    const r = spawnSync('python3', [oracle, 'cases', snapshot], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.error || r.status !== 0) throw new Error(`the Python reference failed: ${r.error?.message ?? r.stderr}`);
    const tmp = `${cache}.${process.pid}`;
    writeFileSync(tmp, r.stdout);
    renameSync(tmp, cache);
  }
  return readFileSync(cache, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Case);
}

test('the matcher agrees with the packaging-based reference on every boundary of every advisory', async () => {
  const cases = referenceCases();
  assert.ok(cases.length > 100_000, `expected the reference to produce >100k cases, got ${cases.length}`);
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-vulndb-'));
  try {
    const db = await openVulnDb(dir);
    const disagreements: string[] = [];
    let affectedCases = 0;
    for (const c of cases) {
      const ours: Record<string, string[]> = {};
      for (const m of db.query(c.name, c.version)) ours[m.advisory.id] = m.fixVersions;
      const expected = JSON.stringify(Object.fromEntries(Object.entries(c.matches).sort()));
      const actual = JSON.stringify(Object.fromEntries(Object.entries(ours).sort()));
      if (Object.keys(c.matches).length > 0) affectedCases++;
      if (expected !== actual) disagreements.push(`${c.name} ${c.version}: reference ${expected}, ours ${actual}`);
    }
    assert.ok(affectedCases > 10_000, `too few affected cases (${affectedCases}): the comparison would prove little`);
    assert.equal(disagreements.length, 0, `${disagreements.length} disagreements, the first:\n${disagreements.slice(0, 20).join('\n')}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
