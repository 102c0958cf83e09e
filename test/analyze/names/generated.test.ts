/**
 * Generated typos of the 300 most downloaded names, one class at a time. A
 * generated name that is itself on the ranked list is skipped (it is a real
 * project, and the gate is right to let it through when it is popular).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadNameCorpus } from '../../../src/analyze/names/corpus.js';
import { TWO_EDIT_LENGTH, TWO_EDIT_TOP, createNameGate } from '../../../src/analyze/names/gate.js';
import { isKeyboardNeighbour } from '../../../src/analyze/names/keyboard.js';

type Generator = (name: string) => string | undefined;

const middle = (name: string): number => Math.floor(name.length / 2);
const replaceAt = (s: string, i: number, text: string, drop = 1): string => s.slice(0, i) + text + s.slice(i + drop);
const letters = 'abcdefghijklmnopqrstuvwxyz';

/** Each class, and the shortest target it applies to (the gate leaves shorter names to the name forms). */
const CLASSES: Record<string, { minLength: number; make: Generator }> = {
  omission: { minLength: 6, make: (n) => replaceAt(n, middle(n), '') },
  // A doubled separator normalizes away (PEP 503), so double a letter.
  repetition: { minLength: 4, make: (n) => { const i = n[middle(n)] === '-' ? middle(n) + 1 : middle(n); return replaceAt(n, i, n[i] ?? '', 0); } },
  insertion: { minLength: 6, make: (n) => replaceAt(n, middle(n), n[middle(n)] === 'x' ? 'q' : 'x', 0) },
  substitution: { minLength: 6, make: (n) => replaceAt(n, middle(n), n[middle(n)] === 'x' ? 'q' : 'x') },
  transposition: {
    minLength: 4,
    make: (n) => {
      const i = middle(n) - 1;
      return n[i] === n[i + 1] ? undefined : replaceAt(n, i, `${n[i + 1] ?? ''}${n[i] ?? ''}`, 2);
    },
  },
  'keyboard-substitution': {
    minLength: 4,
    make: (n) => {
      const i = middle(n);
      const key = [...letters].find((c) => c !== n[i] && isKeyboardNeighbour(n[i] ?? '', c));
      return key === undefined ? undefined : replaceAt(n, i, key);
    },
  },
  confusable: {
    minLength: 1,
    make: (n) => {
      for (const [from, to] of [['m', 'rn'], ['w', 'vv'], ['d', 'cl'], ['l', '1'], ['o', '0'], ['i', 'l']] as const) {
        const i = n.indexOf(from);
        if (i !== -1) return replaceAt(n, i, to, from.length);
      }
      return undefined;
    },
  },
  separators: { minLength: 1, make: (n) => (n.includes('-') ? n.replace(/-/g, '') : replaceAt(n, middle(n), '-', 0)) },
  'word-order': {
    minLength: 1,
    make: (n) => {
      const words = n.split('-');
      return words.length < 2 ? undefined : [...words.slice(1), words[0]].join('-');
    },
  },
  'python-affix': { minLength: 1, make: (n) => (n.startsWith('py') ? undefined : `python-${n}`) },
  'version-suffix': { minLength: 1, make: (n) => (/\d$/.test(n) ? undefined : `${n}2`) },
  'two-edits': {
    minLength: TWO_EDIT_LENGTH,
    make: (n) => replaceAt(replaceAt(n, 1, ''), n.length - 3, n[n.length - 3] === 'z' ? 'q' : 'z'),
  },
};

test('generated typo classes: at least 90% of each class is flagged with the right target', (t) => {
  const corpus = loadNameCorpus();
  const gate = createNameGate(corpus);
  const ranked = new Set(corpus.popular.map((p) => p.name));
  const top = corpus.popular.slice(0, 300);
  const report: string[] = [];
  let total = 0;
  let caught = 0;
  for (const [kind, { minLength, make }] of Object.entries(CLASSES)) {
    const targets = top.filter((p) => p.name.length >= minLength && (kind !== 'two-edits' || p.rank <= TWO_EDIT_TOP));
    let n = 0;
    let hits = 0;
    const misses: string[] = [];
    for (const target of targets) {
      const typo = make(target.name);
      if (typo === undefined || typo === target.name || ranked.has(typo)) continue;
      n++;
      const v = gate.check(typo);
      if (v.verdict === 'typosquat' && v.target === target.name) hits++;
      else misses.push(`${typo}->${target.name} (${v.verdict} ${v.target ?? ''})`);
    }
    total += n;
    caught += hits;
    report.push(`${kind}: ${hits}/${n}${misses.length ? ` missed ${misses.slice(0, 5).join(', ')}` : ''}`);
    assert.ok(n >= 20, `${kind}: only ${n} cases`);
    assert.ok(hits / n >= 0.9, `${kind}: ${hits}/${n}\n${misses.join('\n')}`);
  }
  t.diagnostic(`${caught}/${total} overall; ${report.join('; ')}`);
  assert.ok(caught / total >= 0.95, report.join('\n'));
});
