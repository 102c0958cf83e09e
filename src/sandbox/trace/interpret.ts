/**
 * Turns strace's record of a sandboxed run into behaviour events. Follows the process tree (which processes are
 * the sandboxed code's, their working directories), the sockets (which one talks to port 53), resolves every
 * path, and looks for the run's planted secret values in what leaves a process.
 *
 * Only processes that descend from the sandbox's entry program count: bubblewrap's own set-up before it (mounts,
 * namespaces) is ours, not the package's.
 */
import { posix } from 'node:path';
import type { Area, BehaviourEvent, FileOp } from '../behaviour.js';
import { areaOf, canonicalPath, displayPath, isUnderHostHome, type PathContext } from '../layout.js';
import { parseDnsQuery } from './dns.js';
import { argText, joinResumed, parseTraceLine, type Arg, type SyscallLine, type UnfinishedLine } from './syscall-line.js';

/** A planted value to look for: a secret environment variable's value, or a line of a honeypot file. */
export interface Canary {
  name: string;
  value: string;
}

export interface TraceContext {
  /** The program the sandbox starts; processes count from its execve on. */
  entryProgram: string;
  /** The directory the entry program starts in. */
  entryCwd: string;
  paths: PathContext;
  /** Honeypot name by canonical path. */
  honeypots: ReadonlyMap<string, string>;
  canaries: readonly Canary[];
}

export interface TraceReading {
  events: BehaviourEvent[];
  /** Lines that could not be read; a hostile file name should never make an event vanish silently. */
  unreadLines: number;
  firstUnreadLine?: string;
  /** More distinct events than `maxEvents`: the rest were counted, not kept. */
  droppedEvents: number;
}

/** Enough for any honest build; a flood of distinct events beyond it is itself reported. */
const maxEvents = 20_000;

interface Proc {
  inside: boolean;
  cwd: string;
}

interface SocketInfo {
  family: 'inet' | 'inet6' | 'unix';
  address: string;
  port?: number;
}

const cloneCalls = new Set(['clone', 'clone3', 'fork', 'vfork']);
const writeFlags = /\bO_(WRONLY|RDWR|CREAT|TRUNC|APPEND)\b/;
const diskFull = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

export class TraceInterpreter {
  private readonly procs = new Map<number, Proc>();
  private readonly unfinished = new Map<number, UnfinishedLine>();
  private readonly sockets = new Map<string, SocketInfo>();
  private readonly bound = new Map<string, SocketInfo>();
  private readonly seen = new Set<string>();
  private readonly canaryBytes: { name: string; bytes: Buffer }[];
  private started = false;
  private readonly reading: TraceReading = { events: [], unreadLines: 0, droppedEvents: 0 };

  constructor(private readonly context: TraceContext) {
    this.canaryBytes = context.canaries.filter((c) => c.value.length >= 8).map((c) => ({ name: c.name, bytes: Buffer.from(c.value) }));
  }

  /** Feeds one line of the trace. */
  line(raw: string): void {
    try {
      const parsed = parseTraceLine(raw);
      switch (parsed.kind) {
        case 'notice':
          return;
        case 'unfinished':
          this.unfinished.set(parsed.pending.pid, parsed.pending);
          return;
        case 'resumed': {
          const pending = this.unfinished.get(parsed.pid);
          this.unfinished.delete(parsed.pid);
          if (pending === undefined || pending.name !== parsed.name) throw new Error(`'${parsed.name} resumed' without its start`);
          this.syscall(joinResumed(pending, parsed.rest));
          return;
        }
        case 'syscall':
          this.syscall(parsed.line);
      }
    } catch (err) {
      this.reading.unreadLines++;
      this.reading.firstUnreadLine ??= `${raw.slice(0, 200)} (${(err as Error).message})`;
    }
  }

  finish(): TraceReading {
    return this.reading;
  }

