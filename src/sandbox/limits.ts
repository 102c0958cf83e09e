/**
 * What a sandboxed run may use. Every limit is enforced by the kernel or by the runner while the run goes on,
 * and a run that reaches one is stopped and says which (`RunOutcome.limitsHit`).
 */
import { SandboxLimitError } from './errors.js';

export interface SandboxLimits {
  /** Elapsed time from start to the last process's exit. */
  wallTimeMs: number;
  /** CPU time of the whole process tree (user + system). */
  cpuTimeMs: number;
  /** Memory of the whole process tree, page cache and the sandbox's own tmpfs included. */
  memoryBytes: number;
  /** Processes and threads alive at once. */
  processes: number;
  /** Writable space: the size of the sandbox's tmpfs (work tree, HOME, /tmp). */
  diskBytes: number;
  /** Bytes written to standard output and error together (the build log). */
  outputBytes: number;
}

/** Generous for real builds (a pure-Python sdist needs ~1 s, 100 MB); small enough that a hostile one costs little. */
export const DEFAULT_SANDBOX_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  wallTimeMs: 300_000,
  cpuTimeMs: 300_000,
  memoryBytes: 2 * 1024 ** 3,
  processes: 256,
  diskBytes: 1024 ** 3,
  outputBytes: 16 * 1024 ** 2,
});

const sizeUnits: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3 };
const timeUnits: Record<string, number> = { ms: 1, '': 1000, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** `512MiB`, `2g`, `1048576` (bytes). */
export function parseSize(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? sizeUnits[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) throw new SandboxLimitError(`${what}: '${text}' is not a size (for example 512MiB, 2GiB, 1048576)`);
  return Math.floor(Number(m[1]) * unit);
}

/** `90s`, `5m`, `1500ms`, `30` (seconds). */
export function parseDuration(text: string, what: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = m ? timeUnits[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) <= 0) throw new SandboxLimitError(`${what}: '${text}' is not a duration (for example 90s, 5m, 1500ms)`);
  return Math.floor(Number(m[1]) * unit);
}

export function parseCount(text: string, what: string): number {
  if (!/^\s*\d+\s*$/.test(text) || Number(text) <= 0) throw new SandboxLimitError(`${what}: '${text}' is not a positive whole number`);
  return Number(text);
}

export function resolveSandboxLimits(overrides: Partial<SandboxLimits> = {}): SandboxLimits {
  const limits = { ...DEFAULT_SANDBOX_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) throw new SandboxLimitError(`limit ${key} must be a positive number, not ${value}`);
  }
  return limits;
}
