/**
 * The check behind "serve only the upstream wheel that matches its source": rebuild the wheel from its sdist in
 * the sandbox, compare the two, and return a decision with its reasons and findings, ready for a policy to act on.
 * When a store is given the built wheel, its provenance and the comparison are kept (see built-store.ts), and a
 * second check of the same sdist reuses the stored build instead of building again.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Finding, RuleGrade } from '../analyze/finding.js';
import { isPurePythonWheel, parseWheelFilename } from '../pep/filename.js';
import { buildSdist, sha256File, type BuildOptions, type BuildResult } from './build.js';
import type { BuiltWheelStore } from './built-store.js';
import { compareWheels, type Comparison, type DifferenceKind } from './compare/compare.js';
import { readWheelFiles } from './compare/wheel-files.js';

/** How each kind of difference is graded when it becomes a finding; a difference may raise its severity. */
export const REBUILD_RULES: Readonly<Record<`rebuild.${DifferenceKind}` | 'rebuild.not-rebuilt', RuleGrade & { rationale: string }>> = {
  'rebuild.only-in-published': { severity: 'high', confidence: 'high', rationale: 'a file the published wheel ships that its own source does not build: the shape of wheel-jacking' },
  'rebuild.only-in-rebuilt': { severity: 'low', confidence: 'medium', rationale: 'the source builds a file the published wheel lacks' },
  'rebuild.content-differs': { severity: 'high', confidence: 'high', rationale: 'a file whose published content is not what the source builds' },
  'rebuild.metadata-differs': { severity: 'medium', confidence: 'high', rationale: 'METADATA that is not what the source declares (an added Requires-Dist is the classic)' },
  'rebuild.entry-points-differ': { severity: 'high', confidence: 'high', rationale: 'entry points (commands, plugins) the source does not declare' },
  'rebuild.wheel-tags-differ': { severity: 'medium', confidence: 'medium', rationale: 'wheel tags that are not the ones the source builds' },
  'rebuild.not-rebuilt': { severity: 'info', confidence: 'high', rationale: 'the sdist did not build here, so the wheel could not be checked against it' },
};

export type RebuildDecision =
  /** The published wheel is what its sdist builds, after the listed normalizations. */
  | 'matches'
  /** It is not: see the differences. */
  | 'differs'
  /** The sdist did not build in the sandbox (a missing dependency, a compiler, a limit); nothing is known. */
  | 'not-rebuilt';

export interface RebuildCheck {
  decision: RebuildDecision;
  /** One line saying why. */
  reason: string;
  published: { filename: string; sha256: string };
  build: BuildResult;
  comparison?: Comparison;
  /** The comparison's differences as findings (`rebuild.*`), and the build's own behaviour findings (`sandbox.*`). */
  findings: Finding[];
  /** Where the store kept the built wheel and this report. */
  stored?: { wheel?: string; provenance?: string; comparison: string };
}

export interface RebuildOptions extends BuildOptions {
  store?: BuiltWheelStore;
  /** Signs a provenance statement for a new build (sign/provenance.ts); its output is stored beside the wheel. */
  attest?: (build: BuildResult) => string | Promise<string>;
}

/** A wheel with compiled parts: not pure, or tagged for an ABI or platform. */
export function isCompiledWheel(filename: string): boolean {
  return !isPurePythonWheel(parseWheelFilename(filename));
}

export async function rebuildAndCompare(publishedWheel: string, sdist: string, options: RebuildOptions): Promise<RebuildCheck> {
  const published = { filename: basename(publishedWheel), sha256: await sha256File(publishedWheel) };
  const compiled = isCompiledWheel(published.filename);
  const sdistSha256 = await sha256File(sdist);
  const stored = options.store?.lookup(sdistSha256);
  let build: BuildResult;
  let provenance: string | undefined;
  if (stored !== undefined) {
    build = { ...(JSON.parse(readFileSync(stored.record, 'utf8')) as BuildResult), log: readFileSync(stored.log, 'utf8'), events: [] };
    build.wheel = { ...build.wheel!, path: stored.wheel };
  } else {
    build = await buildSdist(sdist, options);
    if (build.status === 'built' && options.attest) provenance = await options.attest(build);
  }
  const saved = build.status === 'built' && stored === undefined ? options.store?.save(build, provenance) : stored;
  if (build.status !== 'built') {
    const grade = REBUILD_RULES['rebuild.not-rebuilt'];
    const finding: Finding = { rule: 'rebuild.not-rebuilt', severity: grade.severity, confidence: grade.confidence, message: `${grade.rationale}: ${build.reason ?? build.failure}` };
    return finish(options, { decision: 'not-rebuilt', reason: `the sdist did not build: ${build.reason ?? build.failure}`, published, build, findings: [...build.findings, finding] }, sdistSha256, saved);
  }
  const comparison = compareWheels(await readWheelFiles(publishedWheel), await readWheelFiles(build.wheel!.path), { compiled });
  const findings: Finding[] = [...build.findings];
  for (const d of comparison.differences) {
    const rule = `rebuild.${d.kind}` as const;
    findings.push({ rule, severity: d.severity, confidence: REBUILD_RULES[rule].confidence, message: d.detail, file: d.path, ...(d.field !== undefined ? { snippet: d.field } : {}) });
  }
  const binaries = comparison.unverifiedBinaries.length > 0 ? `; ${comparison.unverifiedBinaries.length} compiled file${comparison.unverifiedBinaries.length === 1 ? '' : 's'} not compared` : '';
  const reason = comparison.equivalent
    ? `the published wheel is what its sdist builds (${comparison.filesCompared} files compared; normalized: ${comparison.normalizations.join(', ')}${binaries})`
    : `${comparison.differences.length} difference${comparison.differences.length === 1 ? '' : 's'} from what its sdist builds: ${comparison.differences.slice(0, 3).map((d) => d.detail).join('; ')}${comparison.differences.length > 3 ? '; …' : ''}`;
  return finish(options, { decision: comparison.equivalent ? 'matches' : 'differs', reason, published, build, comparison, findings }, sdistSha256, saved);
}

function finish(options: RebuildOptions, check: RebuildCheck, sdistSha256: string, saved: { wheel: string; provenance?: string } | undefined): RebuildCheck {
  if (options.store === undefined) return check;
  const { build, ...rest } = check;
  const path = options.store.saveComparison(check.published.sha256, sdistSha256, { ...rest, build: { status: build.status, failure: build.failure, reason: build.reason, wheel: build.wheel, sdist: build.sdist } });
  return { ...check, stored: { ...(saved ? { wheel: saved.wheel, ...(saved.provenance ? { provenance: saved.provenance } : {}) } : {}), comparison: path } };
}
