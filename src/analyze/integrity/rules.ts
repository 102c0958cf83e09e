/** The findings the wheel-integrity check can report, with their severity decided in one place. */
import { gradedFinding, type Finding, type RuleGrade } from '../finding.js';

export const INTEGRITY_RULES = {
  /** The file name is not a valid wheel name (PEP 427): nothing else can be matched against it. */
  'integrity.invalid-filename': { severity: 'high', confidence: 'high' },
  /** No `*.dist-info` directory, or more than one: installers would pick one arbitrarily or fail. */
  'integrity.dist-info': { severity: 'high', confidence: 'high' },
  /** The `.dist-info` directory's name or version does not match the file name. */
  'integrity.dist-info-mismatch': { severity: 'high', confidence: 'high' },
  /** METADATA, WHEEL or RECORD is missing. */
  'integrity.missing-metadata-file': { severity: 'high', confidence: 'high' },
  /** METADATA or WHEEL cannot be parsed. */
  'integrity.invalid-metadata': { severity: 'high', confidence: 'high' },
  /** METADATA's Name or Version does not match the file name. */
  'integrity.metadata-mismatch': { severity: 'high', confidence: 'high' },
  /** WHEEL's Wheel-Version is missing or has a major version installers refuse. */
  'integrity.wheel-version': { severity: 'medium', confidence: 'high' },
  /** WHEEL's Tag lines claim other tags than the file name. Installers go by the file name. */
  'integrity.tag-mismatch': { severity: 'low', confidence: 'high' },
  /** A pure wheel (`none-any`) that installs into platlib. */
  'integrity.purelib-mismatch': { severity: 'medium', confidence: 'high' },
  /** A native binary (by name: .so/.pyd/.dll/.dylib/.exe; or by content: ELF, PE, Mach-O) in a wheel that claims to be pure Python. */
  'integrity.native-code-in-pure-wheel': { severity: 'medium', confidence: 'medium' },
  /** A RECORD line that is not `path,algorithm=digest,size`, or a duplicate line. */
  'integrity.record-invalid': { severity: 'high', confidence: 'high' },
  /** A RECORD hash with md5 or sha1 (the spec requires sha256 or stronger). */
  'integrity.record-weak-hash': { severity: 'high', confidence: 'high' },
  /** RECORD digests written in hex instead of urlsafe base64: off-spec, yet still verified. */
  'integrity.record-hex-digest': { severity: 'low', confidence: 'high' },
  /** A file whose sha256 differs from its RECORD line: changed after the wheel was built. */
  'integrity.record-hash-mismatch': { severity: 'critical', confidence: 'high' },
  'integrity.record-size-mismatch': { severity: 'high', confidence: 'high' },
  /** A file in the archive that RECORD does not list: added after the wheel was built. */
  'integrity.unlisted-file': { severity: 'high', confidence: 'high' },
  /** A RECORD line for a file that is not in the archive. */
  'integrity.record-missing-file': { severity: 'medium', confidence: 'high' },
  /** A file RECORD lists without a hash (only RECORD and its signatures may go without). */
  'integrity.record-no-hash': { severity: 'high', confidence: 'high' },
  /** A file that could not be hashed (encrypted, over a limit, unreadable): its RECORD line is unchecked. */
  'integrity.unverifiable': { severity: 'medium', confidence: 'high' },
} as const satisfies Record<string, RuleGrade>;

export type IntegrityRuleId = keyof typeof INTEGRITY_RULES;

export function integrityFinding(rule: IntegrityRuleId, message: string, file?: string, snippet?: string): Finding {
  return gradedFinding(INTEGRITY_RULES, rule, message, { file, snippet });
}
