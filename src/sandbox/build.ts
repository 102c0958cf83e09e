/**
 * Builds a wheel from an sdist in the sandbox (PEP 517): the build requirements are resolved from the index
 * outside, installed into a cached build environment, and the backend's hooks (get_requires_for_build_wheel,
 * prepare_metadata_for_build_wheel, build_wheel) run under strace. The result says what came out, what the build
 * tried to do (findings), and everything provenance needs: the sdist's and each dependency's sha256, the sandbox.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Finding } from '../analyze/finding.js';
import { parseWheelFilename } from '../pep/filename.js';
import { shippedPath } from '../paths.js';
import type { BehaviourEvent } from './behaviour.js';
import { BehaviourRulebook } from './behaviour-rules.js';
import { resolveLeniently, resolveWheels, type ResolvedWheel } from './dependencies.js';
import { driverSource, DriverResultError, personaSource, readBuildResult, type DriverBuildResult } from './driver-result.js';
import { buildEnvironment } from './environment.js';
import { DependencyResolutionError, SandboxInputError } from './errors.js';
import type { SandboxHost } from './host.js';
import { DRIVER_PATH, ENV_DIR, INPUT_DIR, PERSONA_DIR, WORK_DIR } from './layout.js';
import { resolveSandboxLimits, type SandboxLimits } from './limits.js';
import { sandboxParameters, type SandboxParameters } from './parameters.js';
import { enforcementWith, runSandboxed, type LimitHit, type RunOutcome } from './run.js';
import { readBuildSystem, type BuildSystem } from './sdist.js';

export interface BuildOptions {
  host: SandboxHost;
  /** Where build dependencies come from: a PEP 503 index (the gateway's own, once it proxies). */
  indexUrl: string;
  /** Fetched wheels and build environments are kept here. */
  cacheDir: string;
  /** The wheel is written here. */
  outDir: string;
  limits?: Partial<SandboxLimits>;
  rules?: BehaviourRulebook;
  /**
   * Build as far as the code will go, for the dynamic check rather than for a faithful build: build requirements the
   * index lacks are left out, and a module the build imports but nobody declared (malware assumes `requests` is
   * there) is installed for another round, as it would be on a developer's machine that has it.
   */
  lenient?: boolean;
}

/** Rounds of installing what a build turned out to need: get_requires_for_build_wheel's list, and (lenient) imports. */
const maxRounds = 4;

/** Why a build gave no wheel. */
export type BuildFailure =
  /** The archive or its pyproject.toml cannot be read. */
  | 'invalid-sdist'
  /** A build requirement is not on the index, or cannot be fetched. */
  | 'missing-dependency'
  /** The backend or setup.py raised. */
  | 'build-error'
  /** The build reached a sandbox limit and was stopped. */
  | 'limit'
  /** The run ended without a readable result. */
  | 'no-result';

export interface FileDigest {
  path: string;
  filename: string;
  sha256: string;
  size: number;
}

export interface BuildResult {
  status: 'built' | 'failed';
  failure?: BuildFailure;
  /** One line saying why the build failed. */
  reason?: string;
  sdist: FileDigest;
  wheel?: FileDigest;
  buildSystem?: BuildSystem;
  /** What get_requires_for_build_wheel added. */
  requiresForBuild: string[];
  /** Every wheel installed into the build environment, with where it came from and its sha256. */
  dependencies: ResolvedWheel[];
  /** Lenient builds: requirements left out because the index has nothing for them, and modules added because the code imported them. */
  leniency?: { dropped: string[]; added: string[] };
  /** The METADATA prepare_metadata_for_build_wheel wrote, when the backend has that hook. */
  preparedMetadata?: string;
  /** The build's output, up to the output limit. */
  log: string;
  findings: Finding[];
  events: BehaviourEvent[];
  limitsHit: LimitHit[];
  run: { wallTimeMs: number; cpuTimeMs?: number; peakMemoryBytes?: number; exitCode: number | null; signal: string | null };
  sandbox: SandboxParameters;
  indexUrl: string;
  startedOn: string;
  finishedOn: string;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Problems in a build log that mean a dependency the build needed was not there. */
const missingModule = /(ModuleNotFoundError|ImportError): (No module named|cannot import name)|Cannot find (command|compiler)|command '[^']+' failed: No such file|error: command '[^']+' failed|CMake (was unable|not found)|No CMAKE_[A-Z_]+_COMPILER could be found|pkg-config.*not found|(gcc|cc|g\+\+|c\+\+|rustc|cargo|cmake|ninja|gfortran|meson)(: command)? not found|unable to execute '[^']+': No such file/i;

