/** The list of subcommands. Adding a command means adding a file and one line here. */
import type { Command } from 'commander';

const registrations: Array<(program: Command) => void> = [];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
