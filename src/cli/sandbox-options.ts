/**
 * The options every command that runs the sandbox shares (`build`, `compare`, `scan --dynamic`): where build
 * dependencies come from, the data directory (caches, the signing key, built wheels), the Python that runs
 * inside, and the limits.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { Finding } from '../analyze/finding.js';
import type { SandboxLimits } from '../sandbox/limits.js';

export interface SandboxCliOptions {
  indexUrl?: string;
  data?: string;
  python?: string;
  timeLimit?: string;
  cpuLimit?: string;
  memoryLimit?: string;
  processLimit?: string;
  diskLimit?: string;
  outputLimit?: string;
}

export const DEFAULT_INDEX_URL = 'https://pypi.org/simple/';

export function addSandboxOptions(cmd: Command): Command {
  return cmd
    .option('--index-url <url>', `PEP 503 index that build dependencies are resolved and fetched from, outside the sandbox; point it at the gateway to apply its policy (env GATEHOUSE_INDEX_URL; default ${DEFAULT_INDEX_URL})`)
    .option('--data <dir>', 'data directory: the provenance key, built wheels, and (unless GATEHOUSE_SANDBOX_CACHE names another place) fetched build dependencies and build environments (env GATEHOUSE_DATA; default ./gatehouse-data)')
    .option('--python <path>', 'the Python that runs inside the sandbox, 3.11 or newer; its installation is bound read-only (env GATEHOUSE_SANDBOX_PYTHON; default python3)')
    .option('--time-limit <duration>', 'wall time for one sandboxed run, e.g. 90s, 5m (default 5m)')
    .option('--cpu-limit <duration>', 'CPU time of the whole process tree (default 5m)')
    .option('--memory-limit <size>', 'memory of the whole process tree, e.g. 512MiB (default 2GiB)')
    .option('--process-limit <count>', 'processes and threads at once (default 256)')
    .option('--disk-limit <size>', 'writable space: work tree, HOME and /tmp together (default 1GiB)')
    .option('--output-limit <size>', 'build log size; a run that writes more is stopped (default 16MiB)');
}

export function dataDirectory(opts: SandboxCliOptions): string {
  return resolve(opts.data ?? process.env.GATEHOUSE_DATA ?? 'gatehouse-data');
}

/** Fetched build dependencies and build environments: content-keyed, so several data directories (or CI runs) may share one. */
export function sandboxCache(opts: SandboxCliOptions): string {
  return resolve(process.env.GATEHOUSE_SANDBOX_CACHE ?? join(dataDirectory(opts), 'sandbox'));
}

export function indexUrl(opts: SandboxCliOptions): string {
  return opts.indexUrl ?? process.env.GATEHOUSE_INDEX_URL ?? DEFAULT_INDEX_URL;
}

export async function limitsFrom(opts: SandboxCliOptions): Promise<Partial<SandboxLimits>> {
  const { parseCount, parseDuration, parseSize } = await import('../sandbox/limits.js');
  const limits: Partial<SandboxLimits> = {};
  if (opts.timeLimit !== undefined) limits.wallTimeMs = parseDuration(opts.timeLimit, '--time-limit');
  if (opts.cpuLimit !== undefined) limits.cpuTimeMs = parseDuration(opts.cpuLimit, '--cpu-limit');
  if (opts.memoryLimit !== undefined) limits.memoryBytes = parseSize(opts.memoryLimit, '--memory-limit');
  if (opts.processLimit !== undefined) limits.processes = parseCount(opts.processLimit, '--process-limit');
  if (opts.diskLimit !== undefined) limits.diskBytes = parseSize(opts.diskLimit, '--disk-limit');
  if (opts.outputLimit !== undefined) limits.outputBytes = parseSize(opts.outputLimit, '--output-limit');
  return limits;
}

/** `12.3 s`, `850 ms` */
export function seconds(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}

export function mebibytes(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

/** Findings, worst first, one line each; info findings only with --show-info. */
export function findingLines(findings: readonly Finding[], showInfo: boolean): string[] {
  const order = ['critical', 'high', 'medium', 'low', 'info'];
  const shown = findings.filter((f) => showInfo || f.severity !== 'info').sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
  const lines = shown.map((f) => `  ${f.severity.padEnd(8)} ${f.rule.padEnd(30)} ${f.message}`);
  const hidden = findings.length - shown.length;
  if (hidden > 0) lines.push(`  (${hidden} info finding${hidden === 1 ? '' : 's'} not shown; --show-info lists them)`);
  return lines;
}

