/**
 * Differential test: our PEP 440 specifiers against packaging 26.2 on generated clauses and sets (every
 * operator, wildcards, `~=` spellings, `===`, locals, pre-releases, spaces, invalid ones), each checked with
 * `contains` (prereleases unset, true, false) over candidate versions near it and `filter` over candidate lists.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runPythonJsonLines } from '../helpers/python.js';
import { Specifier, SpecifierSet } from '../../src/pep/specifier.js';
import { Version } from '../../src/pep/version.js';
import { generateSpecifiers, seedFromEnv } from './oracle/generate.js';

interface OracleSpecifier {
  spec: { str: string; operator: string; version: string; contains: string[] } | null;
  set: { str: string; count: number; contains: string[]; containsParsed: string[]; filter: number[][][] } | null;
}

const MODES = [undefined, true, false] as const;
const seed = seedFromEnv();
const cases = generateSpecifiers(seed, 1500);
const oracle = runPythonJsonLines(
  fileURLToPath(new URL('./oracle/specifiers.py', import.meta.url)),
  cases,
) as OracleSpecifier[];

const parseOrNull = <T>(parse: () => T): T | null => {
  try {
    return parse();
  } catch {
    return null;
  }
};

function bits(fn: (c: string) => boolean, items: readonly string[]): string {
  return items.map((c) => (fn(c) ? '1' : '0')).join('');
}

/** filter() keeps its input's order: map what it returned back to positions. */
function positions(items: readonly string[], kept: readonly string[]): number[] {
  const out: number[] = [];
  let k = 0;
  items.forEach((item, i) => {
    if (k < kept.length && kept[k] === item) {
      out.push(i);
      k++;
    }
  });
  assert.equal(k, kept.length, 'filter() reordered its input');
  return out;
}

function ours(c: (typeof cases)[number]): OracleSpecifier {
  const spec = parseOrNull(() => Specifier.parse(c.text));
  const set = parseOrNull(() => SpecifierSet.parse(c.text));
  return {
    spec:
      spec === null
        ? null
        : {
            str: spec.toString(),
            operator: spec.operator,
            version: spec.version,
            contains: MODES.map((m) => bits((v) => spec.contains(v, { prereleases: m }), c.candidates)),
          },
    set:
      set === null
        ? null
        : {
            str: set.toString(),
            count: set.specifiers.length,
            contains: MODES.map((m) => bits((v) => set.contains(v, { prereleases: m }), c.candidates)),
            containsParsed: MODES.map((m) =>
              c.candidates
                .map((text) => {
                  const v = Version.tryParse(text);
                  return v === null ? '-' : set.contains(v, { prereleases: m }) ? '1' : '0';
                })
                .join(''),
            ),
            filter: c.lists.map((list) => MODES.map((m) => positions(list, set.filter(list, { prereleases: m })))),
          },
  };
}

const checks = cases.reduce((n, c) => n + c.candidates.length * 9 + c.lists.length * 3, 0);
const validSets = oracle.filter((o) => o.set !== null).length;

test(`specifiers agree with packaging: ${cases.length} specifier strings (${validSets} valid sets), ${checks} contains/filter checks, seed ${seed}`, () => {
  assert.ok(cases.length >= 1000);
  const disagreements: string[] = [];
  cases.forEach((c, i) => {
    const mine = ours(c);
    const theirs = oracle[i] as OracleSpecifier;
    try {
      assert.deepEqual(mine, theirs);
    } catch {
      disagreements.push(
        `${JSON.stringify(c.text)} candidates ${JSON.stringify(c.candidates)}\n  ours ${JSON.stringify(mine)}\n  packaging ${JSON.stringify(theirs)}`,
      );
    }
  });
  assert.equal(disagreements.length, 0, disagreements.slice(0, 5).join('\n'));
});
