/** Differential test: PEP 503 normalization and the core metadata name rule against packaging 26.2. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runPythonJsonLines } from '../helpers/python.js';
import { isNormalizedName, isValidName, normalizeName } from '../../src/pep/name.js';
import { generateNames, seedFromEnv } from './oracle/generate.js';

const seed = seedFromEnv();
const names = generateNames(seed, 25000);
const oracle = runPythonJsonLines(
  fileURLToPath(new URL('./oracle/names.py', import.meta.url)),
  names.map((text) => ({ text })),
) as Array<{ normalized: string; valid: boolean; isNormalized: boolean }>;

test(`normalization and validity agree with packaging on ${names.length} names (${oracle.filter((o) => o.valid).length} valid, seed ${seed})`, () => {
  const disagreements: string[] = [];
  names.forEach((name, i) => {
    const mine = { normalized: normalizeName(name), valid: isValidName(name), isNormalized: isNormalizedName(name) };
    try {
      assert.deepEqual(mine, oracle[i]);
    } catch {
      disagreements.push(`${JSON.stringify(name)}: ours ${JSON.stringify(mine)} packaging ${JSON.stringify(oracle[i])}`);
    }
  });
  assert.deepEqual(disagreements.slice(0, 20), []);
});
