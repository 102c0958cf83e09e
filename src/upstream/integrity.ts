/**
 * A file's bytes checked as they stream: every hash its page listed (that Node can compute) and its size, with
 * sha256 always computed, because the gateway stores and serves files by it.
 *
 * The last chunk is held back until the digests are verified. On a mismatch the stream is destroyed with a typed
 * error and the held chunk is never passed on, so whoever reads it (an HTTP response piped from it, a file being
 * written) never has the complete bytes of a file that is not the one listed: a server piping it aborts the
 * connection short of its Content-Length, which pip reports as a broken download, not an installable file.
 * One chunk is held at a time, so memory stays flat whatever the size; backpressure passes through.
 */
import { createHash, getHashes, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { UpstreamIntegrityError, UpstreamUnverifiableFileError, type ErrorSource } from './errors.js';

/** hashlib names (as Simple pages list them) to Node's. */
const NODE_ALGORITHMS: ReadonlyMap<string, string> = new Map([
  ['md5', 'md5'],
  ['sha1', 'sha1'],
  ['sha224', 'sha224'],
  ['sha256', 'sha256'],
  ['sha384', 'sha384'],
  ['sha512', 'sha512'],
  ['blake2b', 'blake2b512'],
  ['blake2s', 'blake2s256'],
  ['sha3_224', 'sha3-224'],
  ['sha3_256', 'sha3-256'],
  ['sha3_384', 'sha3-384'],
  ['sha3_512', 'sha3-512'],
]);

let available: ReadonlySet<string> | undefined;

export interface ExpectedDigest {
  /** As listed (`sha256`). */
  name: string;
  /** Node's name for it (`sha256`, `blake2b512`). */
  algorithm: string;
  hex: string;
}

/**
 * The listed hashes this process can verify. Throws UpstreamUnverifiableFileError when there is none: a file is
 * served only with a hash it was listed with.
 */
export function verifiableDigests(source: ErrorSource, filename: string, hashes: Record<string, string>): ExpectedDigest[] {
  available ??= new Set(getHashes());
  const digests: ExpectedDigest[] = [];
  for (const name of Object.keys(hashes)) {
    const algorithm = NODE_ALGORITHMS.get(name.toLowerCase());
    const hex = hashes[name];
    if (algorithm !== undefined && hex !== undefined && available.has(algorithm)) digests.push({ name: name.toLowerCase(), algorithm, hex: hex.toLowerCase() });
  }
  if (digests.length === 0) {
    const listed = Object.keys(hashes);
    throw new UpstreamUnverifiableFileError(
      source,
      `${filename} is listed with ${listed.length === 0 ? 'no hash' : `only hashes this gateway cannot compute (${listed.join(', ')})`}, so it is not fetched`,
    );
  }
  return digests;
}

export interface VerifiedStreamOptions {
  source: ErrorSource;
  filename: string;
  digests: ExpectedDigest[];
  /** The size the page or Content-Length gives, or null when neither does. */
  expectedSize: number | null;
  /** The most bytes read from a file of unknown size. */
  maxBytes: number;
}

export class VerifiedStream extends Transform {
  /** Bytes read so far. */
  bytes = 0;
  /** The file's sha256 (hex), once the stream has ended verified. */
  sha256: string | undefined;
  private held: Buffer | null = null;
  private readonly hashes: Array<{ digest: ExpectedDigest; hash: Hash }>;
  private readonly sha256Hash: Hash;
  private readonly options: VerifiedStreamOptions;

  constructor(options: VerifiedStreamOptions) {
    super();
    this.options = options;
    this.hashes = options.digests.filter((d) => d.algorithm !== 'sha256').map((digest) => ({ digest, hash: createHash(digest.algorithm) }));
    this.sha256Hash = createHash('sha256');
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    const { expectedSize, maxBytes, filename } = this.options;
    if (expectedSize !== null && this.bytes > expectedSize) {
      callback(this.error('upstream.size-mismatch', `${filename} is longer than the ${expectedSize} bytes it was listed with`));
      return;
    }
    if (this.bytes > maxBytes) {
      callback(this.error('upstream.file-too-large', `${filename} is larger than the ${maxBytes} bytes a file may have`));
      return;
    }
    this.sha256Hash.update(chunk);
    for (const { hash } of this.hashes) hash.update(chunk);
    const previous = this.held;
    this.held = chunk;
    if (previous !== null) this.push(previous);
    callback();
  }

  override _flush(callback: TransformCallback): void {
    const { expectedSize, filename, digests } = this.options;
    if (expectedSize !== null && this.bytes !== expectedSize) {
      this.held = null;
      callback(this.error('upstream.file-truncated', `${filename} ended after ${this.bytes} of the ${expectedSize} bytes it was listed with`));
      return;
    }
    const sha256 = this.sha256Hash.digest('hex');
    const actual = new Map(this.hashes.map(({ digest, hash }) => [digest.name, hash.digest('hex')]));
    for (const digest of digests) {
      const got = digest.algorithm === 'sha256' ? sha256 : actual.get(digest.name);
      if (got !== digest.hex) {
        this.held = null;
        callback(this.error('upstream.hash-mismatch', `${filename} has ${digest.name} ${got}, not the ${digest.hex} it was listed with`));
        return;
      }
    }
    this.sha256 = sha256;
    if (this.held !== null) this.push(this.held);
    this.held = null;
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.held = null;
    callback(error);
  }

  private error(code: ConstructorParameters<typeof UpstreamIntegrityError>[0], message: string): UpstreamIntegrityError {
    return new UpstreamIntegrityError(code, this.options.source, message);
  }
}
