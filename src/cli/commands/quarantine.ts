/** `gatehouse quarantine list|show|release|reject`: files held for review, and the reviews that settle them. */
import type { Command } from 'commander';
import { InvalidInputError, NotFoundError } from '../../errors.js';
import { addStorageOptions, withStorage, type GatewayOptions } from '../gateway-options.js';
import { currentCliActor } from '../actor.js';
import { withJudge } from '../policy-context.js';
import { formatTable } from '../table.js';

interface ReviewOptions extends GatewayOptions {
  reason?: string;
}

export function registerQuarantineCommand(program: Command): void {
  const quarantine = program.command('quarantine').description('Files held for review by the policy: list them, look at one, release or reject it.');

  addStorageOptions(quarantine.command('list').description('List the files in quarantine, the oldest first.'))
    .option('--format <format>', 'table or json', 'table')
    .action(async (opts: GatewayOptions & { format: string }) => {
      if (opts.format !== 'table' && opts.format !== 'json') throw new InvalidInputError('quarantine.format', '--format must be table or json');
      const rows = await withStorage(opts, (s) => s.decisions.list({ states: ['quarantined'] }));
      if (opts.format === 'json') {
        const out = rows.map((r) => ({ decision: r.decision_id, project: r.project, version: r.version, filename: r.filename, sha256: r.sha256, source: r.source, decidedAt: r.decided_at, reasons: (JSON.parse(r.results) as Array<{ rule: string; outcome: string; message: string }>).filter((x) => x.outcome === 'quarantine') }));
        process.stdout.write(`${JSON.stringify({ quarantined: out }, null, 2)}\n`);
        return;
      }
      const table = rows.map((r) => {
        const reasons = (JSON.parse(r.results) as Array<{ rule: string; outcome: string }>).filter((x) => x.outcome === 'quarantine').map((x) => x.rule);
        return [r.decision_id, r.project, r.version, r.filename, r.source, r.decided_at.slice(0, 19), reasons.join(',')];
      });
      process.stdout.write(formatTable(['DECISION', 'PROJECT', 'VERSION', 'FILE', 'SOURCE', 'SINCE', 'RULES'], table));
      process.stdout.write(`${rows.length} file(s) in quarantine\n`);
    });

  addStorageOptions(quarantine.command('show').description('Show one decision: the file, the rules that fired and their evidence.').argument('<decision>', 'a decision id (d-…) from `quarantine list`'))
    .action(async (id: string, opts: GatewayOptions) => {
      const row = await withStorage(opts, (s) => s.decisions.byDecisionId(id));
      if (!row) throw new NotFoundError('quarantine.unknown', `no decision ${id}`);
      const { explain, renderExplanation } = await import('../../policy/explain.js');
      await withJudge(opts, async (judge) => {
        process.stdout.write(renderExplanation(explain(row.project, row.source, judge.state.engine, [row])));
      });
    });

  for (const action of ['release', 'reject'] as const) {
    addStorageOptions(
      quarantine
        .command(action)
        .description(action === 'release' ? 'Serve a quarantined file: a reviewer found it acceptable.' : 'Refuse a quarantined file for good.')
        .argument('<decision>', 'a decision id (d-…) from `quarantine list`')
        .requiredOption('--reason <text>', 'why: recorded in the decision log with who did it'),
    )
      .addHelpText('after', `\nExample:\n  gatehouse quarantine ${action} d-Xy12_ab3Cd --reason "${action === 'release' ? 'reviewed setup.py: the download is the documented data file' : 'exfiltrates environment variables'}"`)
      .action(async (id: string, opts: ReviewOptions) => {
        const reason = (opts.reason ?? '').trim();
        if (reason === '') throw new InvalidInputError('quarantine.reason', `--reason must say why the file is ${action}d`);
        const decided = await withJudge(opts, async (judge, storage) => {
          const row = await storage.decisions.byDecisionId(id);
          if (!row) throw new NotFoundError('quarantine.unknown', `no decision ${id}`);
          return judge.review(row.sha256, row.filename, action, reason, currentCliActor());
        });
        process.stdout.write(`${decided.subject.filename}: ${decided.state} (decision ${decided.decisionId})\n`);
      });
  }
}
