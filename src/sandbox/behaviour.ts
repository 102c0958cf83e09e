/**
 * What a sandboxed process tree did, in the terms detection rules speak: programs run, connections tried, DNS
 * names looked up, files read and written (with the area of the sandbox they are in), secrets that left, limits
 * reached. The tracer (`trace/interpret.ts`) produces these from strace's output; `behaviour-rules.ts` turns
 * them into findings.
 */

/** Where a path lies, as the sandbox lays out its filesystem (`layout.ts`). */
export type Area =
  /** The work tree: the unpacked sdist, its build directories, the wheel being written. */
  | 'work'
  /** The throwaway HOME (`~`), with the planted honeypots. */
  | 'home'
  | 'tmp'
  /** What the sandbox runs on, read-only: /usr, the Python installation, the build environment, the inputs. */
  | 'runtime'
  | 'device'
  | 'proc'
  /** Anything else: /etc, /var, /root, another site-packages... Read-only or absent in the sandbox. */
  | 'system';

export type FileOp = 'read' | 'list' | 'write' | 'create' | 'rename' | 'link' | 'symlink' | 'delete' | 'mkdir' | 'chmod';

export type LimitName = 'wall-time' | 'cpu-time' | 'memory' | 'processes' | 'disk' | 'output' | 'trace';

export type BehaviourEvent =
  | {
      kind: 'exec';
      /** The program as the execve named it, resolved to an absolute path. */
      program: string;
      argv: string[];
      ok: boolean;
      errno?: string;
    }
  | {
      kind: 'connect';
      family: 'inet' | 'inet6' | 'unix';
      /** An IP address, or the socket path (`@name` for an abstract socket). */
      address: string;
      port?: number;
      /** `connect`, or `send` for a datagram sent to an address without connecting. */
      via: 'connect' | 'send';
      ok: boolean;
      errno?: string;
    }
  | { kind: 'dns'; name: string; type: string }
  | { kind: 'listen'; family: 'inet' | 'inet6'; address: string; port: number }
  | {
      kind: 'file';
      op: FileOp;
      /** The path as rules see it: absolute, `..` resolved, the sandbox's HOME written `~/`. */
      path: string;
      area: Area;
      ok: boolean;
      errno?: string;
      /** For rename, link and symlink: the other path (source, or the link's target). */
      from?: string;
      /** The honeypot planted at `path`, if any (`aws-credentials`, `ssh-key`...). */
      honeypot?: string;
      /** The path is inside the real HOME of the host, which the sandbox does not show. */
      hostHome?: boolean;
    }
  | {
      kind: 'canary';
      /** The secret environment variable or honeypot whose planted value was seen. */
      name: string;
      where: 'command line' | 'network' | 'file' | 'path' | 'output';
      /** Where exactly: the program, the address, the file. */
      detail: string;
    }
  | { kind: 'limit'; limit: LimitName; detail: string };

export type BehaviourKind = BehaviourEvent['kind'];
