/**
 * The filesystem a sandboxed process sees, and where each path of it lies. One home for these paths: the runner
 * mounts them (`bubblewrap.ts`), the tracer classifies what a process touched by them (`trace/interpret.ts`).
 *
 *   /usr, /bin, /lib…   the host's, read-only
 *   /etc                a few synthetic files (passwd, hosts, resolv.conf pointing DNS at the sandbox's own loopback)
 *   <python prefix>     the host's Python installation, read-only, at its own path
 *   /gatehouse/         inputs, read-only: the driver script, the sdist or wheel, the build environment
 *   /sandbox/           one tmpfs, its size the disk limit: work/ (the work tree), home/, tmp/
 *   /home/builder       -> /sandbox/home (HOME, with planted honeypots)
 *   /tmp                -> /sandbox/tmp
 *   /dev, /proc         minimal devices, the sandbox's own processes
 */
import { posix } from 'node:path';
import type { Area } from './behaviour.js';

export const SANDBOX_ROOT = '/sandbox';
export const WORK_DIR = '/sandbox/work';
export const HOME_STORE = '/sandbox/home';
export const TMP_STORE = '/sandbox/tmp';
export const HOME_DIR = '/home/builder';
export const TMP_DIR = '/tmp';
export const USER_NAME = 'builder';
export const UID = 1000;
export const HOSTNAME = 'build-host';
/** Read-only inputs of a run. */
export const INPUT_ROOT = '/gatehouse';
export const DRIVER_PATH = '/gatehouse/driver.py';
export const INPUT_DIR = '/gatehouse/input';
export const ENV_DIR = '/gatehouse/env';
export const WHEELHOUSE_DIR = '/gatehouse/wheelhouse';
export const PERSONA_DIR = '/gatehouse/persona';

/** Host facts the classification needs. */
export interface PathContext {
  /** The Python installation bound read-only at its own path (its base prefix). */
  pythonPrefix: string;
  /** The real HOME of the host, which the sandbox must not show (reads of it are reported). */
  hostHome?: string;
}

function under(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

/** The path with the sandbox's symlinked directories resolved: `/tmp/x` is `/sandbox/tmp/x`. */
export function canonicalPath(path: string): string {
  const p = posix.normalize(path);
  if (under(p, HOME_DIR)) return HOME_STORE + p.slice(HOME_DIR.length);
  if (under(p, TMP_DIR)) return TMP_STORE + p.slice(TMP_DIR.length);
  return p;
}

/** The path as findings show it: HOME as `~/`, the tmpfs behind /tmp as /tmp. */
export function displayPath(canonical: string): string {
  if (under(canonical, HOME_STORE)) return `~${canonical.slice(HOME_STORE.length)}` || '~';
  if (under(canonical, TMP_STORE)) return TMP_DIR + canonical.slice(TMP_STORE.length);
  return canonical;
}

/** What the C library reads on every name lookup and start-up; part of the runtime, not of anyone's interest. */
const runtimeEtc = ['/etc/ld.so.cache', '/etc/ld.so.preload', '/etc/localtime', '/etc/nsswitch.conf', '/etc/host.conf', '/etc/resolv.conf', '/etc/hosts', '/etc/gai.conf', '/etc/alternatives'];

export function areaOf(canonical: string, context: PathContext): Area {
  if (under(canonical, WORK_DIR)) return 'work';
  if (under(canonical, HOME_STORE)) return 'home';
  // The rest of the tmpfs is scratch space like /tmp.
  if (under(canonical, TMP_STORE) || under(canonical, SANDBOX_ROOT) || under(canonical, '/dev/shm')) return 'tmp';
  if (under(canonical, '/proc')) return 'proc';
  if (under(canonical, '/dev')) return 'device';
  for (const dir of ['/usr', '/bin', '/sbin', '/lib', '/lib32', '/lib64', '/libx32', INPUT_ROOT, context.pythonPrefix, ...runtimeEtc]) {
    if (under(canonical, dir)) return 'runtime';
  }
  return 'system';
}

export function isUnderHostHome(canonical: string, context: PathContext): boolean {
  const home = context.hostHome;
  if (home === undefined || home === '/' || home === '') return false;
  return under(canonical, home) && !under(canonical, context.pythonPrefix);
}
