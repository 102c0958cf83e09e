/**
 * Vulnerability matches as findings (src/finding.ts), the shape the policy engine reads: one finding per advisory,
 * with the advisory's id, aliases and fixed versions as evidence.
 *
 * Severity: the CVSS rating's level (none becomes info); a malicious-package report (OSV `MAL-`) is critical; an
 * advisory with no scored severity (most PYSEC records) is medium, and says so in its evidence, so that a "block
 * high" rule does not silently pass an unscored critical flaw nor block every unscored one.
 */
import type { Finding, Severity } from '../finding.js';
import type { VulnMatch } from './database.js';

export const UNSCORED_SEVERITY: Severity = 'medium';

export function vulnerabilityFindings(matches: readonly VulnMatch[]): Finding[] {
  return matches.map(({ advisory, fixVersions }) => {
    const level = advisory.highestSeverity?.level;
    const severity: Severity = advisory.malware ? 'critical' : level === undefined ? UNSCORED_SEVERITY : level === 'none' ? 'info' : level;
    const fixed = fixVersions.length > 0 ? `; fixed in ${fixVersions.slice(0, 3).join(', ')}${fixVersions.length > 3 ? ', …' : ''}` : '; no fixed version';
    return {
      rule: advisory.malware ? 'vulnerability.malware' : 'vulnerability.advisory',
      severity,
      confidence: 'high',
      source: 'vulnerability',
      message: `${advisory.id}${advisory.summary ? `: ${advisory.summary}` : ''}${advisory.malware ? ' (a malicious-package report)' : fixed}`,
      evidence: {
        advisory: advisory.id,
        aliases: advisory.aliases,
        fixVersions,
        scored: level !== undefined,
        ...(advisory.highestSeverity ? { cvss: advisory.highestSeverity.score } : {}),
      },
    };
  });
}
