/**
 * Every ranked name checked against the others: at most 0.5% may be flagged,
 * and every flagged pair must be listed, with a judgement, in
 * docs/name-gate.md (so the list there cannot go stale).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadNameCorpus } from '../../../src/analyze/names/corpus.js';
import { createNameGate } from '../../../src/analyze/names/gate.js';

const DOC = fileURLToPath(new URL('../../../docs/name-gate.md', import.meta.url));

/** `| \`candidate\` | rank | \`target\` | rank | rule | judgement |` rows of the doc's table. */
function documentedPairs(): Map<string, { target: string; rule: string; judgement: string }> {
  const pairs = new Map<string, { target: string; rule: string; judgement: string }>();
  for (const line of readFileSync(DOC, 'utf8').split('\n')) {
    const m = /^\| `([a-z0-9-]+)` \| [\d,]+ \| `([a-z0-9-]+)` \| [\d,]+ \| ([a-z-]+) \| (.+) \|$/.exec(line);
    if (m) pairs.set(m[1] ?? '', { target: m[2] ?? '', rule: m[3] ?? '', judgement: m[4] ?? '' });
  }
  return pairs;
}

test('popular names checked against each other: at most 0.5% flagged, each listed with a judgement in docs/name-gate.md', () => {
  const corpus = loadNameCorpus();
  const gate = createNameGate(corpus);
  const flagged = new Map<string, { target: string; rule: string }>();
  for (const { name } of corpus.popular) {
    const v = gate.check(name);
    assert.ok(v.verdict === 'ok' || v.verdict === 'typosquat', `${name}: ${v.verdict}`);
    if (v.verdict === 'typosquat') flagged.set(name, { target: v.target ?? '', rule: v.rule ?? '' });
  }
  const share = flagged.size / corpus.popular.length;
  assert.ok(share <= 0.005, `${flagged.size} of ${corpus.popular.length} flagged (${(share * 100).toFixed(2)}%)`);

  const documented = documentedPairs();
  const undocumented = [...flagged].filter(([name, f]) => documented.get(name)?.target !== f.target || documented.get(name)?.rule !== f.rule);
  const stale = [...documented.keys()].filter((name) => !flagged.has(name));
  assert.deepEqual(
    { undocumented: undocumented.map(([name, f]) => `${name} -> ${f.target} (${f.rule})`), stale },
    { undocumented: [], stale: [] },
    'docs/name-gate.md must list exactly the flagged popular names',
  );
  for (const [name, { judgement }] of documented) assert.ok(judgement.length >= 10, `${name} needs a judgement`);
});
