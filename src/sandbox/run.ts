/**
 * Runs one command in the sandbox, under strace when asked, within the limits, and reports what happened:
 * exit status, the limits it reached, its output (the build log), what it handed back on file descriptor 3, and
 * the behaviour events of its process tree.
 *
 *   strace -f … -o TRACE -- sh -c 'join the cgroups; exec prlimit … bwrap …' -- COMMAND
 *
 * strace runs outside the sandbox (ptrace from outside works where seccomp inside would not see the whole tree);
 * the wrapper puts the tree into its own cgroups before bubblewrap starts, so memory, processes and CPU time are
 * counted for every process of the run. Where cgroups cannot be made, per-process rlimits and a watch on the
 * process count stand in, and `enforcement` says so.
 */
import { spawn } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BehaviourEvent, LimitName } from './behaviour.js';
import { bubblewrapArgs, runDirectory, type Mount } from './bubblewrap.js';
import { ProcessGroup } from './cgroup.js';
import { SandboxUnavailableError } from './errors.js';
import { plantDecoys, type PlantedDecoys } from './honeypots.js';
import type { SandboxHost } from './host.js';
import { HOME_DIR, TMP_DIR, USER_NAME, WORK_DIR } from './layout.js';
import type { SandboxLimits } from './limits.js';
import { TraceInterpreter } from './trace/interpret.js';

export interface RunRequest {
  host: SandboxHost;
  limits: SandboxLimits;
  /** The command inside the sandbox; its first element must be an absolute path. */
  command: string[];
  cwd?: string;
  /** Variables on top of the sandbox's own (HOME, PATH, LANG, the decoy secrets). */
  env?: Record<string, string>;
  mounts?: Mount[];
  /** Trace the process tree and report behaviour events. */
  trace: boolean;
  /** Count behaviour from the first start of this program (default: the command itself). */
  traceFrom?: string;
  /** Use cgroups when the host allows them (default); false forces the rlimit fallback. */
  cgroups?: boolean;
}

export interface LimitHit {
  limit: LimitName;
  detail: string;
}

/** How each limit was enforced in this run. */
export interface Enforcement {
  memory: 'cgroup' | 'rlimit-as';
  processes: 'cgroup' | 'watch';
  cpuTime: 'cgroup' | 'rlimit-cpu';
  disk: 'tmpfs';
  wallTime: 'timer';
  output: 'pipe';
}

export interface RunOutcome {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  wallTimeMs: number;
  cpuTimeMs?: number;
  peakMemoryBytes?: number;
  limitsHit: LimitHit[];
  /** Standard output and error as they came, up to the output limit. */
  output: string;
  /** What the run wrote to file descriptor 3 (the driver's result). */
  result: Buffer;
  /** Behaviour events (with the limits reached and planted secrets seen in the output), when traced. */
  events: BehaviourEvent[];
  traceProblems: { unreadLines: number; firstUnreadLine?: string; droppedEvents: number };
  enforcement: Enforcement;
}

/** A flood of syscalls beyond this is stopped and reported rather than read. */
const maxTraceBytes = 256 * 1024 ** 2;
const pollMs = 50;
/** The syscalls the tracer reads (see trace/interpret.ts). */
const tracedSyscalls = [
  'execve', 'execveat', 'open', 'openat', 'openat2', 'creat', 'rename', 'renameat', 'renameat2', 'link', 'linkat', 'symlink',
  'symlinkat', 'unlink', 'unlinkat', 'rmdir', 'mkdir', 'mkdirat', 'chmod', 'fchmodat', 'chdir', 'fchdir', 'connect', 'bind',
  'listen', 'sendto', 'sendmsg', 'sendmmsg', 'write', 'writev', 'pwrite64', 'clone', 'clone3', 'fork', 'vfork',
];
/** Enough of a written or sent buffer to find a planted secret in a request or a file header. */
const traceStringBytes = 4096;

/** Joins the cgroups given as arguments, then execs the rest; exits 125 with a message it cannot. */
const wrapperScript = `n=$1; shift
while [ "$n" -gt 0 ]; do echo $$ > "$1" || { echo "gatehouse-sandbox: cannot join cgroup $1" >&2; exit 125; }; shift; n=$((n-1)); done
exec "$@"`;

function mib(bytes: number): string {
  return bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0 ? `${bytes / 1024 ** 3} GiB` : `${Math.round(bytes / 1024 ** 2)} MiB`;
}

