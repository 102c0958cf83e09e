/** Shared set-up of the sandbox tests: the host facts and a way to run a Python snippet in the sandbox. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sandboxHost, type SandboxHost } from '../../src/sandbox/host.js';
import { resolveSandboxLimits, type SandboxLimits } from '../../src/sandbox/limits.js';
import { runSandboxed, type RunOutcome } from '../../src/sandbox/run.js';

/** The host, or a loud failure: these tests prove the sandbox holds, so they must not pass where it cannot run. */
export function host(): Promise<SandboxHost> {
  return sandboxHost();
}

/** Runs `code` with the sandbox's Python, from a file bound read-only at /gatehouse/snippet.py. */
export async function runPython(
  code: string,
  options: { limits?: Partial<SandboxLimits>; trace?: boolean; cgroups?: boolean } = {},
): Promise<RunOutcome> {
  const h = await host();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-snippet-'));
  const file = join(dir, 'snippet.py');
  writeFileSync(file, code);
  return runSandboxed({
    host: h,
    limits: resolveSandboxLimits({ wallTimeMs: 20_000, ...options.limits }),
    command: [h.python.executable, '/gatehouse/snippet.py'],
    mounts: [{ source: file, target: '/gatehouse/snippet.py' }],
    trace: options.trace ?? false,
    ...(options.cgroups === undefined ? {} : { cgroups: options.cgroups }),
  });
}
