/**
 * The small files that accompany a distribution on an index: its core metadata (PEP 658, at the file's URL with
 * `.metadata` appended) and its provenance (PEP 740, at the URL its page gives). Read whole and bounded, from the
 * same hosts as files, and checked against the hashes the page lists for them when it lists any.
 */
import { createHash } from 'node:crypto';
import type { SimpleFile } from '../pep/simple.js';
import { BodyTooLargeError, readDocumentBody } from './body.js';
import { UpstreamHostRefusedError, UpstreamIntegrityError, UpstreamRefusedError } from './errors.js';
import { emit, type RequestKind, type UpstreamEvents } from './events.js';
import { verifiableDigests } from './integrity.js';
import type { UpstreamTransport } from './transport.js';

/** Metadata files are a few KB; a long description makes some hundreds. */
const MAX_COMPANION_BYTES = 16 * 1024 * 1024;

export interface CompanionFile {
  bytes: Buffer;
  /** Whether the bytes matched a hash the page listed (false when it listed none). */
  verified: boolean;
}

async function fetchCompanion(transport: UpstreamTransport, events: UpstreamEvents, kind: RequestKind, what: string, url: URL, hashes: Record<string, string> | null): Promise<CompanionFile | null> {
  const upstream = transport.upstream;
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !upstream.servesFilesFrom(url)) {
    throw new UpstreamHostRefusedError(transport, `${what} is at ${url.protocol}//${url.host}, which is neither the index's host nor an allowed file host`);
  }
  const digests = hashes === null ? [] : verifiableDigests(transport, what, hashes);
  const bytes = await transport.exchange(
    {
      url,
      kind,
      headers: { accept: '*/*', 'accept-encoding': 'identity' },
      redirect: (_from, to) => (upstream.servesFilesFrom(to) ? null : `${to.host} is neither the index's host nor an allowed file host`),
    },
    async (response) => {
      if (response.status === 404 || response.status === 410) {
        await response.body.dump();
        return null;
      }
      if (response.status !== 200) {
        await response.body.dump();
        throw new UpstreamRefusedError(transport, response.status, `${what}: ${transport.redactor.url(response.url)} answered ${response.status} ${response.statusText}`.trim());
      }
      try {
        return await readDocumentBody(response.body, undefined, MAX_COMPANION_BYTES, (received) => emit(events.onBytes, { upstream: upstream.name, kind, bytes: received }));
      } catch (error) {
        if (error instanceof BodyTooLargeError) throw new UpstreamIntegrityError('upstream.file-too-large', transport, `${what} is ${error.message}`);
        throw error;
      }
    },
  );
  if (bytes === null) return null;
  for (const digest of digests) {
    const actual = createHash(digest.algorithm).update(bytes).digest('hex');
    if (actual !== digest.hex) {
      throw new UpstreamIntegrityError('upstream.hash-mismatch', transport, `${what} has ${digest.name} ${actual}, not the ${digest.hex} it was listed with`);
    }
  }
  return { bytes, verified: digests.length > 0 };
}

/**
 * A file's core metadata, when its page says it has one (PEP 658/714); null when the page does not, or the
 * upstream answers 404. Verified against the listed hash; unverified (`verified: false`) when the page lists none.
 */
export function fetchCoreMetadata(transport: UpstreamTransport, events: UpstreamEvents, file: SimpleFile): Promise<CompanionFile | null> {
  if (file.coreMetadata === undefined || file.coreMetadata === false) return Promise.resolve(null);
  const hashes = file.coreMetadata === true ? null : file.coreMetadata;
  return fetchCompanion(transport, events, 'metadata', `the metadata of ${file.filename}`, new URL(`${file.url}.metadata`), hashes);
}

/** A file's PEP 740 provenance object, when its page gives a URL for one; null otherwise or on 404. Never hashed. */
export function fetchProvenance(transport: UpstreamTransport, events: UpstreamEvents, file: SimpleFile): Promise<CompanionFile | null> {
  if (file.provenance === undefined) return Promise.resolve(null);
  return fetchCompanion(transport, events, 'provenance', `the provenance of ${file.filename}`, new URL(file.provenance), null);
}
