/** The list of subcommands. Adding a command means adding a file and one line here. */
import type { Command } from 'commander';
import { registerServeCommand } from './serve.js';
import { registerTokenCommand } from './token.js';
import { registerAuditCommand } from './audit.js';
import { registerVulndbCommand } from './vulndb.js';
import { registerScanCommand } from './scan.js';
import { registerCheckNameCommand } from './check-name.js';
import { registerNamesCommand } from './names.js';

const registrations: Array<(program: Command) => void> = [
  registerServeCommand,
  registerTokenCommand,
  registerAuditCommand,
  registerVulndbCommand,
  registerScanCommand,
  registerCheckNameCommand,
  registerNamesCommand,
];

export function registerCommands(program: Command): void {
  for (const register of registrations) register(program);
}