  private emit(event: BehaviourEvent): void {
    const key = JSON.stringify(event);
    if (this.seen.has(key)) return;
    if (this.seen.size >= maxEvents) {
      this.reading.droppedEvents++;
      return;
    }
    this.seen.add(key);
    this.reading.events.push(event);
  }

  /** The process's record, creating it for a pid first seen (a child whose parent's clone has not returned yet). */
  private proc(pid: number): Proc {
    let proc = this.procs.get(pid);
    if (proc === undefined) {
      const cloner = [...this.unfinished.values()].find((u) => cloneCalls.has(u.name) && this.procs.get(u.pid)?.inside);
      const parent = cloner ? this.procs.get(cloner.pid) : undefined;
      // Once the entry program runs, the only processes outside it are bubblewrap's two, which never start new ones.
      proc = { inside: parent?.inside ?? this.started, cwd: parent?.cwd ?? this.context.entryCwd };
      this.procs.set(pid, proc);
    }
    return proc;
  }

  private syscall(line: SyscallLine): void {
    const proc = this.proc(line.pid);
    if (cloneCalls.has(line.name)) {
      const child = line.childPid ?? Number(line.ret);
      // A child that already ran (its events came before this return) keeps what it learnt since.
      if (Number.isInteger(child) && child > 0 && !this.procs.has(child)) this.procs.set(child, { inside: proc.inside, cwd: proc.cwd });
      return;
    }
    if (!proc.inside) {
      if (line.name === 'execve' && line.ret === '0' && argText(line.args[0]) === this.context.entryProgram) {
        proc.inside = true;
        this.started = true;
        proc.cwd = this.context.entryCwd;
      }
      return;
    }
    this.learnCwd(proc, line);
    switch (line.name) {
      case 'execve':
      case 'execveat':
        return this.exec(proc, line);
      case 'open':
      case 'openat':
      case 'openat2':
      case 'creat':
        return this.open(proc, line);
      case 'rename':
      case 'renameat':
      case 'renameat2':
      case 'link':
      case 'linkat':
        return this.moveOrLink(proc, line);
      case 'symlink':
      case 'symlinkat':
        return this.symlink(proc, line);
      case 'unlink':
      case 'unlinkat':
      case 'rmdir':
        return this.pathOp(proc, line, 'delete', line.name === 'unlinkat' ? 1 : 0, line.name === 'unlinkat' ? 0 : undefined);
      case 'mkdir':
      case 'mkdirat':
        return this.pathOp(proc, line, 'mkdir', line.name === 'mkdirat' ? 1 : 0, line.name === 'mkdirat' ? 0 : undefined);
      case 'chmod':
      case 'fchmodat':
        return this.pathOp(proc, line, 'chmod', line.name === 'fchmodat' ? 1 : 0, line.name === 'fchmodat' ? 0 : undefined);
      case 'chdir':
        if (line.ret === '0') proc.cwd = this.resolve(proc, argText(line.args[0]) ?? '.');
        return;
      case 'fchdir': {
        const path = atomPath(line.args[0]);
        if (line.ret === '0' && path !== undefined) proc.cwd = canonicalPath(path);
        return;
      }
      case 'connect':
        return this.connect(line);
      case 'bind':
        return this.bind(line);
      case 'listen':
        return this.listen(line);
      case 'sendto':
      case 'sendmsg':
      case 'sendmmsg':
        return this.send(line);
      case 'write':
      case 'writev':
      case 'pwrite64':
        return this.write(line);
    }
  }

  /** `AT_FDCWD</dir>` tells the process's working directory whenever it uses one. */
  private learnCwd(proc: Proc, line: SyscallLine): void {
    const first = line.args[0];
    if (first?.t === 'atom' && first.text === 'AT_FDCWD' && first.path !== undefined) proc.cwd = canonicalPath(first.path);
  }

  private resolve(proc: Proc, path: string, dirfd?: Arg): string {
    if (path.startsWith('/')) return canonicalPath(path);
    const base = dirfd?.t === 'atom' && dirfd.path !== undefined ? dirfd.path : proc.cwd;
    return canonicalPath(posix.join(base, path));
  }

