/** `gatehouse vulndb`: the vulnerability database behind `audit` and the gateway. */
import { resolve } from 'node:path';
import type { Command } from 'commander';

const dataOption = ['--data <dir>', 'data directory (env GATEHOUSE_DATA; default ./gatehouse-data)'] as const;

function dataDir(opts: { data?: string }): string {
  return resolve(opts.data ?? process.env.GATEHOUSE_DATA ?? 'gatehouse-data');
}

export function registerVulndbCommand(program: Command): void {
  const vulndb = program
    .command('vulndb')
    .description('Build, update and query the OSV vulnerability database (stored under <data>/vulndb, one directory per revision).')
    .addHelpText(
      'after',
      `
Examples:
  gatehouse vulndb status
  gatehouse vulndb update --from https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip
  gatehouse vulndb update --from ./advisory-database/vulns
  gatehouse vulndb query django 3.2.0`,
    );

  vulndb
    .command('update')
    .description('Merge newer advisories into the database: an advisory is taken when it is new or its "modified" is later')
    .requiredOption('--from <url|path>', 'OSV all.zip, a directory of OSV .json/.yaml files, a .json/.yaml file, or gzip JSON lines; local path or http(s) URL')
    .option(...dataOption)
    .addHelpText(
      'after',
      `
Prints how many advisories were added, updated and unchanged, and the new
revision. An unchanged database keeps its revision.

Examples:
  gatehouse vulndb update --from ./all.zip
  gatehouse vulndb update --from ./pypa-advisory-database/vulns --data /var/lib/gatehouse`,
    )
    .action(async (opts: { from: string; data?: string }) => {
      const { updateVulnDb } = await import('../../vulndb/build.js');
      const r = await updateVulnDb(dataDir(opts), opts.from);
      process.stdout.write(
        `${r.added} added, ${r.updated} updated, ${r.unchanged} unchanged; revision ${r.revision}` +
          `${r.previous !== r.revision ? ` (was ${r.previous})` : ' (no change)'}\n`,
      );
    });

  vulndb
    .command('rebuild')
    .description('Rebuild the database from the snapshot shipped with Gatehouse, dropping later updates')
    .option(...dataOption)
    .addHelpText('after', '\nExample:\n  gatehouse vulndb rebuild --data /var/lib/gatehouse')
    .action(async (opts: { data?: string }) => {
      const { buildShipped } = await import('../../vulndb/build.js');
      const meta = await buildShipped(dataDir(opts));
      process.stdout.write(`revision ${meta.revision}: ${meta.counts.advisories} advisories for ${meta.counts.packages} packages\n`);
    });

  vulndb
    .command('status')
    .description('Show the current revision, its sources and counts (builds the shipped snapshot on first use)')
    .option(...dataOption)
    .option('--json', 'print as JSON', false)
    .addHelpText('after', '\nExamples:\n  gatehouse vulndb status\n  gatehouse vulndb status --json --data /var/lib/gatehouse')
    .action(async (opts: { data?: string; json: boolean }) => {
      const { openVulnDb } = await import('../../vulndb/database.js');
      const db = await openVulnDb(dataDir(opts), { onBuild: (why) => process.stderr.write(`gatehouse: ${why}; building it from the shipped advisory snapshot\n`) });
      const { revision, builtAt, sources, counts } = db.meta;
      if (opts.json) {
        process.stdout.write(JSON.stringify({ revision, builtAt, sources, counts }, null, 2) + '\n');
        return;
      }
      process.stdout.write(
        [
          `revision:  ${revision} (built ${builtAt})`,
          `advisories: ${counts.advisories} (${counts.withdrawn} withdrawn, ${counts.malware} malicious-package reports)`,
          `packages:  ${counts.packages}`,
          `event versions that are not PEP 440 (left out of matching): ${counts.invalidEvents}`,
          `sources:   ${sources.join(', ')}`,
          'Advisories: Python Packaging Advisory Database, https://github.com/pypa/advisory-database, CC-BY-4.0',
        ].join('\n') + '\n',
      );
    });

  vulndb
    .command('query')
    .description('List the advisories that affect one version of a package (exit 1 when there are any)')
    .argument('<name>', 'package name')
    .argument('<version>', 'PEP 440 version')
    .option(...dataOption)
    .option('--json', 'print as JSON', false)
    .addHelpText('after', '\nPrints one line per advisory: id, severity (or MALWARE), fixed versions, aliases.\n\nExamples:\n  gatehouse vulndb query django 3.2.0\n  gatehouse vulndb query requests 2.19.0 --json')
    .action(async (name: string, version: string, opts: { data?: string; json: boolean }) => {
      const { openVulnDb } = await import('../../vulndb/database.js');
      const { advisoryRecord } = await import('../../vulndb/advisory.js');
      const db = await openVulnDb(dataDir(opts));
      const matches = db.query(name, version);
      if (opts.json) {
        process.stdout.write(JSON.stringify(matches.map((m) => ({ ...advisoryRecord(m.advisory), fix_versions: m.fixVersions })), null, 2) + '\n');
      } else if (matches.length === 0) {
        process.stdout.write(`${name} ${version}: no known advisories (revision ${db.revision})\n`);
      } else {
        for (const m of matches) {
          const worst = m.advisory.highestSeverity;
          const kind = m.advisory.malware ? 'MALWARE' : worst ? `${worst.level} ${worst.score.toFixed(1)}` : 'unscored';
          const fixed = m.fixVersions.length ? `fixed in ${m.fixVersions.join(', ')}` : 'no fix';
          process.stdout.write(`${m.advisory.id}  ${kind}  ${fixed}  ${m.advisory.aliases.join(' ')}\n`);
        }
      }
      process.exitCode = matches.length > 0 ? 1 : 0;
    });
}
