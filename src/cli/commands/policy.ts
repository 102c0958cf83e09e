/** `gatehouse policy check FILE`: validates a policy without starting anything. */
import type { Command } from 'commander';

export function registerPolicyCommand(program: Command): void {
  const policy = program.command('policy').description('Work with the policy file.');
  policy
    .command('check')
    .description('Check a policy file ([policy.*] tables, or a gateway config that holds them or names their file): every problem, with its line.')
    .argument('<file>', 'the TOML file')
    .addHelpText(
      'after',
      `
Prints "ok" and the policy's revision, or every problem found, each naming the
key and its line, and exits non-zero.

Example:
  gatehouse policy check /etc/gatehouse/policy.toml`,
    )
    .action(async (file: string) => {
      const [{ loadPolicy }, { policyRevision }] = await Promise.all([import('../../policy/policy-file.js'), import('../../policy/policy.js')]);
      const loaded = loadPolicy(file);
      const p = loaded.policy;
      process.stdout.write(
        `ok: ${loaded.path} (revision ${policyRevision(p)}): ${p.lists.allow.length} allowed and ${p.lists.deny.length} denied list entries, ${p.waivers.length} waiver(s); cooldown ${Math.round(p.cooldown.minimumAgeMs / 3_600_000)} h\n`,
      );
    });
}