/** Pids below `root` in the process tree, from /proc. */
async function descendants(root: number): Promise<number> {
  const parent = new Map<number, number>();
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const ppid = Number(/\) \S (\d+)/.exec(stat)?.[1]);
    if (ppid) parent.set(Number(name), ppid);
  }
  let count = 0;
  for (const pid of parent.keys()) {
    for (let p: number | undefined = parent.get(pid); p !== undefined; p = parent.get(p)) {
      if (p === root) {
        count++;
        break;
      }
    }
  }
  return count;
}

export async function runSandboxed(request: RunRequest): Promise<RunOutcome> {
  const dir = runDirectory();
  const decoys = plantDecoys(join(dir, 'decoys'));
  const group = request.cgroups === false || !request.host.cgroups ? undefined : ProcessGroup.create(request.limits);
  try {
    return await runIn(request, dir, decoys, group);
  } finally {
    await group?.remove();
    await rm(dir, { recursive: true, force: true });
  }
}

/** How the limits are enforced with cgroups, or without them. */
export function enforcementWith(cgroups: boolean): Enforcement {
  return {
    memory: cgroups ? 'cgroup' : 'rlimit-as',
    processes: cgroups ? 'cgroup' : 'watch',
    cpuTime: cgroups ? 'cgroup' : 'rlimit-cpu',
    disk: 'tmpfs',
    wallTime: 'timer',
    output: 'pipe',
  };
}

