/**
 * Limits on a whole process tree through cgroup v1 controllers (memory, pids, cpuacct), which is what this kind of
 * host offers (the cgroup2 hierarchy is mounted without controllers). The runner's wrapper writes its own pid into
 * each group's `cgroup.procs` before it execs bubblewrap, so every process of the run, however it forks, is counted
 * and can be killed. Where no group can be made, `create` says so and the runner falls back to rlimits.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

type Controller = 'memory' | 'pids' | 'cpuacct';

export interface GroupUsage {
  cpuTimeMs: number;
  peakMemoryBytes: number;
  /** Processes the kernel killed for want of memory. */
  oomKills: number;
  /** Forks refused because the process limit was reached. */
  refusedForks: number;
}

/** Where each controller's hierarchy is mounted and where this process sits in it (from /proc/self). */
function controllerDirs(): Map<Controller, string> | undefined {
  let mountinfo: string;
  let own: string;
  try {
    mountinfo = readFileSync('/proc/self/mountinfo', 'utf8');
    own = readFileSync('/proc/self/cgroup', 'utf8');
  } catch {
    return undefined;
  }
  const dirs = new Map<Controller, string>();
  for (const controller of ['memory', 'pids', 'cpuacct'] as const) {
    const mount = mountinfo
      .split('\n')
      .map((l) => l.split(' '))
      .find((f) => f[f.indexOf('-') + 1] === 'cgroup' && (f.at(-1) ?? '').split(',').includes(controller));
    const line = own.split('\n').find((l) => l.split(':')[1]?.split(',').includes(controller));
    if (mount === undefined || line === undefined) return undefined;
    dirs.set(controller, join(mount[4]!, line.split(':').slice(2).join(':')));
  }
  return dirs;
}

let sequence = 0;
let swept = false;

/** Groups left by a process that died without removing them (killed mid-run): emptied and removed, once per process. */
function sweepOrphans(parents: Map<Controller, string>): void {
  swept = true;
  for (const parent of parents.values()) {
    let names: string[];
    try {
      names = readdirSync(parent);
    } catch {
      continue;
    }
    for (const name of names) {
      const owner = /^gatehouse-sandbox-(\d+)-\d+$/.exec(name)?.[1];
      if (owner === undefined || isAlive(Number(owner))) continue;
      const dir = join(parent, name);
      for (const pid of readFileQuietly(join(dir, 'cgroup.procs')).split('\n').filter((l) => l !== '')) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      rmdirQuietly(dir);
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readFileQuietly(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export class ProcessGroup {
  private constructor(private readonly dirs: Map<Controller, string>) {}

  /** A new group under this process's own, with the limits set; undefined when the host does not let us. */
  static create(limits: { memoryBytes: number; processes: number }): ProcessGroup | undefined {
    const parents = controllerDirs();
    if (parents === undefined) return undefined;
    if (!swept) sweepOrphans(parents);
    const name = `gatehouse-sandbox-${process.pid}-${++sequence}`;
    const made = new Map<Controller, string>();
    try {
      for (const [controller, parent] of parents) {
        const dir = join(parent, name);
        mkdirSync(dir);
        made.set(controller, dir);
      }
      const group = new ProcessGroup(made);
      group.write('memory', 'memory.limit_in_bytes', String(limits.memoryBytes));
      // Without swap accounting memsw is absent; where present, swap must not extend the limit.
      if (existsSync(join(made.get('memory')!, 'memory.memsw.limit_in_bytes'))) group.write('memory', 'memory.memsw.limit_in_bytes', String(limits.memoryBytes));
      group.write('pids', 'pids.max', String(limits.processes));
      return group;
    } catch {
      for (const dir of made.values()) rmdirQuietly(dir);
      return undefined;
    }
  }

  /** The `cgroup.procs` files a process joins by writing its pid into each. */
  get procsFiles(): string[] {
    return [...this.dirs.values()].map((d) => join(d, 'cgroup.procs'));
  }

  private write(controller: Controller, file: string, value: string): void {
    writeFileSync(join(this.dirs.get(controller)!, file), value);
  }

  private read(controller: Controller, file: string): string {
    try {
      return readFileSync(join(this.dirs.get(controller)!, file), 'utf8');
    } catch {
      return '';
    }
  }

  usage(): GroupUsage {
    const field = (text: string, name: string): number => Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    return {
      cpuTimeMs: Number(this.read('cpuacct', 'cpuacct.usage').trim() || 0) / 1e6,
      peakMemoryBytes: Number(this.read('memory', 'memory.max_usage_in_bytes').trim() || 0),
      oomKills: field(this.read('memory', 'memory.oom_control'), 'oom_kill'),
      refusedForks: field(this.read('pids', 'pids.events'), 'max'),
    };
  }

  /** The pids in the group now. */
  members(): number[] {
    return this.read('pids', 'cgroup.procs')
      .split('\n')
      .filter((l) => l !== '')
      .map(Number);
  }

  /** SIGKILL to every member, repeated until none is left (a fork between two reads joins the group). */
  async killAll(): Promise<void> {
    for (let round = 0; round < 50; round++) {
      const pids = this.members();
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Removes the groups; a group with members left is killed first. */
  async remove(): Promise<void> {
    await this.killAll();
    for (const dir of this.dirs.values()) {
      for (let attempt = 0; attempt < 50 && existsSync(dir); attempt++) {
        if (rmdirQuietly(dir)) break;
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  }
}

function rmdirQuietly(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch {
    return false;
  }
}
