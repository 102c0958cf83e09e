/** `gatehouse cache list|prune`: the files the proxy fetched from upstreams and keeps. */
import type { Command } from 'commander';
import { InvalidInputError } from '../../errors.js';
import { addStorageOptions, withStorage, type GatewayOptions } from '../gateway-options.js';
import { formatTable } from '../table.js';
import { humanBytes, parseDuration, parseSize } from '../units.js';

interface ListOptions extends GatewayOptions {
  source?: string;
  format: string;
}

interface PruneOptions extends GatewayOptions {
  olderThan?: string;
  maxSize?: string;
  dryRun?: boolean;
}

export function registerCacheCommand(program: Command): void {
  const cache = program
    .command('cache')
    .description('List and prune the files fetched from upstream indexes (hosted files are never touched).');

  addStorageOptions(cache.command('list').description('List cached upstream files, the least recently requested first.'))
    .option('--source <upstream>', 'only the files fetched from this upstream (its configured name)')
    .option('--format <format>', 'table or json', 'table')
    .addHelpText(
      'after',
      `
Prints one line per file: upstream, project, file, size, when it was fetched and
when it was last requested, then the total.

Example:
  gatehouse cache list --source pypi | tail`,
    )
    .action(async (opts: ListOptions) => {
      if (opts.format !== 'table' && opts.format !== 'json') throw new InvalidInputError('cache.format', '--format must be table or json');
      const files = await withStorage(opts, (s) => s.cachedFiles.list(opts.source !== undefined ? { upstream: opts.source } : {}));
      const total = files.reduce((sum, f) => sum + f.size, 0);
      if (opts.format === 'json') {
        const out = files.map((f) => ({
          upstream: f.upstream,
          project: f.project,
          filename: f.filename,
          sha256: f.sha256,
          size: f.size,
          fetchedAt: f.fetched_at,
          lastRequestedAt: f.last_requested_at,
        }));
        process.stdout.write(`${JSON.stringify({ files: out, count: files.length, bytes: total }, null, 2)}\n`);
        return;
      }
      const rows = files.map((f) => [f.upstream, f.project, f.filename, humanBytes(f.size), f.fetched_at.slice(0, 19), f.last_requested_at.slice(0, 19)]);
      process.stdout.write(formatTable(['UPSTREAM', 'PROJECT', 'FILE', 'SIZE', 'FETCHED', 'LAST REQUESTED'], rows));
      process.stdout.write(`${files.length} file(s), ${humanBytes(total)}\n`);
    });

  addStorageOptions(cache.command('prune').description('Remove cached upstream files: those not requested for a while, then the oldest until under a size.'))
    .option('--older-than <duration>', 'remove files not requested for this long (30d, 12h, 90m)')
    .option('--max-size <size>', 'then remove the least recently requested until the cache is at most this (10GiB, 500MB)')
    .option('--dry-run', 'say what would be removed, remove nothing')
    .addHelpText(
      'after',
      `
A pruned file is fetched (and checked) again on its next request. Hosted files
are never pruned. The bytes are removed at once unless another row needs them.

Examples:
  gatehouse cache prune --older-than 90d
  gatehouse cache prune --max-size 200GiB --dry-run`,
    )
    .action(async (opts: PruneOptions) => {
      if (opts.olderThan === undefined && opts.maxSize === undefined) {
        throw new InvalidInputError('cache.prune-criteria', 'say what to prune: --older-than DURATION and/or --max-size SIZE');
      }
      const requestedBefore = opts.olderThan !== undefined ? new Date(Date.now() - parseDuration(opts.olderThan, '--older-than')) : undefined;
      const maxBytes = opts.maxSize !== undefined ? parseSize(opts.maxSize, '--max-size') : undefined;
      const { planPrune } = await import('../../store/cache-prune.js');
      const result = await withStorage(opts, async (s) => {
        const plan = planPrune(await s.cachedFiles.list(), { ...(requestedBefore ? { requestedBefore } : {}), ...(maxBytes !== undefined ? { maxBytes } : {}) });
        if (!opts.dryRun && plan.remove.length > 0) {
          await s.cachedFiles.remove(plan.remove.map((f) => f.id));
          for (const f of plan.remove) await s.collector.collectIfUnused(f.sha256);
        }
        return plan;
      });
      const verb = opts.dryRun ? 'would remove' : 'removed';
      for (const f of result.remove) process.stdout.write(`${verb} ${f.upstream}/${f.filename} (${humanBytes(f.size)}, last requested ${f.last_requested_at.slice(0, 19)})\n`);
      process.stdout.write(
        `${verb} ${result.remove.length} file(s), ${humanBytes(result.removeBytes)}; kept ${result.keep.length} file(s), ${humanBytes(result.keepBytes)}\n`,
      );
    });
}
