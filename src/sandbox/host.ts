/**
 * What the sandbox needs from the machine it runs on, found once per process: bubblewrap, strace and prlimit on the
 * PATH, a Python to run inside (bound read-only at its own path), and whether cgroups can hold a process tree.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { ProcessGroup } from './cgroup.js';
import { SandboxUnavailableError } from './errors.js';

const run = promisify(execFile);

export interface SandboxPython {
  /** The interpreter, symlinks resolved. */
  executable: string;
  /** `sys.base_prefix`: the installation bound read-only into the sandbox. */
  prefix: string;
  /** `3.11.7` */
  version: string;
  /** `cpython` */
  implementation: string;
  /** `lib/python3.11/site-packages`: where a venv of this Python keeps its packages. */
  sitePackages: string;
  /** Whether tarfile has extraction filters (3.11.4+, PEP 706); the driver checks members itself otherwise. */
  tarFilters: boolean;
}

export interface SandboxHost {
  bwrap: string;
  strace: string;
  prlimit: string;
  /** `bubblewrap 0.8.0`, `strace 6.1`: recorded in provenance. */
  versions: { bubblewrap: string; strace: string };
  python: SandboxPython;
  /** cgroup v1 memory, pids and cpuacct controllers can hold a run's whole process tree. */
  cgroups: boolean;
  /** The real HOME of this machine, hidden from the sandbox; reads of it are reported. */
  hostHome: string;
}

/** The first executable `name` on the PATH. */
export function findProgram(name: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of [...path.split(delimiter), '/usr/bin', '/bin', '/usr/sbin']) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

const pythonProbe = `
import json, sys, sysconfig, tarfile, os
print(json.dumps({
  "executable": os.path.realpath(getattr(sys, "_base_executable", sys.executable)),
  "prefix": sys.base_prefix,
  "version": ".".join(map(str, sys.version_info[:3])),
  "implementation": sys.implementation.name,
  "sitePackages": os.path.relpath(sysconfig.get_path("purelib", vars={"base": "/v", "platbase": "/v"}), "/v"),
  "tarFilters": hasattr(tarfile, "data_filter"),
}))
`;

/** Facts about `python` (a name on the PATH or a path); refuses one older than 3.11 (the driver reads TOML with tomllib). */
export async function probePython(python: string): Promise<SandboxPython> {
  let stdout: string;
  try {
    ({ stdout } = await run(python, ['-I', '-c', pythonProbe], { timeout: 30_000 }));
  } catch (err) {
    throw new SandboxUnavailableError(`cannot run the sandbox's Python '${python}': ${(err as Error).message}`, { cause: err });
  }
  const info = JSON.parse(stdout) as SandboxPython;
  const [major, minor] = info.version.split('.').map(Number);
  if (major !== 3 || minor! < 11) throw new SandboxUnavailableError(`the sandbox needs Python 3.11 or newer (tomllib); ${python} is ${info.version}`);
  info.prefix = realpathSync(info.prefix);
  return info;
}

let probed: Promise<SandboxHost> | undefined;
let probedFor: string | undefined;

/**
 * The host's sandbox facts for the given Python (default: `python3` on the PATH, or GATEHOUSE_SANDBOX_PYTHON).
 * Throws SandboxUnavailableError naming what is missing.
 */
export function sandboxHost(python = process.env.GATEHOUSE_SANDBOX_PYTHON ?? 'python3'): Promise<SandboxHost> {
  if (probed !== undefined && probedFor === python) return probed;
  probedFor = python;
  probed = (async () => {
    const missing: string[] = [];
    const bwrap = findProgram('bwrap');
    const strace = findProgram('strace');
    const prlimit = findProgram('prlimit');
    if (!bwrap) missing.push('bwrap (apt install bubblewrap)');
    if (!strace) missing.push('strace (apt install strace)');
    if (!prlimit) missing.push('prlimit (apt install util-linux)');
    if (missing.length > 0) throw new SandboxUnavailableError(`the sandbox needs ${missing.join(', ')} on the PATH`);
    const probe = ProcessGroup.create({ memoryBytes: 64 * 1024 ** 2, processes: 8 });
    await probe?.remove();
    const version = async (program: string, pattern: RegExp): Promise<string> => {
      const { stdout } = await run(program, ['--version'], { timeout: 10_000 });
      return pattern.exec(stdout)?.[1] ?? stdout.split('\n')[0]!.trim();
    };
    return {
      bwrap: bwrap!,
      strace: strace!,
      prlimit: prlimit!,
      versions: { bubblewrap: await version(bwrap!, /bubblewrap (\S+)/), strace: await version(strace!, /version (\S+)/) },
      python: await probePython(python),
      cgroups: probe !== undefined,
      hostHome: homedir(),
    };
  })();
  probed.catch(() => {
    probed = undefined;
  });
  return probed;
}
