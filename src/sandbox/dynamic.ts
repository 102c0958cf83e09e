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
import { parseCoreMetadata } from '../pep/metadata.js';
import type { BehaviourEvent } from './behaviour.js';
import { BehaviourRulebook } from './behaviour-rules.js';
import { buildSdist, missingImport, type BuildOptions, type BuildResult } from './build.js';
import { resolveLeniently, type ResolvedWheel } from './dependencies.js';
import { driverSource, DriverResultError, personaSource, readImportResult, type DriverImportResult } from './driver-result.js';
import { buildEnvironment } from './environment.js';
import { DependencyResolutionError, SandboxUnavailableError } from './errors.js';
import { DRIVER_PATH, ENV_DIR, INPUT_DIR, PERSONA_DIR } from './layout.js';
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
  /** For an sdist: how its build ended. */
  build?: Pick<BuildResult, 'status' | 'failure' | 'reason' | 'leniency'>;
}

export type DynamicOptions = Omit<BuildOptions, 'outDir'>;

/** What the dynamic check did with an artifact, as an info finding beside the behaviours it found. */
export function dynamicCheckFinding(summary: string): Finding {
  return { rule: 'sandbox.dynamic-check', severity: 'info', confidence: 'high', message: `dynamic check: ${summary}` };
}

/**
 * An sdist: metadata preparation and the wheel build (leniently: as far as the code will go), then, as a user's
 * `pip install` and first `import` would, the import of each top-level module of the wheel it built.
 */
export async function checkSdistDynamically(sdist: string, options: DynamicOptions): Promise<DynamicReport> {
  const outDir = mkdtempSync(join(tmpdir(), 'gatehouse-dynamic-'));
  const rules = options.rules ?? BehaviourRulebook.load();
  try {
    const build = await buildSdist(sdist, { ...options, rules, outDir, lenient: true });
    const ran = build.failure !== 'invalid-sdist' && !(build.failure === 'missing-dependency' && build.events.length === 0);
    const added = build.leniency?.added.length ? ` (after installing ${build.leniency.added.join(', ')}, which it imports without declaring)` : '';
    const outcome = { status: build.status, ...(build.failure ? { failure: build.failure } : {}), ...(build.reason ? { reason: build.reason } : {}), ...(build.leniency ? { leniency: build.leniency } : {}) };
    if (build.status !== 'built') {
      return { status: ran ? 'ran' : 'not-run', summary: `the build in the sandbox failed: ${build.reason}${added}`, findings: build.findings, events: build.events, log: build.log, build: outcome };
    }
    const imports = await checkWheelDynamically(build.wheel!.path, { ...options, rules });
    const events = [...build.events, ...imports.events];
    return {
      status: 'ran',
      summary: `built ${build.wheel!.filename} in the sandbox${added}; ${imports.summary}`,
      findings: rules.evaluate(events),
      events,
      log: `${build.log}${imports.log}`,
      build: outcome,
      ...(imports.imports ? { imports: imports.imports } : {}),
    };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** The wheel's own requirements (its METADATA's Requires-Dist; pip evaluates their markers). */
async function declaredRequirements(wheel: string): Promise<string[]> {
  const contents = await readArchive(wheel, { want: (e) => /^[^/]+\.dist-info\/METADATA$/.test(e.path) });
  const metadata = [...contents.files.values()][0];
  if (metadata === undefined) return [];
  try {
    return parseCoreMetadata(metadata).requiresDist;
  } catch {
    return [];
  }
}

/** Rounds of importing again after installing a module an import asked for. */
const importRounds = 3;

/**
 * A wheel: installed in the sandbox, each top-level module imported in its own process. Its dependencies are
 * resolved from the index first, leaving out what the index lacks; a module an import still misses is installed for
 * another round, as it would be on a machine that has it.
 */
export async function checkWheelDynamically(wheel: string, options: DynamicOptions): Promise<DynamicReport> {
  const limits = resolveSandboxLimits(options.limits);
  const rules = options.rules ?? BehaviourRulebook.load();
  const contents = await readArchive(wheel, { want: () => false });
  const modules = topLevelNames('wheel', contents.entries.filter((e) => e.kind === 'file').map((e) => e.path));
  if (modules.length === 0) return { status: 'not-run', summary: 'the wheel has no top-level module to import', findings: [], events: [], log: '' };
  const settings = { indexUrl: options.indexUrl, python: options.host.python.executable, cacheDir: options.cacheDir };
  let requirements = await declaredRequirements(wheel);
  const added: string[] = [];
  const events: BehaviourEvent[] = [];
  let log = '';
  const filename = basename(wheel);
  for (let round = 0; ; round++) {
    let dependencies: ResolvedWheel[] = [];
    let dropped: string[] = [];
    try {
      ({ wheels: dependencies, dropped } = await resolveLeniently(requirements, settings));
    } catch (err) {
      if (!(err instanceof DependencyResolutionError)) throw err;
      dropped = requirements;
    }
    let env: string;
    try {
      env = await buildEnvironment(options.host, dependencies, options.cacheDir, limits);
    } catch (err) {
      // Import without them: the module's own code still runs up to the first import it lacks.
      if (!(err instanceof SandboxUnavailableError)) throw err;
      dropped = requirements;
      env = await buildEnvironment(options.host, [], options.cacheDir, limits);
    }
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
        { source: personaSource, target: `${PERSONA_DIR}/windows_persona.py` },
      ],
      env: { PATH: `${ENV_DIR}/bin:/usr/local/bin:/usr/bin:/bin`, VIRTUAL_ENV: ENV_DIR },
      trace: true,
    });
    events.push(...outcome.events);
    log += outcome.output;
    const base = { findings: rules.evaluate(events), events, log };
    const notes = [dropped.length > 0 ? `the index has nothing for ${dropped.join(', ')}` : '', added.length > 0 ? `installed ${added.join(', ')}, which it imports without declaring` : ''].filter((n) => n !== '');
    const noted = notes.length > 0 ? ` (${notes.join('; ')})` : '';
    if (outcome.limitsHit.length > 0) return { ...base, status: 'ran', summary: `importing was stopped at the ${outcome.limitsHit.map((h) => h.limit).join(', ')} limit${noted}` };
    let result: DriverImportResult;
    try {
      result = readImportResult(outcome.result);
    } catch (err) {
      if (!(err instanceof DriverResultError)) throw err;
      return { ...base, status: 'ran', summary: `the import run ended without a result: ${err.message} (exit ${outcome.signal ?? outcome.exitCode})${noted}` };
    }
    if (result.status !== 'imported') return { ...base, status: 'not-run', summary: `the wheel could not be installed in the sandbox: ${result.error ?? 'no reason given'}` };
    const failed = result.imports.filter((i) => !i.ok);
    const wanted = failed.map((f) => missingImport(f.error ?? '')).find((m) => m !== undefined && !added.includes(m) && !modules.includes(m));
    if (wanted !== undefined && round < importRounds) {
      added.push(wanted);
      requirements = [...requirements, wanted];
      continue;
    }
    return {
      ...base,
      status: 'ran',
      imports: result.imports,
      summary: `imported ${result.imports.length - failed.length} of ${result.imports.length} top-level module${result.imports.length === 1 ? '' : 's'}${failed.length > 0 ? ` (${failed.map((f) => `${f.module}: ${f.error}`).join('; ')})` : ''}${noted}`,
    };
  }
}
