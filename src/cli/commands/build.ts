/**
 * `gatehouse build SDIST`: build a wheel from an sdist in the sandbox (no network, read-only system, limits, traced),
 * with its build log, what the build tried to do (findings), and a signed provenance statement beside the wheel.
 */
import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { Command, Option } from 'commander';
import type { Verdict } from '../../analyze/verdict.js';
import type { BuildResult } from '../../sandbox/build.js';
import { addSandboxOptions, dataDirectory, findingLines, indexUrl, limitsFrom, mebibytes, sandboxCache, seconds, type SandboxCliOptions } from '../sandbox-options.js';

interface BuildCliOptions extends SandboxCliOptions {
  out: string;
  format: 'table' | 'json';
  provenance: boolean;
  builderId?: string;
  failOn: Verdict;
  showInfo?: boolean;
}

/** Exit status when the sdist did not build (1 is kept for findings that reach --fail-on, 2 for usage errors). */
export const BUILD_FAILED_EXIT = 3;

function table(result: BuildResult, extra: { provenance?: string; keyid?: string; publicKey?: string; log: string; verdict: string; reasons: string[] }, showInfo: boolean): string {
  const lines: string[] = [];
  if (result.status === 'built') {
    lines.push(`BUILT   ${result.sdist.filename} -> ${result.wheel!.path}`);
    lines.push(`  wheel sha256: ${result.wheel!.sha256}`);
    if (extra.provenance) lines.push(`  provenance: ${extra.provenance} (DSSE, in-toto SLSA v1; key ${extra.keyid!.slice(0, 16)}…, public key ${extra.publicKey})`);
  } else {
    lines.push(`FAILED  ${result.sdist.filename}: ${result.reason}`);
  }
  lines.push(`  build log: ${extra.log}`);
  if (result.dependencies.length > 0) lines.push(`  build dependencies: ${result.dependencies.map((d) => `${d.name} ${d.version}`).join(', ')} (from ${result.indexUrl})`);
  const run = result.run;
  lines.push(`  sandbox: ${seconds(run.wallTimeMs)}${run.cpuTimeMs !== undefined ? `, ${seconds(run.cpuTimeMs)} CPU` : ''}${run.peakMemoryBytes !== undefined ? `, ${mebibytes(run.peakMemoryBytes)} peak memory` : ''}${result.limitsHit.length > 0 ? `; stopped at ${result.limitsHit.map((h) => h.limit).join(', ')}` : ''}`);
  lines.push(`  behaviour: ${extra.verdict}`);
  for (const reason of extra.reasons) lines.push(`    why: ${reason}`);
  lines.push(...findingLines(result.findings, showInfo));
  return `${lines.join('\n')}\n`;
}

export function registerBuildCommand(program: Command): void {
  const cmd = program
    .command('build')
    .description(
      'Build a wheel from an sdist in the sandbox: build dependencies resolved from the index outside and handed in, no network, ' +
        'a read-only system, limits on time, CPU, memory, processes, disk and output, and every process traced. Prints the wheel, ' +
        'the build log, what the build tried to do, and writes a signed provenance statement beside the wheel.',
    )
    .argument('<sdist>', 'the source distribution (.tar.gz or .zip)')
    .option('--out <dir>', 'where the wheel, its provenance and the build log are written', 'dist')
    .addOption(new Option('--format <format>', 'table for people, json for scripts').choices(['table', 'json']).default('table'))
    .option('--no-provenance', 'do not sign a provenance statement')
    .option('--builder-id <uri>', 'the builder named in provenance (default urn:gatehouse:builder:<hostname>)')
    .addOption(new Option('--fail-on <verdict>', 'exit 1 when the build behaved this badly or worse').choices(['suspicious', 'malicious']).default('malicious'))
    .option('--show-info', 'also list info findings (each program the build ran)');
  addSandboxOptions(cmd)
    .addHelpText(
      'after',
      `
The wheel goes to --out with WHEEL.provenance.json beside it (a DSSE envelope of an in-toto statement with a SLSA v1
build predicate: the sdist's sha256, each build dependency with version and sha256, the sandbox and its limits),
signed with this machine's key (<data>/keys/provenance-ed25519.key, made on first use; the public key is the .pub
beside it). Check it with \`gatehouse verify-provenance\`. The build log goes to --out as SDIST.build.log.

Exit status: 0 built, 1 built but its behaviour reaches --fail-on, 2 usage or input error, 3 the sdist did not build.

Examples:
  gatehouse build mypkg-1.0.tar.gz
  gatehouse build vendor/oldlib-0.3.tar.gz --index-url http://gatehouse.internal/simple/ --time-limit 2m --out wheelhouse
  gatehouse build mypkg-1.0.tar.gz --format json | jq '.findings'`,
    )
    .action(async (sdist: string, opts: BuildCliOptions) => {
      const [{ sandboxHost }, { buildSdist }, { decideVerdict, reaches }, { loadOrCreateSigningKey }, { signProvenance }] = await Promise.all([
        import('../../sandbox/host.js'),
        import('../../sandbox/build.js'),
        import('../../analyze/verdict.js'),
        import('../../sign/key.js'),
        import('../../sign/provenance.js'),
      ]);
      const data = dataDirectory(opts);
      const host = await sandboxHost(opts.python ?? process.env.GATEHOUSE_SANDBOX_PYTHON ?? 'python3');
      const outDir = resolve(opts.out);
      const result = await buildSdist(resolve(sdist), { host, indexUrl: indexUrl(opts), cacheDir: sandboxCache(opts), outDir, limits: await limitsFrom(opts) });
      const logPath = join(outDir, `${result.sdist.filename}.build.log`);
      writeFileSync(logPath, result.log);
      let provenance: string | undefined;
      let key: ReturnType<typeof loadOrCreateSigningKey> | undefined;
      if (result.status === 'built' && opts.provenance) {
        key = loadOrCreateSigningKey(join(data, 'keys'));
        provenance = `${result.wheel!.path}.provenance.json`;
        writeFileSync(provenance, signProvenance(result, key, opts.builderId ?? `urn:gatehouse:builder:${hostname()}`));
      }
      const { verdict, reasons } = decideVerdict(result.findings);
      if (opts.format === 'json') {
        const { log, events, ...rest } = result;
        process.stdout.write(`${JSON.stringify({ ...rest, log: logPath, verdict, reasons, ...(provenance ? { provenance, keyid: key!.keyid, publicKey: key!.publicKeyPath } : {}) }, null, 2)}\n`);
      } else {
        process.stdout.write(table(result, { ...(provenance ? { provenance, keyid: key!.keyid, publicKey: key!.publicKeyPath } : {}), log: logPath, verdict, reasons }, opts.showInfo === true));
      }
      if (result.status !== 'built') process.exitCode = BUILD_FAILED_EXIT;
      else if (reaches(verdict, opts.failOn)) process.exitCode = 1;
    });
}
