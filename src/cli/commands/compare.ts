/**
 * `gatehouse compare WHEEL SDIST`: rebuild the wheel from its sdist in the sandbox and say whether the published
 * wheel is what the source builds, file by file, after normalizing what legitimately varies between builds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import { addSandboxOptions, dataDirectory, findingLines, indexUrl, limitsFrom, sandboxCache, type SandboxCliOptions } from '../sandbox-options.js';
import { BUILD_FAILED_EXIT } from './build.js';

interface CompareCliOptions extends SandboxCliOptions {
  format: 'table' | 'json';
  showInfo?: boolean;
}

export function registerCompareCommand(program: Command): void {
  const cmd = program
    .command('compare')
    .description(
      'Rebuild a wheel from its sdist in the sandbox and compare the two file by file: files only in the published wheel, ' +
        'Python files whose content differs, metadata (an added Requires-Dist), entry points and .pth files the source does not ' +
        'produce. Timestamps, RECORD, the WHEEL generator, line endings and generated version files are normalized, and the ' +
        'report says which normalizations applied; compiled files are listed as not rebuilt.',
    )
    .argument('<wheel>', 'the published wheel (.whl)')
    .argument('<sdist>', 'its source distribution (.tar.gz or .zip)')
    .addOption(new Option('--format <format>', 'table for people, json for scripts').choices(['table', 'json']).default('table'))
    .option('--show-info', "also list the build's info findings");
  addSandboxOptions(cmd)
    .addHelpText(
      'after',
      `
The rebuilt wheel is kept in <data>/sandbox/built/<sdist sha256>/ with its signed provenance and build log, and the
comparison in <data>/sandbox/comparisons/; comparing another wheel with the same sdist reuses that build.

Exit status: 0 the wheel matches its source, 1 it differs, 2 usage or input error, 3 the sdist did not build here.

Examples:
  gatehouse compare idna-3.20-py3-none-any.whl idna-3.20.tar.gz
  gatehouse compare vendor/*.whl vendor/pkg-1.0.tar.gz --index-url http://gatehouse.internal/simple/ --format json`,
    )
    .action(async (wheel: string, sdist: string, opts: CompareCliOptions) => {
      const [{ sandboxHost }, { rebuildAndCompare }, { BuiltWheelStore }, { loadOrCreateSigningKey }, { signProvenance }, { SandboxInputError }] = await Promise.all([
        import('../../sandbox/host.js'),
        import('../../sandbox/rebuild.js'),
        import('../../sandbox/built-store.js'),
        import('../../sign/key.js'),
        import('../../sign/provenance.js'),
        import('../../sandbox/errors.js'),
      ]);
      if (!/\.whl$/i.test(wheel)) throw new SandboxInputError('sandbox.input-unsupported', `${wheel} is not a wheel (.whl)`);
      const data = dataDirectory(opts);
      const cacheDir = sandboxCache(opts);
      const host = await sandboxHost(opts.python ?? process.env.GATEHOUSE_SANDBOX_PYTHON ?? 'python3');
      const key = loadOrCreateSigningKey(join(data, 'keys'));
      const scratch = mkdtempSync(join(tmpdir(), 'gatehouse-compare-'));
      const check = await rebuildAndCompare(resolve(wheel), resolve(sdist), {
        host,
        indexUrl: indexUrl(opts),
        cacheDir,
        outDir: scratch,
        limits: await limitsFrom(opts),
        store: new BuiltWheelStore(join(data, 'sandbox')),
        attest: (build) => signProvenance(build, key, `urn:gatehouse:builder:${hostname()}`),
      }).finally(() => rmSync(scratch, { recursive: true, force: true }));
      if (opts.format === 'json') {
        const { build, ...rest } = check;
        const { log, events, ...buildRecord } = build;
        process.stdout.write(`${JSON.stringify({ ...rest, build: buildRecord }, null, 2)}\n`);
      } else {
        const label = { matches: 'MATCHES', differs: 'DIFFERS', 'not-rebuilt': 'NOT REBUILT' }[check.decision];
        const lines = [`${label.padEnd(11)} ${check.published.filename} against ${check.build.sdist.filename}`, `  ${check.reason}`];
        if (check.comparison !== undefined) {
          for (const d of check.comparison.differences) lines.push(`  ${d.severity.padEnd(8)} ${d.kind.padEnd(20)} ${d.detail}`);
          // A match's reason already names them.
          if (check.decision === 'differs') lines.push(`  normalized: ${check.comparison.normalizations.join(', ')}`);
          if (check.comparison.unverifiedBinaries.length > 0) lines.push(`  compiled, not rebuilt: ${check.comparison.unverifiedBinaries.join(', ')}`);
        }
        if (check.stored?.wheel) lines.push(`  rebuilt wheel: ${check.stored.wheel}${check.stored.provenance ? ` (provenance ${check.stored.provenance})` : ''}`);
        const behaviour = check.build.findings;
        if (behaviour.length > 0) lines.push('  the build in the sandbox:', ...findingLines(behaviour, opts.showInfo === true).map((l) => `  ${l}`));
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      process.exitCode = check.decision === 'matches' ? 0 : check.decision === 'differs' ? 1 : BUILD_FAILED_EXIT;
    });
}
