/**
 * The policy engine: findings in, one decision out. Pure: the name gate, the vulnerability database and the clock
 * are handed in, and nothing is stored here (decisions.ts keeps them).
 *
 * Order: waivers set results aside; a deny-list entry refuses; an allow-list entry passes everything but known
 * malware and a malicious scan; then each rule contributes an outcome, and the worst enforced outcome is the
 * decision. Dry-run results are recorded with the decision and change nothing.
 */
import type { Finding } from '../finding.js';
import { atLeast } from '../finding.js';
import { nameFinding } from '../analyze/names/finding.js';
import type { NameGate } from '../analyze/names/gate.js';
import type { CoreMetadata } from '../pep/metadata.js';
import { SpecifierSet } from '../pep/specifier.js';
import { Version } from '../pep/version.js';
import type { VulnDb } from '../vulndb/database.js';
import { vulnerabilityFindings } from '../vulndb/finding.js';
import { judgeLicense, projectLicense, type LicenseRule } from './license.js';
import { worse, type LicensesRule, type ListEntry, type Mode, type Outcome, type Policy, type Waiver } from './policy.js';

export interface ProjectSubject {
  project: string;
  /** `hosted`, or the upstream's name. Hosted names are the organization's own: the name gate does not judge them. */
  source: string;
}

export interface FileSubject extends ProjectSubject {
  version: string;
  filename: string;
  sha256: string;
  /** PEP 700 upload time, ISO 8601; absent when the index does not give it. */
  uploadTime?: string;
}

/** What only the file's bytes tell: the scan, and its core metadata. */
export interface ContentFacts {
  scan: { verdict: 'clean' | 'suspicious' | 'malicious' | 'error'; reasons: string[] };
  /** METADATA (wheels) or PKG-INFO (sdists); null when it could not be read. */
  metadata: CoreMetadata | null;
}

/**
 * What the gateway's wheel option (config `[build]`) says of a pure-Python wheel it does not serve: the wheel is not
 * what its sdist builds, its sdist does not build, or it has no sdist (index/wheel-source-gate.ts decides which). The
 * policy refuses it, and a waiver can accept it.
 */
export interface WheelOptionRefusal {
  rule: `build.${string}`;
  message: string;
}

export interface RuleResult {
  rule: string;
  outcome: Outcome;
  mode: Mode;
  message: string;
  finding?: Finding;
  /** Set aside by this waiver. */
  waivedBy?: Waiver;
  /** Passed by this allow-list entry. */
  allowedBy?: string;
}

export interface Decision {
  /** The enforced outcome. */
  outcome: Outcome;
  /** What would be decided if every rule were enforced (dry-run included). */
  wouldBe: Outcome;
  results: RuleResult[];
  /** The content rules (scanner, licenses, metadata) have not run: the file's bytes are not at hand yet. */
  pendingContent: boolean;
  /** Inputs worth keeping with the decision (ages, advisory ids, license). */
  inputs: Record<string, unknown>;
}

export interface EngineDependencies {
  nameGate: NameGate | null;
  vulndb: VulnDb | null;
  now: () => Date;
}

/** Outcomes a list entry or the rules never let through: known malware and a malicious scan. */
const UNLISTABLE = new Set(['vulnerability.malware', 'scanner.malicious']);

/**
 * Results an allow-list entry does not pass: the unlistable ones, and the wheel option's refusals (the operator chose
 * per project which wheels are served; an allow entry says "trust this project", not "trust any wheel of it").
 */
function passesAllowList(rule: string): boolean {
  return !UNLISTABLE.has(rule) && !rule.startsWith('build.') && rule !== 'lists.deny';
}

function matchesPrefixOrName(project: string, entries: readonly string[]): boolean {
  return entries.some((e) => (e.endsWith('-*') ? project.startsWith(e.slice(0, -1)) : project === e));
}

