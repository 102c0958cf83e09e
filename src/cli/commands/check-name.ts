/**
 * `gatehouse check-name NAME… | -r requirements.txt`: the name gate, offline.
 * Flags typosquats of popular projects, internal names that also exist on the
 * public index (dependency confusion), and denylisted names.
 */
import { Command, Option } from 'commander';
import { InvalidInputError } from '../../errors.js';
import type { NameVerdict, NameVerdictKind } from '../../analyze/names/gate.js';
import { InvalidRequirementError } from '../../pep/errors.js';
import { isValidName } from '../../pep/name.js';

/** Verdicts that make the command exit with status 1. */
const FLAGGED: ReadonlySet<NameVerdictKind> = new Set(['typosquat', 'internal-collision', 'denied']);

interface CheckNameOptions {
  requirement: string[];
  format: 'table' | 'json';
  allow: string[];
  deny: string[];
  internalPrefix: string[];
  internalName: string[];
  corpus?: string;
  failOnUnknown: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/**
 * The project names a requirements file asks for (and the files it includes).
 * Paths and URLs name no project and are skipped; editables count when they
 * say `#egg=NAME`.
 */
async function namesFromRequirements(file: string): Promise<string[]> {
  const [{ readRequirementLines }, { parseRequirement }] = await Promise.all([
    import('../../audit/requirements.js'),
    import('../../pep/requirement.js'),
  ]);
  const names: string[] = [];
  for (const line of readRequirementLines(file)) {
    if (line.constraint) continue;
    if (line.editable) {
      const egg = /[#&]egg=([^&\s]+)/.exec(line.requirement)?.[1];
      if (egg !== undefined) names.push(egg);
      continue;
    }
    try {
      names.push(parseRequirement(line.requirement).name);
    } catch (err) {
      const pathOrUrl = /^(\.|\/|~|[a-z][a-z0-9+.-]*:\/\/)/i.test(line.requirement) || /\.(whl|zip|tar\.gz|tgz)$/i.test(line.requirement);
      if (err instanceof InvalidRequirementError && pathOrUrl) continue;
      throw err;
    }
  }
  return names;
}

function table(verdicts: readonly NameVerdict[]): string {
  const rows = [['NAME', 'VERDICT', 'TARGET', 'REASON'], ...verdicts.map((v) => [v.name, v.verdict, v.target ?? '-', v.reason])];
  const widths = [0, 1, 2].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  return rows.map((r) => r.map((cell, c) => (c < 3 ? cell.padEnd(widths[c] ?? 0) : cell)).join('  ')).join('\n') + '\n';
}

function json(verdicts: readonly NameVerdict[]): string {
  const names = verdicts.map((v) => ({
    name: v.name,
    normalized: v.normalized,
    verdict: v.verdict,
    target: v.target ?? null,
    reason: v.reason,
    rule: v.rule ?? null,
  }));
  return JSON.stringify({ names }, null, 2) + '\n';
}

export function registerCheckNameCommand(program: Command): void {
  program
    .command('check-name')
    .description(
      'Check project names before installing them: typosquats of popular projects (reqeusts, urlib3, python3-dateutil),\n' +
        'internal names that also exist on the public index (dependency confusion), and your own allow/deny lists.\n' +
        'Works offline against the name corpus shipped with Gatehouse (refresh it with `gatehouse names update`).',
    )
    .argument('[names...]', 'project names to check')
    .option('-r, --requirement <file>', 'also check every project a pip requirements file asks for (follows -r includes); repeatable', collect, [])
    .addOption(new Option('--format <format>', 'table for people, json for scripts').choices(['table', 'json']).default('table'))
    .option('--allow <name>', 'always accept this name, even if it looks like a typosquat; repeatable', collect, [])
    .option('--deny <name>', 'always refuse this name; repeatable', collect, [])
    .option('--internal-prefix <prefix>', "a prefix of your organization's own projects (e.g. acme-): such a name that exists publicly is a dependency-confusion risk; repeatable", collect, [])
    .option('--internal-name <name>', "a name of one of your organization's own projects; repeatable", collect, [])
    .option('--corpus <dir>', 'read the name corpus (top-packages.tsv, all-names.txt.gz) from this directory instead of the shipped one')
    .option('--fail-on-unknown', 'also exit with status 1 when a name is not on the public index at all', false)
    .addHelpText(
      'after',
      `
Verdicts:
  ok                  a popular project, or a name that resembles none
  typosquat           close to a far more popular project (TARGET); the reason names the edit and both ranks
  internal-collision  matches --internal-prefix/--internal-name and exists on the public index
  denied              on --deny
  unknown             not on the public index snapshot (a typo of nothing, or a name registered since)

What counts as close: one edit (a letter dropped, repeated, inserted, replaced by a neighbouring key, or two
swapped); two edits from the 500 most downloaded names; look-alike letters (rn/m, vv/w, cl/d, l/1/i, 0/o); PyPI's
own name-similarity rule; other separators or word order; an added, dropped or moved py/python/lib affix
(yamlpy for pyyaml); a trailing number or version (requests2); held-down letters (numpyyy); and a top-300 name
dressed up with words such as -lite, -dev or -fixed (urllib3-fixed).

Exit status: 0 when nothing is flagged, 1 when any name is a typosquat, an
internal collision or denied (or unknown, with --fail-on-unknown), 2 when a
NAME is not a valid project name or an input cannot be read.

JSON (--format json): {"names": [{"name", "normalized", "verdict", "target", "reason", "rule"}]}

Examples:
  gatehouse check-name reqeusts numpy
  gatehouse check-name -r requirements.txt --format json
  gatehouse check-name -r requirements.txt --internal-prefix acme- --allow my-fork-of-requestz`,
    )
    .action(async (names: string[], opts: CheckNameOptions) => {
      const requested = [...names];
      for (const file of opts.requirement) requested.push(...(await namesFromRequirements(file)));
      if (requested.length === 0) throw new InvalidInputError('check-name.no-names', 'give at least one NAME or -r FILE');
      for (const list of [names, opts.allow, opts.deny, opts.internalName]) {
        const bad = list.find((n) => !isValidName(n));
        if (bad !== undefined) throw new InvalidInputError('check-name.invalid-option', `'${bad}' is not a valid project name`);
      }
      // The corpus and the gate load only when this command runs, so other commands start fast.
      const [{ loadNameCorpus }, { createNameGate }] = await Promise.all([
        import('../../analyze/names/corpus.js'),
        import('../../analyze/names/gate.js'),
      ]);
      const gate = createNameGate(loadNameCorpus(opts.corpus), {
        allow: opts.allow,
        deny: opts.deny,
        internalPrefixes: opts.internalPrefix,
        internalNames: opts.internalName,
      });
      const seen = new Set<string>();
      const verdicts = requested.filter((n) => !seen.has(n) && seen.add(n)).map((n) => gate.check(n));
      process.stdout.write(opts.format === 'json' ? json(verdicts) : table(verdicts));
      const failed = verdicts.some((v) => FLAGGED.has(v.verdict) || (opts.failOnUnknown && v.verdict === 'unknown'));
      if (failed) process.exitCode = 1;
    });
}
