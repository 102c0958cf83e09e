/**
 * Scoring CVSS vectors with ae-cvss-calculator, which implements FIRST's
 * v3.0, v3.1 and v4.0 base equations (checked against FIRST's calculator in
 * test/vulndb/cvss.test.ts). Only the database build imports this module.
 */
import cvssCalculator from 'ae-cvss-calculator';
import { levelOf, type CvssSeverity } from './severity.js';

const scored = new Map<string, CvssSeverity | null>();

/**
 * Scores one vector; null for a vector the calculator rejects or a CVSS version it does not know.
 * Memoized: a few hundred distinct vectors cover thousands of advisories.
 */
export function scoreVector(type: string, vector: string): CvssSeverity | null {
  const key = `${type}\0${vector}`;
  if (!scored.has(key)) scored.set(key, computeScore(type, vector));
  const s = scored.get(key) ?? null;
  return s && { ...s };
}

function computeScore(type: string, vector: string): CvssSeverity | null {
  const { Cvss3P0, Cvss3P1, Cvss4P0 } = cvssCalculator;
  try {
    let base: number | undefined;
    if (vector.startsWith('CVSS:3.0/')) base = new Cvss3P0(vector).calculateScores().base;
    else if (vector.startsWith('CVSS:3.1/')) base = new Cvss3P1(vector).calculateScores().base;
    else if (vector.startsWith('CVSS:4.0/')) base = new Cvss4P0(vector).calculateScores().base;
    else return null;
    if (typeof base !== 'number' || !Number.isFinite(base)) return null;
    return { type, vector, score: base, level: levelOf(base) };
  } catch {
    return null;
  }
}