export async function buildSdist(sdistPath: string, options: BuildOptions): Promise<BuildResult> {
  if (!existsSync(sdistPath) || !statSync(sdistPath).isFile()) throw new SandboxInputError('sandbox.input-not-found', `${sdistPath} is not a file`);
  const filename = basename(sdistPath);
  if (!/\.(tar\.gz|tgz|zip|tar\.bz2|tar\.xz|tar)$/i.test(filename)) throw new SandboxInputError('sandbox.input-unsupported', `${filename} is not an sdist (.tar.gz or .zip)`);
  const { host } = options;
  const limits = resolveSandboxLimits(options.limits);
  const rules = options.rules ?? BehaviourRulebook.load();
  const startedOn = new Date().toISOString();
  const sdist: FileDigest = { path: sdistPath, filename, sha256: await sha256File(sdistPath), size: statSync(sdistPath).size };
  const base = {
    sdist,
    requiresForBuild: [] as string[],
    dependencies: [] as ResolvedWheel[],
    log: '',
    findings: [] as Finding[],
    events: [] as BehaviourEvent[],
    limitsHit: [] as LimitHit[],
    run: { wallTimeMs: 0, exitCode: null, signal: null },
    sandbox: sandboxParameters(host, limits, enforcementWith(host.cgroups)),
    indexUrl: options.indexUrl,
    startedOn,
  };
  const failed = (failure: BuildFailure, reason: string, extra: Partial<BuildResult> = {}): BuildResult => ({ ...base, ...extra, status: 'failed', failure, reason, finishedOn: new Date().toISOString() });

  const buildSystem = await readBuildSystem(sdistPath);
  if ('problem' in buildSystem) return failed('invalid-sdist', buildSystem.problem);

  let requirements = buildSystem.requires;
  const events: BehaviourEvent[] = [];
  const leniency = { dropped: [] as string[], added: [] as string[] };
  let log = '';
  for (let round = 0; ; round++) {
    let dependencies: ResolvedWheel[];
    try {
      ({ dependencies, requirements } = await resolveBuildRequirements(requirements, options, leniency));
    } catch (err) {
      if (err instanceof DependencyResolutionError) return failed('missing-dependency', err.message, { buildSystem, events, findings: rules.evaluate(events), log });
      throw err;
    }
    const env = await buildEnvironment(host, dependencies, options.cacheDir, limits);
    const outcome = await runSandboxed({
      host,
      limits,
      // A lenient build goes on when get_requires_for_build_wheel names what the index does not have.
      // The driver unpacks as python3, then execs python for the hooks: the trace counts from there.
      command: [
        `${ENV_DIR}/bin/python3`, '-I', DRIVER_PATH, 'build', `${INPUT_DIR}/${filename}`, `${WORK_DIR}/out`,
        ...(options.lenient ? ['--lenient'] : []),
        ...(options.lenient && leniency.dropped.length > 0 ? ['--without', ...leniency.dropped] : []),
      ],
      mounts: [
        { source: driverSource, target: DRIVER_PATH },
        { source: sdistPath, target: `${INPUT_DIR}/${filename}` },
        { source: env, target: ENV_DIR },
        ...(options.lenient ? [{ source: personaSource, target: `${PERSONA_DIR}/windows_persona.py` }] : []),
      ],
      env: { PATH: `${ENV_DIR}/bin:/usr/local/bin:/usr/bin:/bin`, VIRTUAL_ENV: ENV_DIR },
      trace: true,
      traceFrom: `${ENV_DIR}/bin/python`,
    });
    events.push(...outcome.events);
    log += outcome.output;
    const common = {
      buildSystem,
      dependencies,
      ...(options.lenient ? { leniency } : {}),
      log,
      events,
      findings: rules.evaluate(events),
      limitsHit: outcome.limitsHit,
      run: runSummary(outcome),
      sandbox: sandboxParameters(host, limits, outcome.enforcement),
    };
    if (outcome.limitsHit.length > 0) {
      return failed('limit', `stopped at the ${outcome.limitsHit.map((h) => `${h.limit} limit (${h.detail})`).join(', ')}`, common);
    }
    let result: DriverBuildResult;
    try {
      result = readBuildResult(outcome.result);
    } catch (err) {
      if (!(err instanceof DriverResultError)) throw err;
      return failed('no-result', `${err.message} (exit ${outcome.signal ?? outcome.exitCode})`, common);
    }
    const requiresForBuild = result.requiresForBuild ?? [];
    if (result.status === 'missing-requirements' && round < maxRounds) {
      requirements = [...requirements, ...(result.missing ?? []).filter((m) => !requirements.includes(m))];
      continue;
    }
    const imported = options.lenient && result.status === 'failed' ? missingImport(result.error ?? '') : undefined;
    if (imported !== undefined && round < maxRounds && !leniency.added.includes(imported)) {
      leniency.added.push(imported);
      requirements = [...requirements, imported];
      continue;
    }
    if (result.status !== 'built') {
      const why = result.status === 'missing-requirements' ? `get_requires_for_build_wheel still names ${result.missing?.join(', ')} after installing it` : `${result.stage ?? 'the build'} failed: ${result.error ?? 'no reason given'}`;
      const failure: BuildFailure = result.status === 'missing-requirements' || missingModule.test(result.error ?? '') || missingModule.test(log) ? 'missing-dependency' : 'build-error';
      return failed(failure, why, { ...common, requiresForBuild });
    }
    const wheelName = result.wheel!;
    try {
      if (wheelName !== basename(wheelName)) throw new Error('a path');
      parseWheelFilename(wheelName);
    } catch (err) {
      return failed('no-result', `the build named its wheel '${wheelName.slice(0, 200)}', which is not a wheel file name: ${(err as Error).message}`, common);
    }
    mkdirSync(options.outDir, { recursive: true });
    const wheelPath = join(options.outDir, wheelName);
    writeFileSync(wheelPath, result.payload);
    const wheel: FileDigest = { path: wheelPath, filename: wheelName, sha256: createHash('sha256').update(result.payload).digest('hex'), size: result.payload.length };
    return {
      ...base,
      ...common,
      status: 'built',
      wheel,
      requiresForBuild,
      ...(result.preparedMetadata !== undefined ? { preparedMetadata: result.preparedMetadata } : {}),
      finishedOn: new Date().toISOString(),
    };
  }
}