async function runIn(request: RunRequest, dir: string, decoys: PlantedDecoys, group: ProcessGroup | undefined): Promise<RunOutcome> {
  const { host, limits } = request;
  const tracePath = join(dir, 'trace');
  const enforcement = enforcementWith(group !== undefined);
  const env: Record<string, string> = {
    HOME: HOME_DIR,
    USER: USER_NAME,
    LOGNAME: USER_NAME,
    SHELL: '/bin/sh',
    PATH: '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C.UTF-8',
    TMPDIR: TMP_DIR,
    ...decoys.env,
    ...request.env,
  };
  const cwd = request.cwd ?? WORK_DIR;
  const bwrap = bubblewrapArgs({
    runDir: dir,
    pythonPrefix: host.python.prefix,
    diskBytes: limits.diskBytes,
    mounts: [...decoys.mounts, ...(request.mounts ?? [])],
    dirs: decoys.dirs,
    env,
    cwd,
    command: request.command,
  });
  const rlimits = [
    `--core=0`,
    `--fsize=${limits.diskBytes}`,
    // SIGXCPU at the limit says which limit ended a process; the hard limit a second later ends one that ignores it.
    `--cpu=${Math.ceil(limits.cpuTimeMs / 1000)}:${Math.ceil(limits.cpuTimeMs / 1000) + 1}`,
    `--nproc=${limits.processes}`,
    ...(group ? [] : [`--as=${limits.memoryBytes}`]),
  ];
  const procsFiles = group?.procsFiles ?? [];
  const wrapped = ['/bin/sh', '-c', wrapperScript, 'sandbox', String(procsFiles.length), ...procsFiles, host.prlimit, ...rlimits, '--', host.bwrap, ...bwrap];
  const argv = request.trace
    ? [host.strace, '-f', '-qq', '-y', '--seccomp-bpf', '--decode-pids=pidns', '-s', String(traceStringBytes), '-e', 'signal=none', '-e', `trace=${tracedSyscalls.join(',')}`, '-o', tracePath, '--', ...wrapped]
    : wrapped;

  const started = Date.now();
  const child = spawn(argv[0]!, argv.slice(1), { detached: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } });
  const hits: LimitHit[] = [];
  const hit = (limit: LimitName, detail: string): void => {
    if (hits.some((h) => h.limit === limit)) return;
    hits.push({ limit, detail });
    void stop();
  };
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    await group?.killAll();
  };

  const outputChunks: Buffer[] = [];
  let outputBytes = 0;
  const onOutput = (chunk: Buffer): void => {
    const room = limits.outputBytes - outputBytes;
    if (room > 0) outputChunks.push(chunk.subarray(0, room));
    outputBytes += chunk.length;
    if (outputBytes > limits.outputBytes) hit('output', `wrote more than ${mib(limits.outputBytes)} of output`);
  };
  child.stdout!.on('data', onOutput);
  child.stderr!.on('data', onOutput);
  const resultChunks: Buffer[] = [];
  let resultBytes = 0;
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
    resultBytes += chunk.length;
    if (resultBytes > limits.diskBytes) hit('output', `handed back more than ${mib(limits.diskBytes)}`);
    else resultChunks.push(chunk);
  });

  const wallTimer = setTimeout(() => hit('wall-time', `still running after ${limits.wallTimeMs / 1000} s`), limits.wallTimeMs);
  let watching = false;
  const watch = setInterval(() => {
    if (watching) return;
    watching = true;
    void (async () => {
      if (group) {
        const usage = group.usage();
        if (usage.refusedForks > 0) hit('processes', `tried to run more than ${limits.processes} processes at once`);
        if (usage.cpuTimeMs > limits.cpuTimeMs) hit('cpu-time', `used more than ${limits.cpuTimeMs / 1000} s of CPU`);
      } else if (child.pid !== undefined && (await descendants(child.pid)) > limits.processes) {
        hit('processes', `tried to run more than ${limits.processes} processes at once`);
      }
      if (request.trace) {
        let size = 0;
        try {
          size = statSync(tracePath).size;
        } catch {
          // not yet written
        }
        if (size > maxTraceBytes) hit('trace', `made more than ${mib(maxTraceBytes)} of trace (a syscall flood)`);
      }
    })().finally(() => {
      watching = false;
    });
  }, pollMs);

  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => resolve([code, sig]));
  }).finally(() => {
    clearTimeout(wallTimer);
    clearInterval(watch);
  });
  const wallTimeMs = Date.now() - started;
  const usage = group?.usage();
  await group?.killAll();
  if (usage !== undefined) {
    if (usage.oomKills > 0) hit('memory', `reached the memory limit of ${mib(limits.memoryBytes)}; the kernel killed ${usage.oomKills} process${usage.oomKills === 1 ? '' : 'es'}`);
    if (usage.refusedForks > 0) hit('processes', `tried to run more than ${limits.processes} processes at once`);
    if (usage.cpuTimeMs > limits.cpuTimeMs) hit('cpu-time', `used more than ${limits.cpuTimeMs / 1000} s of CPU`);
  }
  // Without cgroups the kernel enforces CPU and file size per process, with a signal that says which.
  if (signal === 'SIGXCPU' || exitCode === 128 + 24) hit('cpu-time', `a process used its ${Math.ceil(limits.cpuTimeMs / 1000)} s of CPU`);
  if (signal === 'SIGXFSZ' || exitCode === 128 + 25) hit('disk', `a process was stopped writing a file larger than ${mib(limits.diskBytes)}`);

  const output = Buffer.concat(outputChunks).toString('utf8');
  if (exitCode === 125 && output.startsWith('gatehouse-sandbox:')) throw new SandboxUnavailableError(output.trim());
  if (exitCode === 1 && /^bwrap: /.test(output) && wallTimeMs < 5000 && hits.length === 0) {
    throw new SandboxUnavailableError(`bubblewrap could not start the sandbox: ${output.split('\n')[0]!.slice(7)}`);
  }
  const interpreter = new TraceInterpreter({
    entryProgram: request.traceFrom ?? request.command[0]!,
    entryCwd: cwd,
    paths: { pythonPrefix: host.python.prefix, hostHome: host.hostHome },
    honeypots: decoys.honeypots,
    canaries: decoys.canaries,
  });
  if (request.trace) {
    // strace escapes every byte that is not printable ASCII, so the file is plain text whatever the run did.
    const lines = createInterface({ input: createReadStream(tracePath, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of lines) interpreter.line(line);
  }
  const reading = interpreter.finish();
  const events: BehaviourEvent[] = request.trace ? [...reading.events] : [];
  if (request.trace) {
    for (const canary of decoys.canaries) {
      if (canary.value.length >= 8 && output.includes(canary.value)) events.push({ kind: 'canary', name: canary.name, where: 'output', detail: 'the build log' });
    }
  }
  for (const e of events) if (e.kind === 'limit' && !hits.some((h) => h.limit === e.limit)) hits.push({ limit: e.limit, detail: e.detail });
  for (const h of hits) if (!events.some((e) => e.kind === 'limit' && e.limit === h.limit)) events.push({ kind: 'limit', limit: h.limit, detail: h.detail });
  return {
    exitCode,
    signal,
    wallTimeMs,
    ...(usage ? { cpuTimeMs: Math.round(usage.cpuTimeMs), peakMemoryBytes: usage.peakMemoryBytes } : {}),
    limitsHit: hits,
    output,
    result: Buffer.concat(resultChunks),
    events,
    traceProblems: { unreadLines: reading.unreadLines, droppedEvents: reading.droppedEvents, ...(reading.firstUnreadLine ? { firstUnreadLine: reading.firstUnreadLine } : {}) },
    enforcement,
  };
}
