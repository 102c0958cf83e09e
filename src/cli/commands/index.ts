/** The list of subcommands. Adding a command means adding a file and one line here. */
import type { Command } from 'commander';
import { registerServeCommand } from './serve.js';
import { registerTokenCommand } from './token.js';

const registrations: Array<(program: Command) => void> = [
  registerServeCommand,
  registerTokenCommand,
];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
