/** `gatehouse names`: the name corpus behind `check-name` and the gateway's name gate. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InvalidInputError } from '../../errors.js';
import { DEFAULT_CORPUS_DIR, loadNameCorpus } from '../../analyze/names/corpus.js';
import { parseAllNamesList, parseTopPackagesList, writeNameCorpus } from '../../analyze/names/refresh.js';

function readInput(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new InvalidInputError('names.unreadable', `cannot read ${path}`, { cause: err });
  }
}

export function registerNamesCommand(program: Command): void {
  const names = program
    .command('names')
    .description('Show or refresh the name corpus: the most-downloaded project names with their ranks, and every project name on PyPI.')
    .addHelpText(
      'after',
      `
Examples:
  gatehouse names status
  gatehouse names update --top top-pypi-packages.min.json --all simple-index.html.gz`,
    );

  names
    .command('update')
    .description('Replace the corpus with newer lists (both are required, so ranks and names come from the same time)')
    .requiredOption('--top <file>', 'top packages as hugovk/top-pypi-packages publishes them: JSON ({"rows": [{"project", "download_count"}]}) or CSV (download_count,project); ranked by download count')
    .requiredOption('--all <file>', "every project name: one per line, PyPI's /simple/ page (HTML) or its PEP 691 JSON; may be gzip'd")
    .option('--dir <dir>', 'corpus directory to write', DEFAULT_CORPUS_DIR)
    .addHelpText(
      'after',
      `
Writes top-packages.tsv and all-names.txt.gz in --dir (each through a
temporary file and a rename) and prints the counts. Update the source and date
in that directory's README.md when you ship the result.

Examples:
  gatehouse names update --top top-pypi-packages.min.json --all all-names.txt
  gatehouse names update --top top-pypi-packages.csv --all simple.html.gz --dir /etc/gatehouse/names`,
    )
    .action((opts: { top: string; all: string; dir: string }) => {
      const popular = parseTopPackagesList(readInput(opts.top), opts.top);
      const all = parseAllNamesList(readInput(opts.all), opts.all);
      const dir = resolve(opts.dir);
      writeNameCorpus(dir, popular, all);
      const missing = popular.filter((p) => !all.has(p.name)).length;
      process.stdout.write(
        `wrote ${dir}: ${popular.length} ranked names, ${all.size} names in all` +
          (missing > 0 ? ` (${missing} ranked names are not in the all-names list)` : '') +
          '\n',
      );
    });

  names
    .command('status')
    .description('Print the corpus counts')
    .option('--dir <dir>', 'corpus directory to read', DEFAULT_CORPUS_DIR)
    .action((opts: { dir: string }) => {
      const corpus = loadNameCorpus(resolve(opts.dir));
      process.stdout.write(
        `${resolve(opts.dir)}: ${corpus.popular.length} ranked names (ranks 1-${corpus.topSize}), ${corpus.all.size} names in all\n`,
      );
    });
}
