#!/usr/bin/env node
/**
 * The `gatehouse` command. Each subcommand lives in its own file under
 * `commands/` and registers itself on the program.
 */
import { Command, CommanderError } from 'commander';
import { GatehouseError } from '../errors.js';
import { registerCommands } from './commands/index.js';

const program = new Command('gatehouse')
  .description(
    'A gateway between Python installers and package indexes that keeps malicious and vulnerable packages out.\n' +
      'Run `gatehouse serve` for the gateway, or `audit`, `scan` and `check-name` offline in CI.',
  )
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

// `gatehouse audit … | head`: once the reader has gone, there is nobody left to tell. Stop quietly with the exit
// status the command has set, or else 141, what a shell reports for a command ended by SIGPIPE (so `pipefail` does
// not read it as success). Any other error on standard output still fails loudly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 141);
  });
}

/** errno codes that mean the environment refused (space, permissions, a read-only file system), not a bug. */
const SYSTEM_REASONS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  EMFILE: 'too many open files',
};

function isSystemError(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).code! in SYSTEM_REASONS;
}

try {
  await registerCommands(program, process.argv.slice(2));
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
  } else if (err instanceof GatehouseError) {
    process.stderr.write(`gatehouse: ${err.message} [${err.code}]\n`);
    process.exitCode = 2;
  } else if (isSystemError(err)) {
    // The machine's problem, not a bug: say which operation on which file failed, and why, without a stack.
    process.stderr.write(`gatehouse: ${err.syscall ?? 'I/O'} ${err.path ?? ''} failed: ${SYSTEM_REASONS[err.code] ?? err.code} (${err.code})\n`.replace('  ', ' '));
    process.exitCode = 74;
  } else {
    process.stderr.write(`gatehouse: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  }
}

