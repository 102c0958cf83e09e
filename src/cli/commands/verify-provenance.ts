/**
 * `gatehouse verify-provenance [ENVELOPE] --wheel WHEEL`: check the provenance Gatehouse signed for a wheel it built:
 * the signature, the statement, and that the wheel (and the sdist, if given) are the ones it names.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { InvalidInputError } from '../../errors.js';

interface VerifyOptions {
  wheel?: string;
  sdist?: string;
  key?: string;
  data?: string;
  json?: boolean;
}

/** Exit status when the provenance does not verify. */
const NOT_VERIFIED_EXIT = 1;

export function registerVerifyProvenanceCommand(program: Command): void {
  program
    .command('verify-provenance')
    .description(
      "Verify a wheel's provenance (a DSSE envelope of an in-toto statement with a SLSA v1 predicate, as `gatehouse build` and " +
        'the gateway write it): the ed25519 signature, the statement, and that the wheel and sdist are the ones it names.',
    )
    .argument('[envelope]', 'the provenance file (default: WHEEL.provenance.json)')
    .option('--wheel <file>', 'the wheel the statement must be about (its sha256 and file name are checked)')
    .option('--sdist <file>', 'the sdist it must say the wheel was built from')
    .option('--key <file>', "the builder's public key, PEM (default: <data>/keys/provenance-ed25519.pub)")
    .option('--data <dir>', 'data directory whose key to use (env GATEHOUSE_DATA; default ./gatehouse-data)')
    .option('--json', 'print the verified statement as JSON')
    .addHelpText(
      'after',
      `
Exit status: 0 verified, 1 not verified (a bad signature, another wheel or sdist, a malformed statement), 2 usage
or input error.

Examples:
  gatehouse verify-provenance --wheel dist/mypkg-1.0-py3-none-any.whl
  gatehouse verify-provenance mypkg.provenance.json --wheel mypkg-1.0-py3-none-any.whl --sdist mypkg-1.0.tar.gz --key gatehouse.pub`,
    )
    .action(async (envelopeArg: string | undefined, opts: VerifyOptions) => {
      const [{ readPublicKey }, { verifyProvenance }, { ProvenanceError }, { sha256File }] = await Promise.all([
        import('../../sign/key.js'),
        import('../../sign/provenance.js'),
        import('../../sign/errors.js'),
        import('../../sandbox/build.js'),
      ]);
      const envelopePath = envelopeArg ?? (opts.wheel !== undefined ? `${opts.wheel}.provenance.json` : undefined);
      if (envelopePath === undefined) throw new InvalidInputError('provenance.no-input', 'give the provenance file, or --wheel to use WHEEL.provenance.json');
      if (!existsSync(envelopePath)) throw new InvalidInputError('provenance.no-input', `${envelopePath} does not exist`);
      const keyPath = opts.key ?? join(opts.data ?? process.env.GATEHOUSE_DATA ?? 'gatehouse-data', 'keys', 'provenance-ed25519.pub');
      const publicKey = readPublicKey(keyPath);
      const expect: { wheelSha256?: string; wheelName?: string; sdistSha256?: string } = {};
      for (const [file, what] of [[opts.wheel, 'wheel'], [opts.sdist, 'sdist']] as const) {
        if (file !== undefined && !existsSync(file)) throw new InvalidInputError('provenance.no-input', `the ${what} ${file} does not exist`);
      }
      if (opts.wheel !== undefined) {
        expect.wheelSha256 = await sha256File(opts.wheel);
        expect.wheelName = opts.wheel.split('/').pop()!;
      }
      if (opts.sdist !== undefined) expect.sdistSha256 = await sha256File(opts.sdist);
      try {
        const verified = verifyProvenance(readFileSync(envelopePath, 'utf8'), publicKey, expect);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(verified, null, 2)}\n`);
          return;
        }
        const { builder, metadata } = verified.statement.predicate.runDetails;
        const deps = verified.statement.predicate.buildDefinition.resolvedDependencies.filter((d) => d.annotations?.role === 'build-dependency');
        process.stdout.write(
          [
            `VERIFIED  ${verified.wheel.name} (sha256 ${verified.wheel.sha256})`,
            `  built from ${verified.sdist.name} (sha256 ${verified.sdist.sha256})${opts.sdist ? ', the sdist given' : ''}`,
            `  by ${builder.id} (gatehouse ${builder.version.gatehouse ?? '?'}) on ${metadata.finishedOn}`,
            `  build dependencies: ${deps.map((d) => `${d.annotations?.project} ${d.annotations?.version}`).join(', ') || 'none'}`,
            `  signed by key ${verified.keyid}`,
          ].join('\n') + '\n',
        );
      } catch (err) {
        if (!(err instanceof ProvenanceError)) throw err;
        process.stderr.write(`NOT VERIFIED  ${envelopePath}: ${err.message} [${err.code}]\n`);
        process.exitCode = NOT_VERIFIED_EXIT;
      }
    });
}