function listMatch(entries: readonly ListEntry[], project: string, version: string | undefined): ListEntry | undefined {
  return entries.find((e) => {
    if (e.requirement.name.toLowerCase().replace(/[-_.]+/g, '-') !== project) return false;
    if (e.requirement.specifier.specifiers.length === 0) return true;
    return version !== undefined && e.requirement.specifier.contains(version, { prereleases: true });
  });
}

export class PolicyEngine {
  constructor(
    readonly policy: Policy,
    private readonly deps: EngineDependencies,
  ) {}

  /** What the name alone decides: the deny list and, for public projects, the name gate. */
  project(subject: ProjectSubject): Decision {
    return this.finish(subject, undefined, this.projectResults(subject), {}, false);
  }

  /** A file's decision; without `content`, the content rules are left pending. */
  file(subject: FileSubject, content?: ContentFacts, wheelOption?: WheelOptionRefusal): Decision {
    const results = this.projectResults(subject);
    const inputs: Record<string, unknown> = {};
    results.push(...this.vulnerabilityResults(subject, inputs));
    results.push(...this.cooldownResults(subject, inputs));
    if (wheelOption) {
      // The operator asked for it by configuration: it is enforced, and only a waiver sets it aside.
      inputs.wheelOption = wheelOption.rule;
      results.push({ rule: wheelOption.rule, outcome: 'block', mode: 'enforce', message: wheelOption.message });
    }
    if (content) results.push(...this.contentResults(subject, content, inputs));
    return this.finish(subject, subject, results, inputs, content === undefined && this.needsContent(subject));
  }

  /** Whether any rule of the policy reads the file's bytes (the scan, the license, the metadata). */
  needsContent(subject: ProjectSubject): boolean {
    const { scanner, licenses, metadata } = this.policy;
    if (scanner.malicious !== 'allow' || scanner.suspicious !== 'allow' || scanner.error !== 'allow') return true;
    if (licenses.allow.length > 0 || licenses.deny.length > 0 || licenses.unknown !== 'allow') return true;
    return subject.source === 'hosted' && metadata.require.length > 0;
  }

  private projectResults(subject: ProjectSubject): RuleResult[] {
    const results: RuleResult[] = [];
    const { policy } = this;
    const denied = listMatch(policy.lists.deny, subject.project, undefined);
    if (denied && denied.requirement.specifier.specifiers.length === 0) {
      results.push({ rule: 'lists.deny', outcome: 'block', mode: policy.lists.mode, message: `'${subject.project}' is on the deny list (${denied.text})` });
    }
    if (subject.source !== 'hosted' && this.deps.nameGate) {
      const finding = nameFinding(this.deps.nameGate.check(subject.project));
      if (finding) {
        const outcome = finding.rule === 'name.typosquat' || finding.rule === 'name.denied' || finding.rule === 'name.internal-collision' ? policy.names.typosquat : policy.names.unknown;
        if (outcome !== 'allow') results.push({ rule: finding.rule, outcome, mode: policy.names.mode, message: finding.message, finding });
      }
    }
    return results;
  }

  private vulnerabilityResults(subject: FileSubject, inputs: Record<string, unknown>): RuleResult[] {
    const db = this.deps.vulndb;
    if (!db || Version.tryParse(subject.version) === null) return [];
    const rule = this.policy.vulnerabilities;
    const findings = vulnerabilityFindings(db.query(subject.project, subject.version));
    inputs.advisories = findings.map((f) => f.evidence?.advisory);
    const results: RuleResult[] = [];
    for (const finding of findings) {
      const id = String(finding.evidence?.advisory ?? '');
      const aliases = (finding.evidence?.aliases as readonly string[] | undefined) ?? [];
      let outcome: Outcome = 'allow';
      if (finding.rule === 'vulnerability.malware') outcome = rule.malware;
      else if (rule.block.includes(id) || aliases.some((a) => rule.block.includes(a))) outcome = 'block';
      else if (rule.blockSeverity !== 'none' && atLeast(finding.severity, rule.blockSeverity)) outcome = 'block';
      else if (rule.warnSeverity !== 'none' && atLeast(finding.severity, rule.warnSeverity)) outcome = 'warn';
      if (outcome !== 'allow') results.push({ rule: finding.rule, outcome, mode: rule.mode, message: `${subject.project} ${subject.version} is affected by ${finding.message}`, finding });
    }
    return results;
  }

