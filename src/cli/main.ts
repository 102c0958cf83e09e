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

try {
  await registerCommands(program, process.argv.slice(2));
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode;
  } else if (err instanceof GatehouseError) {
    process.stderr.write(`gatehouse: ${err.message} [${err.code}]\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`gatehouse: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 70;
  }
}