  private fileEvent(op: FileOp, canonical: string, line: SyscallLine, extra: { from?: string } = {}): void {
    const area: Area = areaOf(canonical, this.context.paths);
    const honeypot = this.context.honeypots.get(canonical);
    const hostHome = isUnderHostHome(canonical, this.context.paths);
    const ok = line.errno === undefined;
    if (ok === false && diskFull.has(line.errno!)) this.emit({ kind: 'limit', limit: 'disk', detail: `${line.name} of ${displayPath(canonical)} failed: ${line.errno}` });
    // Reads of the runtime and of the package's own files are what every build does; keep what could matter.
    if ((op === 'read' || op === 'list') && honeypot === undefined && !hostHome && (area === 'runtime' || area === 'work' || area === 'tmp' || area === 'device')) return;
    const event: BehaviourEvent = { kind: 'file', op, path: displayPath(canonical), area, ok };
    if (!ok) event.errno = line.errno!;
    if (extra.from !== undefined) event.from = extra.from;
    if (honeypot !== undefined) event.honeypot = honeypot;
    if (hostHome) event.hostHome = true;
    this.emit(event);
    this.findCanaries(Buffer.from(canonical), 'path', displayPath(canonical));
  }

  private exec(proc: Proc, line: SyscallLine): void {
    const at = line.name === 'execveat' ? 1 : 0;
    const program = this.resolve(proc, argText(line.args[at]) ?? '', line.name === 'execveat' ? line.args[0] : undefined);
    const list = line.args[at + 1];
    const argv = list?.t === 'list' ? list.items.map((a) => argText(a) ?? (a.t === 'atom' ? a.text : '')) : [];
    const ok = line.ret === '0';
    const event: BehaviourEvent = { kind: 'exec', program: displayPath(program), argv, ok };
    if (!ok && line.errno !== undefined) event.errno = line.errno;
    this.emit(event);
    this.findCanaries(Buffer.from(argv.join(' ')), 'command line', displayPath(program));
  }

  private open(proc: Proc, line: SyscallLine): void {
    const relative = line.name === 'openat' || line.name === 'openat2';
    const at = relative ? 1 : 0;
    const path = argText(line.args[at]);
    if (path === undefined) return;
    const how = line.args[at + 1];
    // openat2 passes its flags in a struct: {flags=O_RDONLY|O_CLOEXEC, mode=0, resolve=0}.
    const flags = line.name === 'creat' ? 'O_CREAT|O_WRONLY' : how?.t === 'struct' ? (atomText(how.fields.get('flags')) ?? '') : (atomText(how) ?? '');
    if (/\bO_PATH\b/.test(flags)) return;
    const asked = this.resolve(proc, path, relative ? line.args[0] : undefined);
    // The returned descriptor's path has every symlink resolved; prefer it when the open succeeded.
    const canonical = line.retPath !== undefined && line.retPath.startsWith('/') ? canonicalPath(line.retPath) : asked;
    const op: FileOp = line.name === 'creat' ? 'create' : writeFlags.test(flags) ? 'write' : /\bO_DIRECTORY\b/.test(flags) ? 'list' : 'read';
    this.fileEvent(op, canonical, line);
  }

  private moveOrLink(proc: Proc, line: SyscallLine): void {
    const at = line.name === 'rename' || line.name === 'link' ? [undefined, 0, undefined, 1] : [0, 1, 2, 3];
    const [fromDir, fromArg, toDir, toArg] = at;
    const from = argText(line.args[fromArg!]);
    const to = argText(line.args[toArg!]);
    if (from === undefined || to === undefined) return;
    const source = this.resolve(proc, from, fromDir === undefined ? undefined : line.args[fromDir]);
    const target = this.resolve(proc, to, toDir === undefined ? undefined : line.args[toDir]);
    this.fileEvent(line.name.startsWith('rename') ? 'rename' : 'link', target, line, { from: displayPath(source) });
  }