  private cooldownResults(subject: FileSubject, inputs: Record<string, unknown>): RuleResult[] {
    const rule = this.policy.cooldown;
    // The organization's own uploads are not waited out: the cooldown is against fresh public releases.
    if (subject.source === 'hosted' || matchesPrefixOrName(subject.project, rule.exempt)) return [];
    if (rule.minimumAgeMs <= 0 && rule.cutoff === null) return [];
    const uploaded = subject.uploadTime !== undefined ? Date.parse(subject.uploadTime) : Number.NaN;
    if (Number.isNaN(uploaded)) {
      inputs.uploadTime = null;
      return rule.unknownUploadTime === 'allow'
        ? []
        : [{ rule: 'cooldown.unknown-upload-time', outcome: rule.unknownUploadTime, mode: rule.mode, message: `${subject.filename} has no upload time on its index, so its age cannot be told` }];
    }
    const now = this.deps.now().getTime();
    const ageMs = now - uploaded;
    inputs.uploadTime = subject.uploadTime;
    inputs.ageSeconds = Math.floor(ageMs / 1000);
    const results: RuleResult[] = [];
    if (rule.cutoff !== null && uploaded > Date.parse(rule.cutoff)) {
      results.push({ rule: 'cooldown.after-cutoff', outcome: rule.outcome, mode: rule.mode, message: `${subject.filename} was uploaded ${subject.uploadTime}, after the cut-off ${rule.cutoff}` });
    }
    if (rule.minimumAgeMs > 0 && ageMs < rule.minimumAgeMs) {
      results.push({
        rule: 'cooldown.too-new',
        outcome: rule.outcome,
        mode: rule.mode,
        message: `${subject.filename} was uploaded ${formatAge(ageMs)} ago; releases are served once they are ${formatAge(rule.minimumAgeMs)} old (${new Date(uploaded + rule.minimumAgeMs).toISOString()})`,
      });
    }
    return results;
  }

  private contentResults(subject: FileSubject, content: ContentFacts, inputs: Record<string, unknown>): RuleResult[] {
    const results: RuleResult[] = [];
    const { scanner, licenses, metadata } = this.policy;
    inputs.scan = content.scan.verdict;
    if (content.scan.verdict !== 'clean') {
      const outcome = scanner[content.scan.verdict];
      const what = content.scan.verdict === 'error' ? 'it could not be scanned' : `the scanner found it ${content.scan.verdict}`;
      if (outcome !== 'allow') {
        results.push({ rule: `scanner.${content.scan.verdict}`, outcome, mode: scanner.mode, message: `${what}: ${content.scan.reasons[0] ?? 'no reason given'}${content.scan.reasons.length > 1 ? ` (and ${content.scan.reasons.length - 1} more)` : ''}` });
      }
    }
    const md = content.metadata;
    if (md && (licenses.allow.length > 0 || licenses.deny.length > 0 || licenses.unknown !== 'allow')) {
      const license = projectLicense(md);
      const judged = judgeLicense(license, licenseRule(licenses));
      inputs.license = license.expression;
      inputs.licenseSource = license.source;
      if (judged.verdict === 'denied' || judged.verdict === 'not-allowed') {
        results.push({ rule: `licenses.${judged.verdict}`, outcome: licenses.outcome, mode: licenses.mode, message: judged.message });
      } else if (judged.verdict === 'unknown' && licenses.unknown !== 'allow') {
        results.push({ rule: 'licenses.unknown', outcome: licenses.unknown, mode: licenses.mode, message: judged.message });
      }
    }
    if (subject.source === 'hosted' && metadata.require.length > 0) {
      const missing = metadata.require.filter((field) => !hasField(md, field));
      if (missing.length > 0) {
        results.push({ rule: 'metadata.required', outcome: metadata.outcome, mode: metadata.mode, message: `${subject.filename} lacks required metadata: ${missing.join(', ')}` });
      }
    }
    return results;
  }

