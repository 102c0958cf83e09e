/**
 * Provenance for wheels Gatehouse builds: an in-toto v1 statement (https://in-toto.io/Statement/v1) whose subject
 * is the wheel and whose predicate is SLSA build provenance v1 (https://slsa.dev/provenance/v1): the sdist built
 * from, every build dependency with its version, where it came from and its sha256, the sandbox and its limits,
 * the builder and its version. Signed as a DSSE envelope with the gateway's ed25519 key, and checked again here.
 */
import { createHash, randomUUID, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { shippedPath } from '../paths.js';
import type { BuildResult } from '../sandbox/build.js';
import { parseEnvelope, signEnvelope, verifyEnvelope } from './dsse.js';
import { ProvenanceError } from './errors.js';
import type { SigningKey } from './key.js';

export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const SLSA_PROVENANCE = 'https://slsa.dev/provenance/v1';
/** What a Gatehouse sandbox build is; docs/decisions.md describes it (the parameters below are its template). */
export const BUILD_TYPE = 'urn:gatehouse:build-type:sandboxed-sdist:v1';

export interface Digest {
  sha256: string;
}

export interface ResourceDescriptor {
  name?: string;
  uri?: string;
  digest: Digest;
  mediaType?: string;
  /** Base64 of the resource itself, when it is small. */
  content?: string;
  annotations?: Record<string, string>;
}

export interface ProvenanceStatement {
  _type: typeof STATEMENT_TYPE;
  subject: { name: string; digest: Digest }[];
  predicateType: typeof SLSA_PROVENANCE;
  predicate: {
    buildDefinition: {
      buildType: string;
      externalParameters: { sdist: { name: string; digest: Digest }; index: string };
      internalParameters: Record<string, unknown>;
      resolvedDependencies: ResourceDescriptor[];
    };
    runDetails: {
      builder: { id: string; version: Record<string, string> };
      metadata: { invocationId: string; startedOn: string; finishedOn: string };
      byproducts?: ResourceDescriptor[];
    };
  };
}

export function gatehouseVersion(): string {
  return (JSON.parse(readFileSync(shippedPath('package.json'), 'utf8')) as { version: string }).version;
}

/** The statement for a successful build. `builderId` names this gateway (its URL) or machine. */
export function provenanceStatement(build: BuildResult, builderId: string): ProvenanceStatement {
  if (build.status !== 'built' || build.wheel === undefined) throw new Error('provenance is only made for a built wheel');
  const findings = JSON.stringify(build.findings);
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: build.wheel.filename, digest: { sha256: build.wheel.sha256 } }],
    predicateType: SLSA_PROVENANCE,
    predicate: {
      buildDefinition: {
        buildType: BUILD_TYPE,
        externalParameters: { sdist: { name: build.sdist.filename, digest: { sha256: build.sdist.sha256 } }, index: build.indexUrl },
        internalParameters: {
          sandbox: build.sandbox,
          buildSystem: build.buildSystem ?? null,
          requiresForBuild: build.requiresForBuild,
        },
        resolvedDependencies: [
          { name: build.sdist.filename, digest: { sha256: build.sdist.sha256 }, annotations: { role: 'source' } },
          ...build.dependencies.map((d) => ({
            uri: d.url,
            name: d.filename,
            digest: { sha256: d.sha256 },
            annotations: { role: 'build-dependency', project: d.name, version: d.version },
          })),
        ],
      },
      runDetails: {
        builder: { id: builderId, version: { gatehouse: gatehouseVersion(), bubblewrap: build.sandbox.isolation.split(' ')[1] ?? '', python: build.sandbox.python.version } },
        metadata: { invocationId: randomUUID(), startedOn: build.startedOn, finishedOn: build.finishedOn },
        byproducts: [
          { name: 'build.log', digest: { sha256: sha256Text(build.log) }, mediaType: 'text/plain' },
          // What the build tried to do, as the sandbox saw it: the findings themselves, so the statement carries them.
          { name: 'findings.json', digest: { sha256: sha256Text(findings) }, mediaType: 'application/json', content: Buffer.from(findings).toString('base64') },
        ],
      },
    },
  };
}

function sha256Text(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The statement, signed: a DSSE envelope as JSON text, to store beside the wheel. */
export function signProvenance(build: BuildResult, key: SigningKey, builderId: string): string {
  const statement = provenanceStatement(build, builderId);
  const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, Buffer.from(JSON.stringify(statement)), key);
  return `${JSON.stringify(envelope, null, 2)}\n`;
}

export interface VerifiedProvenance {
  statement: ProvenanceStatement;
  keyid: string;
  wheel: { name: string; sha256: string };
  sdist: { name: string; sha256: string };
}

/**
 * Checks a provenance envelope: a signature by `publicKey`, an in-toto v1 statement with a SLSA v1 predicate of our
 * build type, and, when given, that `wheelSha256` is its subject and `sdistSha256` the source it names.
 */
export function verifyProvenance(envelopeText: string, publicKey: KeyObject, expect: { wheelSha256?: string; wheelName?: string; sdistSha256?: string } = {}): VerifiedProvenance {
  const envelope = parseEnvelope(envelopeText);
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE) throw new ProvenanceError('provenance.malformed', `the envelope carries ${envelope.payloadType}, not an in-toto statement`);
  const { payload, keyid } = verifyEnvelope(envelope, publicKey);
  let statement: ProvenanceStatement;
  try {
    statement = JSON.parse(payload.toString('utf8')) as ProvenanceStatement;
  } catch {
    throw new ProvenanceError('provenance.malformed', 'the signed payload is not JSON');
  }
  if (statement?._type !== STATEMENT_TYPE) throw new ProvenanceError('provenance.malformed', `the payload is not an in-toto v1 statement (_type ${String(statement?._type)})`);
  if (statement.predicateType !== SLSA_PROVENANCE) throw new ProvenanceError('provenance.malformed', `the predicate is ${String(statement.predicateType)}, not SLSA provenance v1`);
  const definition = statement.predicate?.buildDefinition;
  if (definition?.buildType !== BUILD_TYPE) throw new ProvenanceError('provenance.malformed', `the build type is ${String(definition?.buildType)}, not a Gatehouse sandbox build`);
  const subject = statement.subject?.[0];
  const sdist = definition.externalParameters?.sdist;
  if (typeof subject?.digest?.sha256 !== 'string' || typeof sdist?.digest?.sha256 !== 'string') throw new ProvenanceError('provenance.malformed', 'the statement names no wheel or no sdist by sha256');
  if (expect.wheelSha256 !== undefined && !statement.subject.some((s) => s.digest?.sha256 === expect.wheelSha256)) {
    throw new ProvenanceError('provenance.subject-mismatch', `the wheel (sha256 ${expect.wheelSha256}) is not the statement's subject (${subject.name}, sha256 ${subject.digest.sha256})`);
  }
  if (expect.wheelName !== undefined && !statement.subject.some((s) => s.name === expect.wheelName)) {
    throw new ProvenanceError('provenance.subject-mismatch', `the statement is about ${subject.name}, not ${expect.wheelName}`);
  }
  if (expect.sdistSha256 !== undefined && sdist.digest.sha256 !== expect.sdistSha256) {
    throw new ProvenanceError('provenance.source-mismatch', `the sdist (sha256 ${expect.sdistSha256}) is not the one the wheel was built from (${sdist.name}, sha256 ${sdist.digest.sha256})`);
  }
  return { statement, keyid, wheel: { name: subject.name, sha256: subject.digest.sha256 }, sdist: { name: sdist.name, sha256: sdist.digest.sha256 } };
}