  private symlink(proc: Proc, line: SyscallLine): void {
    const target = argText(line.args[0]);
    const link = argText(line.args[line.name === 'symlinkat' ? 2 : 1]);
    if (target === undefined || link === undefined) return;
    this.fileEvent('symlink', this.resolve(proc, link, line.name === 'symlinkat' ? line.args[1] : undefined), line, { from: target });
  }

  private pathOp(proc: Proc, line: SyscallLine, op: FileOp, pathArg: number, dirArg: number | undefined): void {
    const path = argText(line.args[pathArg]);
    if (path === undefined) return;
    this.fileEvent(op, this.resolve(proc, path, dirArg === undefined ? undefined : line.args[dirArg]), line);
  }

  private connect(line: SyscallLine): void {
    const peer = sockaddr(line.args[1]);
    if (peer === undefined) return;
    const socket = socketKey(line.args[0]);
    if (socket !== undefined) this.sockets.set(socket, peer);
    if (peer.port === 53 && peer.family !== 'unix') return; // a resolver: the question it is sent is the event
    if (peer.family === 'unix' && /^\/(var\/)?run\/nscd\/socket$/.test(peer.address)) return; // glibc asks nscd first, always
    // A non-blocking connect says EINPROGRESS and learns the outcome later; it is reported as not (yet) made.
    const ok = line.errno === undefined;
    this.emit({ kind: 'connect', ...peer, via: 'connect', ok, ...(ok ? {} : { errno: line.errno! }) });
  }

  private bind(line: SyscallLine): void {
    const address = sockaddr(line.args[1]);
    const socket = socketKey(line.args[0]);
    if (address !== undefined && socket !== undefined) this.bound.set(socket, address);
  }

  private listen(line: SyscallLine): void {
    const socket = socketKey(line.args[0]);
    const address = socket === undefined ? undefined : this.bound.get(socket);
    if (address === undefined || address.family === 'unix' || line.errno !== undefined) return;
    this.emit({ kind: 'listen', family: address.family, address: address.address, port: address.port ?? 0 });
  }

  /** Datagrams and messages: DNS questions, contact with an address, and the planted secrets in what is sent. */
  private send(line: SyscallLine): void {
    const socket = socketKey(line.args[0]);
    const connected = socket === undefined ? undefined : this.sockets.get(socket);
    for (const { buffer, to } of sentMessages(line)) {
      const peer = to ?? connected;
      const question = peer === undefined || peer.port === 53 ? parseDnsQuery(buffer) : undefined;
      if (question !== undefined) this.emit({ kind: 'dns', name: question.name, type: question.type });
      else if (to !== undefined && to.family !== 'unix') {
        const ok = line.errno === undefined;
        this.emit({ kind: 'connect', ...to, via: 'send', ok, ...(ok ? {} : { errno: line.errno! }) });
      }
      if (peer?.family !== 'unix') this.findCanaries(buffer, 'network', peer === undefined ? 'a socket' : describePeer(peer));
    }
  }

  private write(line: SyscallLine): void {
    const target = line.args[0];
    const path = target?.t === 'atom' ? target.path : undefined;
    if (line.errno !== undefined && diskFull.has(line.errno)) {
      this.emit({ kind: 'limit', limit: 'disk', detail: `${line.name} to ${path === undefined ? 'a file' : displayPath(canonicalPath(path))} failed: ${line.errno}` });
    }
    if (path === undefined || path.startsWith('pipe:') || path.startsWith('/dev/')) return; // the build log is searched as a whole
    const isSocket = path.startsWith('socket:');
    const socket = isSocket ? this.sockets.get(path) : undefined;
    // A socket the run never connected is one it was given: its output and result channels, searched as a whole.
    if (isSocket && socket === undefined) return;
    const data = line.args[1];
    const buffers = data?.t === 'str' ? [data.bytes] : data?.t === 'list' ? data.items.flatMap((i) => iovBytes(i)) : [];
    for (const bytes of buffers) {
      if (socket !== undefined) this.findCanaries(bytes, 'network', describePeer(socket));
      else this.findCanaries(bytes, 'file', displayPath(canonicalPath(path)));
    }
  }

