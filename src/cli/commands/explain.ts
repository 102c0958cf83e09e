/** `gatehouse explain PROJECT[==VERSION]`: every decision about a project's files, and what would change it. */
import type { Command } from 'commander';
import { InvalidInputError } from '../../errors.js';
import { isValidName, normalizeName } from '../../pep/name.js';
import { addStorageOptions, type GatewayOptions } from '../gateway-options.js';
import { withJudge } from '../policy-context.js';

export function registerExplainCommand(program: Command): void {
  addStorageOptions(
    program
      .command('explain')
      .description("Explain the policy's decisions about a project: each file's state, the rules that fired with their inputs, waivers, and what would change the outcome.")
      .argument('<project>', 'PROJECT or PROJECT==VERSION'),
  )
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      `
Shows the files of the project that have passed through this gateway (hosted
uploads, and proxied files once requested), each with its decision id, and
what the name alone decides.

Examples:
  gatehouse explain requests
  gatehouse explain django==3.2.1 --format json`,
    )
    .action(async (spec: string, opts: GatewayOptions & { format: string }) => {
      const [name = '', version] = spec.split('==');
      if (!isValidName(name)) throw new InvalidInputError('explain.project', `${JSON.stringify(name)} is not a project name`);
      if (opts.format !== 'text' && opts.format !== 'json') throw new InvalidInputError('explain.format', '--format must be text or json');
      const project = normalizeName(name);
      const { explain, renderExplanation } = await import('../../policy/explain.js');
      await withJudge(opts, async (judge, storage) => {
        const rows = await storage.decisions.list({ project });
        const hosted = (await storage.hosted.project(project)) !== undefined;
        const explanation = explain(project, hosted ? 'hosted' : (rows[0]?.source ?? 'upstream'), judge.state.engine, rows, version);
        process.stdout.write(opts.format === 'json' ? `${JSON.stringify(explanation, null, 2)}\n` : renderExplanation(explanation));
      });
    });
}
