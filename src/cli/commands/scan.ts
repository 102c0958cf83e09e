/**
 * `gatehouse scan PATH…`: the malware / wheel-jacking scanner, offline, for CI.
 * Reads wheels, sdists, directories of them or unpacked source trees, and
 * prints a verdict per artifact with the findings behind it.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { shippedPath } from '../../paths.js';
import type { ArtifactReport } from '../../analyze/artifact.js';
import type { ScanInput } from '../../analyze/inputs.js';
import type { Verdict } from '../../analyze/verdict.js';
import { addSandboxOptions, indexUrl, limitsFrom, sandboxCache, type SandboxCliOptions } from '../sandbox-options.js';

/** Below this many inputs a progress bar is more noise than help. */
const progressThreshold = 5;

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(shippedPath('package.json'), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

function progressBar(done: number, total: number, current: string): string {
  const width = 24;
  const filled = Math.round((done / total) * width);
  const name = current.length > 40 ? `…${current.slice(-39)}` : current;
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${name}`.padEnd(80);
}

interface ScanOptions extends SandboxCliOptions {
  format: 'table' | 'json' | 'sarif';
  failOn: Verdict;
  rules?: string;
  showInfo?: boolean;
  progress: boolean;
  dynamic?: boolean;
}

export function registerScanCommand(program: Command): void {
  const cmd = program
    .command('scan')
    .description(
      'Scan wheels, sdists, directories of them or unpacked source trees for malware and wheel-jacking, and give each a ' +
        'verdict (clean, suspicious or malicious) with the findings behind it. Nothing is installed or executed.',
    )
    .argument('<paths...>', 'wheel (.whl) or sdist (.tar.gz, .zip) files, directories that hold them, or a project source tree')
    .addOption(
      new Option('--format <format>', 'table for people, json for scripts, sarif (2.1.0) for GitHub code scanning')
        .choices(['table', 'json', 'sarif'])
        .default('table'),
    )
    .addOption(
      new Option('--fail-on <verdict>', 'exit with status 1 when any artifact gets this verdict or a worse one')
        .choices(['suspicious', 'malicious'])
        .default('malicious'),
    )
    .option('--rules <dir>', 'load detection rules from this folder instead of the built-in rules/ (one YAML file per rule)')
    .option('--show-info', 'also list info findings (capabilities such as network use that do not condemn on their own)')
    .option('--no-progress', 'never draw the progress bar (it is drawn on stderr only when stderr is a terminal and there are many inputs)')
    .option(
      '--dynamic',
      "also run each artifact's install-time code in the sandbox and report what it tried to do: an sdist's metadata preparation and " +
        'wheel build, the import of each top-level module of a wheel (no network, read-only system, limits, every process traced)',
    );
  addSandboxOptions(cmd)
    .addHelpText(
      'after',
      `
Verdicts:
  malicious   data that reaches a dangerous place: exec of decoded, decrypted or downloaded code, a download that is
              written and then run, a hidden or encoded command (PowerShell -EncodedCommand, curl | sh), secrets or
              host details sent out at install or import time, a .pth line that runs a payload, a reverse shell
  suspicious  a high-severity finding (pip install of another package from setup.py, a shipped sitecustomize, a
              console script named like pip or sudo, an import name that belongs to another popular project) or
              medium findings from two different rules
  clean       nothing above that; capabilities alone (network, subprocess, file reads) never condemn
  error       the scan stopped on this artifact (the reason is given); the other artifacts are still scanned

How code is read: setup.py runs at install time, a package's module level at import time, a function when it is
called; tests, docs and examples are never run and count at most as low. Strings are folded and payloads unpacked
(base16/32/64/85, zlib, gzip, bz2, rot13, Fernet, chr lists, getattr on builtins) and scanned again; commands that
reach os.system or subprocess are read as shell or PowerShell command lines.

Exit status: 0 when no artifact reaches --fail-on, 1 when one does (an error verdict counts as reaching it: nothing
vouches for an artifact that could not be scanned), 2 for a usage or input error.

Examples:
  gatehouse scan dist/mypkg-1.0-py3-none-any.whl
  gatehouse scan ./wheelhouse --fail-on suspicious
  gatehouse scan . --format sarif > gatehouse.sarif      # then upload with github/codeql-action/upload-sarif
  gatehouse scan vendor/*.tar.gz --format json | jq '.artifacts[] | select(.verdict != "clean")'
  gatehouse scan --dynamic suspicious-1.0.tar.gz --index-url http://gatehouse.internal/simple/

With --dynamic, behaviours are findings like the others (sandbox.exec-powershell, sandbox.network-connect,
sandbox.dns-lookup, sandbox.honeypot-read, sandbox.persistence-write, sandbox.pip-install, ...; rules/sandbox/), with
the command line, address or path as evidence, and a sandbox.dynamic-check info finding saying what ran. An sdist's
build dependencies come from --index-url; a wheel's own dependencies too, when it resolves them.`,
    )
    .action(async (paths: string[], options: ScanOptions) => {
      // The scanner (tree-sitter, rules) loads only when this command runs, so other commands start fast.
      const [{ ArtifactScanner }, { expandInputs }, { jsonReport }, { sarifReport }, { tableReport }, { reaches }] = await Promise.all([
        import('../../analyze/artifact.js'),
        import('../../analyze/inputs.js'),
        import('../../analyze/report/json.js'),
        import('../../analyze/report/sarif.js'),
        import('../../analyze/report/table.js'),
        import('../../analyze/verdict.js'),
      ]);
      const inputs = await expandInputs(paths);
      const scanner = await ArtifactScanner.create(options.rules);
      const showProgress = options.progress && process.stderr.isTTY === true && inputs.length >= progressThreshold;
      const dynamic = options.dynamic ? await dynamicChecker(options) : undefined;
      const reports: ArtifactReport[] = [];
      for (const [i, input] of inputs.entries()) {
        if (showProgress) process.stderr.write(progressBar(i, inputs.length, input.path));
        const report = await scanner.scan(input);
        reports.push(dynamic === undefined ? report : await dynamic(input, report));
      }
      if (showProgress) process.stderr.write(`${progressBar(inputs.length, inputs.length, 'done')}\n`);

      const out =
        options.format === 'json'
          ? jsonReport(reports)
          : options.format === 'sarif'
            ? sarifReport(reports, scanner.book, packageVersion())
            : tableReport(reports, { showInfo: options.showInfo === true });
      process.stdout.write(out);
      if (reports.some((r) => reaches(r.verdict, options.failOn))) process.exitCode = 1;
    });
}

/** Runs an artifact's install-time code in the sandbox and folds what it did into the static report. */
async function dynamicChecker(options: ScanOptions): Promise<(input: ScanInput, report: ArtifactReport) => Promise<ArtifactReport>> {
  const [{ sandboxHost }, { BehaviourRulebook }, { checkSdistDynamically, checkWheelDynamically, dynamicCheckFinding }, { decideVerdict }] = await Promise.all([
    import('../../sandbox/host.js'),
    import('../../sandbox/behaviour-rules.js'),
    import('../../sandbox/dynamic.js'),
    import('../../analyze/verdict.js'),
  ]);
  const host = await sandboxHost(options.python ?? process.env.GATEHOUSE_SANDBOX_PYTHON ?? 'python3');
  const settings = { host, indexUrl: indexUrl(options), cacheDir: sandboxCache(options), limits: await limitsFrom(options), rules: BehaviourRulebook.load() };
  return async (input, report) => {
    const outcome =
      input.kind === 'sdist'
        ? await checkSdistDynamically(input.path, settings)
        : input.kind === 'wheel'
          ? await checkWheelDynamically(input.path, settings)
          : undefined;
    const added = outcome === undefined ? [dynamicCheckFinding('not run: the dynamic check runs wheels and sdists; build the tree into an sdist (python -m build --sdist) to check it')] : [dynamicCheckFinding(outcome.summary), ...outcome.findings];
    const findings = [...report.findings, ...added];
    return { ...report, findings, ...decideVerdict(findings) };
  };
}
