/**
 * The name gate's verdict as a finding (src/finding.ts), the shape the policy engine reads. An `ok` name has none.
 */
import type { Finding } from '../../finding.js';
import type { NameVerdict } from './gate.js';

export function nameFinding(verdict: NameVerdict): Finding | null {
  const base = { source: 'name-gate' as const, message: verdict.reason, evidence: { name: verdict.normalized, ...(verdict.target ? { target: verdict.target } : {}), ...(verdict.rule ? { check: verdict.rule } : {}) } };
  switch (verdict.verdict) {
    case 'ok':
      return null;
    case 'typosquat':
      return { rule: 'name.typosquat', severity: 'high', confidence: 'medium', ...base };
    case 'internal-collision':
      return { rule: 'name.internal-collision', severity: 'high', confidence: 'high', ...base };
    case 'denied':
      return { rule: 'name.denied', severity: 'high', confidence: 'high', ...base };
    case 'unknown':
      return { rule: 'name.unknown', severity: 'low', confidence: 'low', ...base };
  }
}