  private finish(subject: ProjectSubject, file: FileSubject | undefined, results: RuleResult[], inputs: Record<string, unknown>, pendingContent: boolean): Decision {
    const now = this.deps.now();
    const listed = file ? listMatch(this.policy.lists.allow, subject.project, file.version) : listMatch(this.policy.lists.allow, subject.project, undefined);
    for (const r of results) {
      const waiver = this.policy.waivers.find((w) => waiverCovers(w, subject, file, r, now));
      if (waiver) r.waivedBy = waiver;
      else if (listed && this.policy.lists.mode === 'enforce' && passesAllowList(r.rule)) r.allowedBy = listed.text;
    }
    let outcome: Outcome = 'allow';
    let wouldBe: Outcome = 'allow';
    for (const r of results) {
      if (r.waivedBy || r.allowedBy) continue;
      wouldBe = worse(wouldBe, r.outcome);
      if (r.mode === 'enforce') outcome = worse(outcome, r.outcome);
    }
    if (file) {
      const deniedVersion = listMatch(this.policy.lists.deny, subject.project, file.version);
      if (deniedVersion && deniedVersion.requirement.specifier.specifiers.length > 0 && !results.some((r) => r.rule === 'lists.deny')) {
        const r: RuleResult = { rule: 'lists.deny', outcome: 'block', mode: this.policy.lists.mode, message: `${subject.project} ${file.version} is on the deny list (${deniedVersion.text})` };
        const waiver = this.policy.waivers.find((w) => waiverCovers(w, subject, file, r, now));
        if (waiver) r.waivedBy = waiver;
        else {
          wouldBe = 'block';
          if (r.mode === 'enforce') outcome = 'block';
        }
        results.push(r);
      }
    }
    return { outcome, wouldBe, results, pendingContent, inputs };
  }
}

/** The license module's rule for a policy's `licenses` table: no allow list when it is empty; made once per policy. */
const licenseRules = new WeakMap<LicensesRule, LicenseRule>();
function licenseRule(rule: LicensesRule): LicenseRule {
  let out = licenseRules.get(rule);
  if (!out) {
    out = rule.allow.length > 0 ? { allow: rule.allow, deny: rule.deny } : { deny: rule.deny };
    licenseRules.set(rule, out);
  }
  return out;
}

function waiverCovers(w: Waiver, subject: ProjectSubject, file: FileSubject | undefined, r: RuleResult, now: Date): boolean {
  if (w.project !== subject.project) return false;
  if (Date.parse(w.expires) <= now.getTime()) return false;
  if (w.version !== undefined && (!file || !SpecifierSet.parse(w.version).contains(file.version, { prereleases: true }))) return false;
  if (w.filename !== undefined && (!file || file.filename !== w.filename)) return false;
  if (w.rule !== undefined) {
    const ids = [r.rule, String(r.finding?.evidence?.advisory ?? ''), ...((r.finding?.evidence?.aliases as readonly string[] | undefined) ?? [])];
    if (!ids.includes(w.rule) && !r.rule.startsWith(`${w.rule}.`)) return false;
  }
  return true;
}

/** Whether the metadata has `field` (a core metadata field name, lower case) with a value that is not blank. */
function hasField(md: CoreMetadata | null, field: string): boolean {
  return (md?.raw.get(field) ?? []).some((value) => value.trim() !== '');
}

function formatAge(ms: number): string {
  const hours = ms / 3_600_000;
  if (hours < 1) return `${Math.max(0, Math.round(ms / 60_000))} minutes`;
  if (hours < 48) return `${Math.round(hours)} hours`;
  return `${Math.round(hours / 24)} days`;
}
