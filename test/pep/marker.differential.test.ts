/**
 * Differential test: PEP 508 markers and requirements against packaging 26.2: parse validity, the parts
 * (name, extras, specifier, url), the normal form, and marker evaluation in four environments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { runPythonJsonLines } from '../helpers/python.js';
import { Marker, type MarkerEnvironment } from '../../src/pep/marker.js';
import { formatRequirement, parseRequirement } from '../../src/pep/requirement.js';
import { generateMarkers, generateRequirements, seedFromEnv, type MarkerCase, type MarkerEnvironmentCase } from './oracle/generate.js';

interface OracleResult {
  valid: boolean;
  crash?: string;
  str?: string;
  name?: string;
  extras?: string[];
  specifier?: string;
  url?: string | null;
  marker?: string | null;
  eval?: Array<boolean | 'error'> | null;
}

const seed = seedFromEnv();
const cases: MarkerCase[] = [...generateMarkers(seed, 3000), ...generateRequirements(seed, 3000)];
const oracle = runPythonJsonLines(fileURLToPath(new URL('./oracle/markers.py', import.meta.url)), cases) as OracleResult[];

function evaluateAll(marker: Marker, envs: readonly MarkerEnvironmentCase[]): Array<boolean | 'error'> {
  return envs.map((env) => {
    const { extra, ...rest } = env;
    try {
      return marker.evaluate(rest as unknown as MarkerEnvironment, extra as string);
    } catch {
      return 'error';
    }
  });
}

function ours(c: MarkerCase): OracleResult {
  try {
    if (c.kind === 'marker') {
      const marker = Marker.parse(c.text);
      return { valid: true, str: marker.toString(), eval: evaluateAll(marker, c.envs) };
    }
    const r = parseRequirement(c.text);
    return {
      valid: true,
      name: r.name,
      extras: r.extras,
      specifier: r.specifier.toString(),
      url: r.url,
      marker: r.marker === null ? null : r.marker.toString(),
      str: formatRequirement(r),
      eval: r.marker === null ? null : evaluateAll(r.marker, c.envs),
    };
  } catch {
    return { valid: false };
  }
}

function agree(kind: MarkerCase['kind']): void {
  const disagreements: string[] = [];
  cases.forEach((c, i) => {
    if (c.kind !== kind) return;
    const theirs = { ...(oracle[i] as OracleResult) };
    delete theirs.crash; // packaging lets ast.literal_eval's SyntaxError escape: still "not valid"
    const mine = ours(c);
    try {
      assert.deepEqual(mine, theirs);
    } catch {
      disagreements.push(`${JSON.stringify(c.text)}\n  ours ${JSON.stringify(mine)}\n  packaging ${JSON.stringify(theirs)}`);
    }
  });
  assert.equal(disagreements.length, 0, disagreements.slice(0, 6).join('\n'));
}

const count = (kind: MarkerCase['kind']): string => {
  const rows = cases.map((c, i) => [c, oracle[i] as OracleResult] as const).filter(([c]) => c.kind === kind);
  return `${rows.length} (${rows.filter(([, o]) => o.valid).length} valid)`;
};

test(`markers agree with packaging: ${count('marker')} markers, each evaluated in 4 environments, seed ${seed}`, () => {
  agree('marker');
});

test(`requirements agree with packaging: ${count('requirement')} requirements, seed ${seed}`, () => {
  agree('requirement');
});
