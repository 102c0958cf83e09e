/**
 * The dynamic check behind `gatehouse scan --dynamic`: run an artifact's install-time code in the sandbox and
 * report what it tried to do. For an sdist that is metadata preparation and the wheel build (build.ts); for a wheel
 * it is installing it and importing each of its top-level modules (with its dependencies, resolved from the index
 * outside the sandbox when it can be, so imports get as far as they would on a user's machine).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { Finding } from '../analyze/finding.js';
import { topLevelNames } from '../analyze/layout.js';
import { readArchive } from '../archive/index.js';
import type { BehaviourEvent } from './behaviour.js';
import { BehaviourRulebook } from './behaviour-rules.js';
import { buildSdist, type BuildOptions } from './build.js';
import { resolveWheels, type ResolvedWheel } from './dependencies.js';
import { driverSource, DriverResultError, readImportResult } from './driver-result.js';
import { buildEnvironment } from './environment.js';
import { DependencyResolutionError } from './errors.js';
import { DRIVER_PATH, ENV_DIR, INPUT_DIR } from './layout.js';
import { resolveSandboxLimits } from './limits.js';
import { runSandboxed } from './run.js';

export interface DynamicReport {
  /** The install-time code ran (to its end, or to a failure of its own), or the check could not start it. */
  status: 'ran' | 'not-run';
  /** One line: what ran and how it ended. */
  summary: string;
  findings: Finding[];
  events: BehaviourEvent[];
  log: string;
  /** For a wheel: each top-level module and whether its import succeeded. */
  imports?: { module: string; ok: boolean; error?: string }[];
}

export type DynamicOptions = Omit<BuildOptions, 'outDir'>;

/** What the dynamic check did with an artifact, as an info finding beside the behaviours it found. */
export function dynamicCheckFinding(summary: string): Finding {
  return { rule: 'sandbox.dynamic-check', severity: 'info', confidence: 'high', message: `dynamic check: ${summary}` };
}

export async function checkSdistDynamically(sdist: string, options: DynamicOptions): Promise<DynamicReport> {
  const outDir = mkdtempSync(join(tmpdir(), 'gatehouse-dynamic-'));
  try {
    const build = await buildSdist(sdist, { ...options, outDir });
    const ran = build.failure !== 'invalid-sdist' && !(build.failure === 'missing-dependency' && build.events.length === 0);
    return {
      status: ran ? 'ran' : 'not-run',
      summary: build.status === 'built' ? `built ${build.wheel!.filename} in the sandbox` : `the build in the sandbox failed: ${build.reason}`,
      findings: build.findings,
      events: build.events,
      log: build.log,
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** Resolves the wheel's own dependencies (the wheel itself is left out: it is installed inside, from the input). */
async function runtimeDependencies(wheel: string, options: DynamicOptions): Promise<{ wheels: ResolvedWheel[]; problem?: string }> {
  try {
    const all = await resolveWheels([`file://${wheel}`], { indexUrl: options.indexUrl, python: options.host.python.executable, cacheDir: options.cacheDir, allowDirectInput: true });
    return { wheels: all.filter((w) => !w.url.startsWith('file:')) };
  } catch (err) {
    if (err instanceof DependencyResolutionError) return { wheels: [], problem: err.message };
    throw err;
  }
}

export async function checkWheelDynamically(wheel: string, options: DynamicOptions): Promise<DynamicReport> {
  const limits = resolveSandboxLimits(options.limits);
  const rules = options.rules ?? BehaviourRulebook.load();
  const contents = await readArchive(wheel, { want: () => false });
  const modules = topLevelNames('wheel', contents.entries.filter((e) => e.kind === 'file').map((e) => e.path));
  if (modules.length === 0) return { status: 'not-run', summary: 'the wheel has no top-level module to import', findings: [], events: [], log: '' };
  const dependencies = await runtimeDependencies(wheel, options);
  const env = await buildEnvironment(options.host, dependencies.wheels, options.cacheDir, limits);
  const filename = basename(wheel);
  const outcome = await runSandboxed({
    host: options.host,
    limits,
    // The driver installs the wheel as python3; only the imports, each a process of `python`, are the package's doing.
    command: [`${ENV_DIR}/bin/python3`, '-I', DRIVER_PATH, 'import', `${INPUT_DIR}/${filename}`, `${ENV_DIR}/bin/python`, ...modules],
    traceFrom: `${ENV_DIR}/bin/python`,
    mounts: [
      { source: driverSource, target: DRIVER_PATH },
      { source: wheel, target: `${INPUT_DIR}/${filename}` },
      { source: env, target: ENV_DIR },
    ],
    env: { PATH: `${ENV_DIR}/bin:/usr/local/bin:/usr/bin:/bin`, VIRTUAL_ENV: ENV_DIR },
    trace: true,
  });
  const findings = rules.evaluate(outcome.events);
  const base = { findings, events: outcome.events, log: outcome.output };
  const depsNote = dependencies.problem !== undefined ? ` (its dependencies were not installed: ${dependencies.problem})` : '';
  if (outcome.limitsHit.length > 0) return { ...base, status: 'ran', summary: `importing was stopped at the ${outcome.limitsHit.map((h) => h.limit).join(', ')} limit${depsNote}` };
  try {
    const result = readImportResult(outcome.result);
    if (result.status !== 'imported') return { ...base, status: 'not-run', summary: `the wheel could not be installed in the sandbox: ${result.error ?? 'no reason given'}` };
    const failed = result.imports.filter((i) => !i.ok);
    return {
      ...base,
      status: 'ran',
      imports: result.imports,
      summary: `imported ${result.imports.length - failed.length} of ${result.imports.length} top-level module${result.imports.length === 1 ? '' : 's'}${failed.length > 0 ? ` (${failed.map((f) => `${f.module}: ${f.error}`).join('; ')})` : ''}${depsNote}`,
    };
  } catch (err) {
    if (!(err instanceof DriverResultError)) throw err;
    return { ...base, status: 'ran', summary: `the import run ended without a result: ${err.message} (exit ${outcome.signal ?? outcome.exitCode})` };
  }
}
