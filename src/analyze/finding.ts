/**
 * The analyzers report the one finding shape of `src/finding.ts`; this is where the analyze part takes it from, so
 * its modules name one place.
 */
export { gradedFinding, type Confidence, type Finding, type FindingLocation, type RuleGrade, type Severity } from '../finding.js';
