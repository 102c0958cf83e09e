/** Runs the real `gatehouse` CLI from source, as a separate process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const cliEntry = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `gatehouse ARGS…` and collects its output. `input` is written to stdin. */
export function runCli(
  args: string[],
  options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cliEntry, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

export interface ServeProcess {
  child: ChildProcess;
  url: string;
  /** Every log line so far, parsed. */
  logs: Array<Record<string, unknown>>;
}

/**
 * Starts `gatehouse serve --port 0 ARGS…` as a separate process and resolves once it listens. `wrapper` runs it
 * under another command (for example `unshare` to give it a small file system of its own); `entry` runs a built
 * `dist/cli/main.js` (helpers/built.ts) instead of the source.
 */
export function startServeProcess(
  args: string[],
  options: { wrapper?: string[]; env?: NodeJS.ProcessEnv; entry?: string; nodeFlags?: string[] } = {},
): Promise<ServeProcess> {
  const entry = [...(options.nodeFlags ?? []), ...(options.entry === undefined ? ['--import', 'tsx', cliEntry] : [options.entry])];
  const command = [...(options.wrapper ?? []), process.execPath, ...entry, 'serve', '--port', '0', ...args];
  const child = spawn(command[0]!, command.slice(1), {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: Array<Record<string, unknown>> = [];
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('the server did not start within 60 s')), 60_000);
    lines.on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        entry = { msg: line };
      }
      logs.push(entry);
      if (typeof entry.address === 'string' && String(entry.msg).startsWith('Gatehouse listening')) {
        clearTimeout(timer);
        resolve({ child, url: entry.address, logs });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited with ${code} before listening`));
    });
  });
}
