/** `gatehouse log verify|head|export`: the tamper-evident decision log. */
import { once } from 'node:events';
import type { Command } from 'commander';
import { InvalidInputError } from '../../errors.js';
import { formatHead, parseHead, type LogHead } from '../../store/decision-log/index.js';
import { addStorageOptions, withStorage, type GatewayOptions } from '../gateway-options.js';

interface VerifyOptions extends GatewayOptions {
  expectHead?: string;
  format: string;
}

interface ExportOptions extends GatewayOptions {
  since?: string;
  format: string;
}

function checkFormat(format: string, allowed: string[], code: string): void {
  if (!allowed.includes(format)) throw new InvalidInputError(code, `--format must be ${allowed.join(' or ')}, not ${JSON.stringify(format)}`);
}

export function registerLogCommand(program: Command): void {
  const log = program
    .command('log')
    .description('Verify, show the head of, and export the tamper-evident decision log.')
    .addHelpText(
      'after',
      `
Every decision and every administrative action (tokens, yanks, quarantine,
policy reloads, waivers) is appended to the log, each entry carrying the hash
of the one before. Editing, deleting or reordering an entry breaks the chain;
keeping the head (count and hash) somewhere else catches even a rewrite of the
whole log. docs/decisions.md describes the format for verifiers of your own.`,
    );

  addStorageOptions(log.command('verify').description('Check every entry and the chain; name the first entry that was edited, deleted or reordered.'))
    .option('--expect-head <count:hash>', 'a head recorded earlier with `gatehouse log head`: entry COUNT must still have HASH')
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      `
Exits 0 when the log is intact, printing its head; 1 naming the first bad
entry and why (edited, missing, unlinked, reordered, truncated, rewritten);
2 when it cannot run. The log may have grown since an expected head was
recorded: only the entries up to it must be unchanged.

Examples:
  gatehouse log verify
  gatehouse log verify --expect-head "$(cat /secure/gatehouse-head.txt)"
  gatehouse log verify --database postgres://gatehouse@db/gatehouse --format json`,
    )
    .action(async (opts: VerifyOptions) => {
      checkFormat(opts.format, ['text', 'json'], 'log.format');
      const expectHead = opts.expectHead !== undefined ? parseHead(opts.expectHead, '--expect-head') : undefined;
      const result = await withStorage(opts, (s) => s.decisionLog.verify(expectHead ? { expectHead } : {}));
      if (opts.format === 'json') {
        const out = result.intact
          ? { intact: true, count: result.head.count, head: formatHead(result.head) }
          : { intact: false, verified: { count: result.verified.count, head: formatHead(result.verified) }, problem: result.problem };
        process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      } else if (result.intact) {
        process.stdout.write(`intact: ${result.head.count} entries, head ${formatHead(result.head)}\n`);
      } else {
        process.stderr.write(`gatehouse: decision log: ${result.problem.message} [log.${result.problem.reason}]\n`);
        process.stderr.write(`gatehouse: intact up to entry ${result.verified.count} (head ${formatHead(result.verified)})\n`);
      }
      if (!result.intact) process.exitCode = 1;
    });

  addStorageOptions(log.command('head').description('Print the number of entries and the last entry\'s hash, as COUNT:HASH.'))
    .option('--format <format>', 'text or json', 'text')
    .addHelpText(
      'after',
      `
Store the line somewhere the gateway's database administrators cannot write
(another system, a ticket, a WORM bucket), and pass it back later to
\`gatehouse log verify --expect-head\`. This reads the head row without walking
the log; \`gatehouse log verify\` prints the same line once it has checked
every entry.

Examples:
  gatehouse log head >> /secure/gatehouse-heads.txt
  gatehouse log head --format json`,
    )
    .action(async (opts: GatewayOptions & { format: string }) => {
      checkFormat(opts.format, ['text', 'json'], 'log.format');
      const head: LogHead = await withStorage(opts, (s) => s.decisionLog.head());
      process.stdout.write(opts.format === 'json' ? `${JSON.stringify({ count: head.count, hash: head.hash, head: formatHead(head) })}\n` : `${formatHead(head)}\n`);
    });

  addStorageOptions(log.command('export').description('Write entries as JSON lines, one entry each with its hash (for a SIEM or an outside verifier).'))
    .option('--since <seq>', 'only the entries after this sequence number (the last one you shipped)')
    .option('--format <format>', 'jsonl (the only format so far)', 'jsonl')
    .addHelpText(
      'after',
      `
Each line is one entry in canonical JSON (RFC 8785):
  {"actor":…,"at":…,"hash":…,"kind":…,"payload":{…},"prev":…,"seq":N,
   "subject":{"filename":…,"project":…,"sha256":…,"version":…}}
An entry's hash is the sha256 of its line without "hash"; "prev" is the hash
of the entry before (64 zeros for entry 1).

Examples:
  gatehouse log export > decisions.jsonl
  gatehouse log export --since "$(tail -1 shipped.jsonl | jq .seq)" >> shipped.jsonl`,
    )
    .action(async (opts: ExportOptions) => {
      checkFormat(opts.format, ['jsonl'], 'log.format');
      let since = 0;
      if (opts.since !== undefined) {
        since = Number(opts.since);
        if (!/^\d+$/.test(opts.since) || !Number.isSafeInteger(since)) {
          throw new InvalidInputError('log.since', `--since must be a sequence number (0 or more), not ${JSON.stringify(opts.since)}`);
        }
      }
      await withStorage(opts, async (s) => {
        let chunk = '';
        for await (const line of s.decisionLog.exportLines(since)) {
          chunk += `${line}\n`;
          if (chunk.length >= 64 * 1024) {
            if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
            chunk = '';
          }
        }
        if (chunk !== '') process.stdout.write(chunk);
      });
    });
}
