/** The list of subcommands. Adding a command means adding a file and one line here. */
import type { Command } from 'commander';

type Registration = (program: Command) => void;

const commands: Record<string, () => Promise<Registration>> = {
  serve: async () => (await import('./serve.js')).registerServeCommand,
  token: async () => (await import('./token.js')).registerTokenCommand,
  log: async () => (await import('./log.js')).registerLogCommand,
  cache: async () => (await import('./cache.js')).registerCacheCommand,
  quarantine: async () => (await import('./quarantine.js')).registerQuarantineCommand,
  explain: async () => (await import('./explain.js')).registerExplainCommand,
  policy: async () => (await import('./policy.js')).registerPolicyCommand,
  audit: async () => (await import('./audit.js')).registerAuditCommand,
  vulndb: async () => (await import('./vulndb.js')).registerVulndbCommand,
  scan: async () => (await import('./scan.js')).registerScanCommand,
  'check-name': async () => (await import('./check-name.js')).registerCheckNameCommand,
  names: async () => (await import('./names.js')).registerNamesCommand,
  build: async () => (await import('./build.js')).registerBuildCommand,
  compare: async () => (await import('./compare.js')).registerCompareCommand,
  'verify-provenance': async () => (await import('./verify-provenance.js')).registerVerifyProvenanceCommand,
};

/**
 * Registers the command that `args` (the arguments after `gatehouse`) runs, loading only its module: a
 * `gatehouse audit` in CI does not pay for loading the server's options or the name corpus tools. With no
 * command, `help`, or a name that is not a command, every command is registered, so the listing, `help NAME`
 * and the "did you mean" suggestions are complete.
 */
export async function registerCommands(program: Command, args: readonly string[]): Promise<void> {
  const first = args.find((a) => !a.startsWith('-'));
  const only = first !== undefined && Object.hasOwn(commands, first) ? commands[first] : undefined;
  for (const load of only ? [only] : Object.values(commands)) (await load())(program);
}
