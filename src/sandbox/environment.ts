/**
 * Build environments: a virtual environment of the sandbox's Python holding exactly the resolved build
 * dependencies, made once per set of wheels and kept (keyed by the Python and the wheels' sha256s), then bound
 * read-only into each build that needs it. pip installs the wheels inside a sandbox of its own, from the local
 * wheelhouse only (`--no-index --no-deps`): the set is already resolved, and nothing is fetched.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedWheel } from './dependencies.js';
import { SandboxUnavailableError } from './errors.js';
import type { SandboxHost } from './host.js';
import { ENV_DIR, WHEELHOUSE_DIR } from './layout.js';
import type { SandboxLimits } from './limits.js';
import { runSandboxed } from './run.js';

const completeMarker = '.gatehouse-environment.json';
/** Time an install may take whatever the build's own limit: numpy, scipy and pandas together take a minute here. */
const installTimeMs = 15 * 60_000;

export function environmentKey(host: SandboxHost, wheels: readonly ResolvedWheel[]): string {
  const identity = { python: host.python.executable, version: host.python.version, wheels: wheels.map((w) => w.sha256).sort() };
  return createHash('sha256').update(JSON.stringify(identity)).digest('hex').slice(0, 32);
}

/** The directory of the environment for `wheels`, made now if it is not in the cache yet. */
export async function buildEnvironment(host: SandboxHost, wheels: readonly ResolvedWheel[], cacheDir: string, limits: SandboxLimits): Promise<string> {
  const envs = join(cacheDir, 'environments');
  const final = join(envs, environmentKey(host, wheels));
  if (existsSync(join(final, completeMarker))) return final;
  mkdirSync(envs, { recursive: true });
  const scratch = mkdtempSync(join(envs, '.partial-'));
  try {
    // pip unpacks into TMPDIR: on the environment's own disk, not the sandbox's tmpfs, so big wheels (scipy, torch) fit.
    const install =
      wheels.length === 0
        ? ''
        : ` && mkdir ${ENV_DIR}/.install-tmp && TMPDIR=${ENV_DIR}/.install-tmp "$0" -m pip --python ${ENV_DIR}/bin/python install --isolated --quiet --no-index --no-deps --no-cache-dir --find-links ${WHEELHOUSE_DIR} ${wheels.map((w) => `${WHEELHOUSE_DIR}/${w.filename}`).join(' ')} && rm -rf ${ENV_DIR}/.install-tmp`;
    const outcome = await runSandboxed({
      host,
      // Installing trusted wheels runs no package code; it only needs time for the big ones.
      limits: { ...limits, wallTimeMs: Math.max(limits.wallTimeMs, installTimeMs), cpuTimeMs: Math.max(limits.cpuTimeMs, installTimeMs) },
      command: ['/bin/sh', '-c', `"$0" -m venv --without-pip ${ENV_DIR}${install}`, host.python.executable],
      mounts: [{ source: scratch, target: ENV_DIR, writable: true }, ...wheels.map((w) => ({ source: w.path, target: `${WHEELHOUSE_DIR}/${w.filename}` }))],
      env: { PIP_CONFIG_FILE: '/dev/null', PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1', PIP_ROOT_USER_ACTION: 'ignore' },
      trace: false,
    });
    if (outcome.exitCode !== 0) {
      throw new SandboxUnavailableError(
        `installing the build dependencies (${wheels.map((w) => w.filename).join(', ') || 'none'}) failed${outcome.limitsHit.length > 0 ? ` at the ${outcome.limitsHit[0]!.limit} limit` : ''}: ${outcome.output.trim().split('\n').slice(-5).join(' | ')}`,
      );
    }
    writeFileSync(join(scratch, completeMarker), JSON.stringify({ python: host.python.version, wheels: wheels.map(({ name, version, filename, sha256 }) => ({ name, version, filename, sha256 })) }, null, 2));
    try {
      renameSync(scratch, final);
    } catch (err) {
      // Another build made the same environment meanwhile; theirs is as good as ours.
      if (!existsSync(join(final, completeMarker))) throw err;
    }
    return final;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
