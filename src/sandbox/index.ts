/**
 * The sandbox's public surface: run install-time code in bubblewrap under strace and report its behaviour as
 * findings; build wheels from sdists; compare a published wheel with what its sdist builds; keep built wheels.
 * The gateway and the CLI import from here.
 */
export { sandboxHost, type SandboxHost, type SandboxPython } from './host.js';
export { DEFAULT_SANDBOX_LIMITS, parseCount, parseDuration, parseSize, resolveSandboxLimits, type SandboxLimits } from './limits.js';
export { runSandboxed, type Enforcement, type LimitHit, type RunOutcome, type RunRequest } from './run.js';
export type { Area, BehaviourEvent, FileOp, LimitName } from './behaviour.js';
export { BehaviourRulebook, defaultBehaviourRulesDir } from './behaviour-rules.js';
export { buildSdist, sha256File, type BuildFailure, type BuildOptions, type BuildResult, type FileDigest } from './build.js';
export { checkSdistDynamically, checkWheelDynamically, dynamicCheckFinding, type DynamicOptions, type DynamicReport } from './dynamic.js';
export { compareWheels, type Comparison, type Difference, type DifferenceKind, type Normalization } from './compare/compare.js';
export { readWheelFiles } from './compare/wheel-files.js';
export { isCompiledWheel, REBUILD_RULES, rebuildAndCompare, type RebuildCheck, type RebuildDecision, type RebuildOptions } from './rebuild.js';
export { BuiltWheelStore, type StoredBuild } from './built-store.js';
export type { ResolvedWheel } from './dependencies.js';
export type { SandboxParameters } from './parameters.js';
export { BehaviourRuleError, DependencyResolutionError, SandboxInputError, SandboxLimitError, SandboxUnavailableError } from './errors.js';
