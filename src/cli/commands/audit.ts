/** `gatehouse audit`: known vulnerabilities and malicious packages in pinned dependencies, offline. */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { InvalidInputError } from '../../errors.js';

interface AuditOptions {
  requirement: string[];
  file: string[];
  path: string[];
  python?: string;
  format: 'table' | 'json' | 'markdown' | 'sarif' | 'cyclonedx';
  output?: string;
  ignore: string[];
  fix: boolean;
  dryRun: boolean;
  strict: boolean;
  data?: string;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description(
      'Check pinned Python dependencies against the OSV vulnerability database (offline, exact PEP 440 matching).\n' +
        'Exit status: 0 nothing found, 1 vulnerabilities or malicious packages remain, 2 bad input.',
    )
    .argument('[packages...]', 'packages to check, each as name==version')
    .option('-r, --requirement <file>', 'a pip requirements file (follows -r/-c includes); repeatable', collect, [])
    .option(
      '-f, --file <file>',
      'a lock file or project file, recognised by name: pylock.toml, pylock.<name>.toml, uv.lock, poetry.lock, Pipfile.lock, pdm.lock, pyproject.toml (anything else is read as a requirements file); repeatable',
      collect,
      [],
    )
    .option('--path <dir>', 'a site-packages directory: audits the installed *.dist-info / *.egg-info; repeatable', collect, [])
    .option('--python <interpreter>', "audit what this interpreter has installed (runs it to read sys.path; no network)")
    .addOption(new Option('--format <format>', 'report format').choices(['table', 'json', 'markdown', 'sarif', 'cyclonedx']).default('table'))
    .option('-o, --output <file>', 'write the report to this file instead of standard output')
    .option('--ignore <id[:reason[:until]]>', 'accept an advisory (its id or an alias such as a CVE), optionally with a reason and a last day YYYY-MM-DD; repeatable', collect, [])
    .option('--fix', 'rewrite vulnerable pins in the requirements files to the smallest fixed version that clears the findings, preferring one no known advisory affects (drops that line\'s --hash options)', false)
    .option('--dry-run', 'with --fix: show the rewrite as a diff, change nothing', false)
    .option('--strict', 'also exit 1 when a requirement could not be audited (unpinned, URL, local path)', false)
    .option('--data <dir>', 'data directory holding the vulnerability database (env GATEHOUSE_DATA; default ./gatehouse-data)')
    .addHelpText(
      'after',
      `
Only exact pins are audited (==1.2.3 in requirements, versions in lock files,
installed versions). Unpinned requirements are listed as "could not audit",
never guessed. The first run builds the database from the shipped snapshot
(Python Packaging Advisory Database, CC-BY-4.0) into <data>/vulndb; refresh it
with \`gatehouse vulndb update --from URL|PATH\`.

Examples:
  gatehouse audit -r requirements.txt
  gatehouse audit -f poetry.lock --format json -o audit.json
  gatehouse audit -f uv.lock --format sarif -o gatehouse.sarif
  gatehouse audit --python .venv/bin/python
  gatehouse audit django==3.2.0 requests==2.19.0
  gatehouse audit -r requirements.txt --ignore "PYSEC-2023-74:not reachable:2026-12-31"
  gatehouse audit -r requirements.txt --fix --dry-run

Formats: table (default), json (pip-audit's shape plus "severity" and
"malware" per vulnerability), markdown, sarif (2.1.0), cyclonedx (1.6 JSON
with the vulnerabilities).`,
    )
    .action(async (packages: string[], opts: AuditOptions) => {
      const { runAuditCommand } = await import('../../audit/command.js');
      if (opts.dryRun && !opts.fix) throw new InvalidInputError('audit.usage', '--dry-run only makes sense with --fix');
      const dataDir = resolve(opts.data ?? process.env.GATEHOUSE_DATA ?? 'gatehouse-data');
      const result = await runAuditCommand({ ...opts, packages, dataDir });
      if (opts.output) writeFileSync(opts.output, result.report);
      else process.stdout.write(result.report);
      if (result.notes.length > 0) process.stderr.write(result.notes.join('\n') + '\n');
      process.exitCode = result.exitCode;
    });
}
