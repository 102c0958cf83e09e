/**
 * The bubblewrap command line for one run: every namespace unshared (no network but a loopback of its own, no
 * other processes, its own hostname), no capabilities, nested user namespaces disabled, the system read-only, and
 * writable space only in the sized tmpfs behind the work tree, HOME and /tmp. See layout.ts for the paths.
 */
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOME_DIR, HOME_STORE, HOSTNAME, SANDBOX_ROOT, TMP_DIR, TMP_STORE, UID, USER_NAME, WORK_DIR } from './layout.js';

export interface Mount {
  source: string;
  target: string;
  /** Bound writable (only the build environment's own creation run does this). */
  writable?: boolean;
}

export interface BubblewrapSpec {
  /** The run's own host directory (see `runDirectory`). */
  runDir: string;
  /** The Python installation to bind read-only at its own path (skipped when under /usr). */
  pythonPrefix: string;
  diskBytes: number;
  mounts: readonly Mount[];
  /** Empty directories to make inside the tmpfs. */
  dirs?: readonly string[];
  env: Readonly<Record<string, string>>;
  cwd: string;
  command: readonly string[];
}

/** /dev/shm is a tmpfs of its own (multiprocessing needs it), this fraction of the disk limit. */
const shmShare = 16;

/** Writes the synthetic /etc files into `dir`: one user, local names only, and DNS pointed at the sandbox's own (empty) loopback. */
function writeSyntheticEtc(dir: string): void {
  mkdirSync(dir);
  const files: Record<string, string> = {
    passwd: `root:x:0:0:root:/root:/bin/sh\n${USER_NAME}:x:${UID}:${UID}:${USER_NAME}:${HOME_DIR}:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`,
    group: `root:x:0:\n${USER_NAME}:x:${UID}:\nnogroup:x:65534:\n`,
    hosts: `127.0.0.1\tlocalhost ${HOSTNAME}\n::1\tlocalhost ip6-localhost ip6-loopback\n`,
    hostname: `${HOSTNAME}\n`,
    'nsswitch.conf': 'passwd: files\ngroup: files\nhosts: files dns\n',
    // A resolver on loopback gets every question sent to it (and answers none), so the tracer reads the names.
    'resolv.conf': 'nameserver 127.0.0.1\noptions attempts:1 timeout:1\n',
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text, { mode: 0o644 });
}

/** /bin, /lib… as on the host: symlinks into /usr on a merged-/usr system, read-only directories otherwise. */
function systemDirs(): string[] {
  const args = ['--ro-bind', '/usr', '/usr'];
  for (const dir of ['/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32']) {
    let stat;
    try {
      stat = lstatSync(dir);
    } catch {
      continue;
    }
    if (stat.isSymbolicLink()) args.push('--symlink', readlinkSync(dir), dir);
    else if (stat.isDirectory()) args.push('--ro-bind', dir, dir);
  }
  return args;
}

function parentsOf(target: string, root: string): string[] {
  const dirs: string[] = [];
  let at = target.slice(0, target.lastIndexOf('/'));
  while (at.length > root.length && at.startsWith(`${root}/`)) {
    dirs.unshift(at);
    at = at.slice(0, at.lastIndexOf('/'));
  }
  return dirs;
}

export function bubblewrapArgs(spec: BubblewrapSpec): string[] {
  const etc = join(spec.runDir, 'etc');
  const args = [
    '--unshare-all',
    '--unshare-user',
    '--disable-userns',
    '--uid', String(UID),
    '--gid', String(UID),
    '--hostname', HOSTNAME,
    '--die-with-parent',
    '--new-session',
    '--cap-drop', 'ALL',
    ...systemDirs(),
  ];
  for (const name of ['passwd', 'group', 'hosts', 'hostname', 'nsswitch.conf', 'resolv.conf']) args.push('--ro-bind', join(etc, name), `/etc/${name}`);
  for (const shared of ['/etc/ld.so.cache', '/etc/alternatives', '/etc/localtime']) if (existsSync(shared)) args.push('--ro-bind', shared, shared);
  if (!spec.pythonPrefix.startsWith('/usr/')) args.push('--ro-bind', spec.pythonPrefix, spec.pythonPrefix);
  args.push('--proc', '/proc', '--dev', '/dev', '--size', String(Math.max(1024 * 1024, Math.floor(spec.diskBytes / shmShare))), '--tmpfs', '/dev/shm');
  args.push('--size', String(spec.diskBytes), '--tmpfs', SANDBOX_ROOT);
  for (const dir of [WORK_DIR, HOME_STORE, TMP_STORE]) args.push('--dir', dir);
  const made = new Set<string>();
  for (const dir of spec.dirs ?? []) {
    for (const parent of [...parentsOf(dir, SANDBOX_ROOT), dir]) {
      if (!made.has(parent)) args.push('--dir', parent);
      made.add(parent);
    }
  }
  for (const mount of spec.mounts) {
    // Directories a mount needs inside the tmpfs are made by us, so they belong to the sandbox's user.
    if (mount.target.startsWith(`${SANDBOX_ROOT}/`)) {
      for (const dir of parentsOf(mount.target, SANDBOX_ROOT)) {
        if (!made.has(dir)) args.push('--dir', dir);
        made.add(dir);
      }
    }
    args.push(mount.writable ? '--bind' : '--ro-bind', mount.source, mount.target);
  }
  args.push('--dir', '/home', '--symlink', HOME_STORE, HOME_DIR, '--symlink', TMP_STORE, TMP_DIR);
  args.push('--remount-ro', '/dev', '--remount-ro', '/');
  args.push('--clearenv');
  for (const [name, value] of Object.entries(spec.env)) args.push('--setenv', name, value);
  args.push('--chdir', spec.cwd, '--', ...spec.command);
  return args;
}

/** A fresh host directory for one run's own files (trace, decoys, /etc), removed by the runner afterwards. */
export function runDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sandbox-run-'));
  mkdirSync(join(dir, 'decoys'));
  writeSyntheticEtc(join(dir, 'etc'));
  return dir;
}