async function resolveBuildRequirements(requirements: string[], options: BuildOptions, leniency: { dropped: string[] }): Promise<{ dependencies: ResolvedWheel[]; requirements: string[] }> {
  const settings = { indexUrl: options.indexUrl, python: options.host.python.executable, cacheDir: options.cacheDir };
  if (!options.lenient) return { dependencies: await resolveWheels(requirements, settings), requirements };
  const { wheels, kept, dropped } = await resolveLeniently(requirements, settings);
  leniency.dropped.push(...dropped.filter((d) => !leniency.dropped.includes(d)));
  return { dependencies: wheels, requirements: kept };
}

let importNames: Record<string, string[]> | undefined;

/** The project to install for a module the code could not import: the popular-imports table, else the module's own name. */
export function missingImport(error: string): string | undefined {
  const module = /ModuleNotFoundError: No module named '([A-Za-z_][A-Za-z0-9_]*)/.exec(error)?.[1];
  if (module === undefined) return undefined;
  if (importNames === undefined) {
    try {
      importNames = JSON.parse(readFileSync(shippedPath('src', 'analyze', 'imports', 'popular-imports.json'), 'utf8')) as Record<string, string[]>;
    } catch {
      importNames = {};
    }
  }
  return importNames[module]?.[0] ?? module.replace(/_/g, '-');
}

function runSummary(outcome: RunOutcome): BuildResult['run'] {
  return {
    wallTimeMs: outcome.wallTimeMs,
    ...(outcome.cpuTimeMs !== undefined ? { cpuTimeMs: outcome.cpuTimeMs } : {}),
    ...(outcome.peakMemoryBytes !== undefined ? { peakMemoryBytes: outcome.peakMemoryBytes } : {}),
    exitCode: outcome.exitCode,
    signal: outcome.signal,
  };
}