  private findCanaries(bytes: Buffer, where: 'command line' | 'network' | 'file' | 'path', detail: string): void {
    for (const canary of this.canaryBytes) {
      if (bytes.includes(canary.bytes)) this.emit({ kind: 'canary', name: canary.name, where, detail });
    }
  }
}

function atomText(arg: Arg | undefined): string | undefined {
  return arg?.t === 'atom' ? arg.text : undefined;
}

function atomPath(arg: Arg | undefined): string | undefined {
  return arg?.t === 'atom' ? arg.path : undefined;
}

/** Sockets are known by their inode (`3<socket:[1234]>`), which threads and children sharing the descriptor agree on. */
function socketKey(arg: Arg | undefined): string | undefined {
  const path = atomPath(arg);
  return path?.startsWith('socket:') ? path : undefined;
}

function describePeer(peer: SocketInfo): string {
  if (peer.family === 'unix') return peer.address;
  return peer.family === 'inet6' ? `[${peer.address}]:${peer.port ?? 0}` : `${peer.address}:${peer.port ?? 0}`;
}

function callArg(arg: Arg | undefined, name: string): Arg[] | undefined {
  return arg?.t === 'call' && arg.name === name ? arg.args : undefined;
}

/** `{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("1.2.3.4")}` and its IPv6 and Unix forms. */
export function sockaddr(arg: Arg | undefined): SocketInfo | undefined {
  if (arg?.t !== 'struct') return undefined;
  const family = atomText(arg.fields.get('sa_family'));
  if (family === 'AF_INET') {
    const port = Number(atomText(callArg(arg.fields.get('sin_port'), 'htons')?.[0]));
    const address = argText(callArg(arg.fields.get('sin_addr'), 'inet_addr')?.[0]);
    return address === undefined ? undefined : { family: 'inet', address, port };
  }
  if (family === 'AF_INET6') {
    const port = Number(atomText(callArg(arg.fields.get('sin6_port'), 'htons')?.[0]));
    const pton = arg.items.map((i) => callArg(i, 'inet_pton')).find((a) => a !== undefined);
    const address = argText(pton?.[1]);
    return address === undefined ? undefined : { family: 'inet6', address, port };
  }
  if (family === 'AF_UNIX') {
    const path = arg.fields.get('sun_path');
    const address = argText(path);
    return address === undefined ? undefined : { family: 'unix', address };
  }
  return undefined;
}

function iovBytes(arg: Arg): Buffer[] {
  if (arg.t !== 'struct') return [];
  const base = arg.fields.get('iov_base');
  return base?.t === 'str' ? [base.bytes] : [];
}

/** Each message a send call carries, with its explicit destination when it has one. */
function sentMessages(line: SyscallLine): { buffer: Buffer; to?: SocketInfo }[] {
  if (line.name === 'sendto') {
    const data = line.args[1];
    if (data?.t !== 'str') return [];
    const to = sockaddr(line.args[4]);
    return [{ buffer: data.bytes, ...(to ? { to } : {}) }];
  }
  const headers =
    line.name === 'sendmsg'
      ? [line.args[1]]
      : line.args[1]?.t === 'list'
        ? line.args[1].items.map((m) => (m.t === 'struct' ? m.fields.get('msg_hdr') : undefined))
        : [];
  const out: { buffer: Buffer; to?: SocketInfo }[] = [];
  for (const header of headers) {
    if (header?.t !== 'struct') continue;
    const to = sockaddr(header.fields.get('msg_name'));
    const iov = header.fields.get('msg_iov');
    const buffers = iov?.t === 'list' ? iov.items.flatMap(iovBytes) : [];
    out.push({ buffer: Buffer.concat(buffers), ...(to ? { to } : {}) });
  }
  return out;
}
