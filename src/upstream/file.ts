/**
 * Fetching one file an upstream page lists, as a stream that is verified while it flows (integrity.ts).
 *
 * The file's URL, and every redirect from it, must stay on the upstream's own host or one of its allowed file
 * hosts: a page or a redirect pointing elsewhere (a cloud metadata address, an internal service) is refused before
 * any byte is asked for. Retries happen only until the response headers: once the caller has the stream, a failure
 * destroys it with a typed error instead.
 */
import { discard } from './body.js';
import { UpstreamFileNotFoundError, UpstreamHostRefusedError, UpstreamIntegrityError, UpstreamRefusedError, UpstreamUnavailableError } from './errors.js';
import { emit, type UpstreamEvents } from './events.js';
import { VerifiedStream, verifiableDigests } from './integrity.js';
import { describeNetworkError, isTimeout, type UpstreamTransport } from './transport.js';

/** What a page said about a file: the fields of a SimpleFile that fetching needs. */
export interface ListedFile {
  filename: string;
  url: string;
  hashes: Record<string, string>;
  /** PEP 700 size; 0 or absent when the page does not give it. */
  size?: number;
}

export interface FileFetchOptions {
  /** The most bytes read from a file whose size neither the page nor Content-Length gives. */
  maxBytes: number;
  signal?: AbortSignal;
}

export interface UpstreamFile {
  /**
   * The verified bytes. It ends only when every listed hash matched, and is destroyed with an
   * UpstreamIntegrityError (hash, size, truncation) or UpstreamUnavailableError (a stall) otherwise; `sha256` is set
   * once it has ended.
   */
  body: VerifiedStream;
  /** The size the bytes will have: listed, or from Content-Length; null when neither says. */
  size: number | null;
  /** Where the bytes came from after redirects, redacted, for logs. */
  url: string;
}

export async function fetchListedFile(transport: UpstreamTransport, events: UpstreamEvents, file: ListedFile, options: FileFetchOptions): Promise<UpstreamFile> {
  const upstream = transport.upstream;
  const redactor = transport.redactor;
  let url: URL;
  try {
    url = new URL(file.url);
  } catch {
    throw new UpstreamHostRefusedError(transport, `the URL of ${file.filename} is not a valid URL`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UpstreamHostRefusedError(transport, `${file.filename} is at a ${url.protocol} URL; only http and https are fetched`);
  }
  if (!upstream.servesFilesFrom(url)) {
    throw new UpstreamHostRefusedError(transport, `${file.filename} is on ${url.host}, which is neither the index's host nor an allowed file host`);
  }
  const digests = verifiableDigests(transport, file.filename, file.hashes);
  const listedSize = file.size !== undefined && file.size > 0 ? file.size : null;
  if (listedSize !== null && listedSize > options.maxBytes) {
    throw new UpstreamIntegrityError('upstream.file-too-large', transport, `${file.filename} is listed with ${listedSize} bytes, more than the ${options.maxBytes} a file may have`);
  }

  const response = await transport.exchange(
    {
      url,
      kind: 'file',
      // The bytes as stored, never re-encoded in transit: they are what the hash is of.
      headers: { accept: '*/*', 'accept-encoding': 'identity' },
      redirect: (_from, to) => (upstream.servesFilesFrom(to) ? null : `${to.host} is neither the index's host nor an allowed file host`),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    },
    async (answer) => {
      if (answer.status === 200) return answer;
      await answer.body.dump();
      if (answer.status === 404 || answer.status === 410) {
        throw new UpstreamFileNotFoundError(transport, `${file.filename} is listed but ${redactor.url(answer.url)} answered ${answer.status}`);
      }
      throw new UpstreamRefusedError(transport, answer.status, `${redactor.url(answer.url)} answered ${answer.status} ${answer.statusText}`.trim());
    },
  );

  const lengthHeader = response.headers['content-length'];
  const contentLength = typeof lengthHeader === 'string' && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : null;
  const refuse = (error: Error): never => {
    discard(response.body);
    throw error;
  };
  if (listedSize !== null && contentLength !== null && contentLength !== listedSize) {
    refuse(new UpstreamIntegrityError('upstream.size-mismatch', transport, `${file.filename} is listed with ${listedSize} bytes, but its Content-Length is ${contentLength}`));
  }
  const size = listedSize ?? contentLength;
  if (size !== null && size > options.maxBytes) {
    refuse(new UpstreamIntegrityError('upstream.file-too-large', transport, `${file.filename} has ${size} bytes, more than the ${options.maxBytes} a file may have`));
  }

  const body = new VerifiedStream({ source: transport, filename: file.filename, digests, expectedSize: size, maxBytes: options.maxBytes });
  const source = response.body;
  source.on('error', (error) => {
    if (body.destroyed) return;
    const reason = describeNetworkError(error, transport.timeouts, redactor);
    transport.bodyFailed('file', `${reason} (GET ${redactor.url(response.url)})`);
    body.destroy(
      isTimeout(error)
        ? new UpstreamUnavailableError(transport, `${file.filename}: ${reason} after ${body.bytes} bytes`, { timedOut: true })
        : new UpstreamIntegrityError('upstream.file-truncated', transport, `${file.filename} broke off after ${body.bytes} bytes: ${reason}`),
    );
  });
  body.on('close', () => {
    emit(events.onBytes, { upstream: upstream.name, kind: 'file', bytes: body.bytes });
    if (!source.destroyed && !source.readableEnded) source.destroy();
  });
  source.pipe(body);
  return { body, size, url: redactor.url(response.url) };
}
