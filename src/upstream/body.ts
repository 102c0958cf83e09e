/**
 * Reading a whole response body that is a document (a project page, a JSON API answer): decompressed as its
 * Content-Encoding says, and bounded both before and after decompression, so neither a huge page nor a small
 * compression bomb can take the memory.
 */
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate, type Gunzip } from 'node:zlib';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`larger than ${limit} bytes`);
  }
}

export class UnsupportedEncodingError extends Error {
  constructor(readonly encoding: string) {
    super(`content encoding ${JSON.stringify(encoding)} is not supported`);
  }
}

export class CorruptEncodingError extends Error {
  constructor(readonly encoding: string, cause: Error) {
    super(`its ${encoding} body cannot be decompressed (${cause.message})`);
  }
}

/**
 * Drops a response body that will not be read, and its connection. undici's body emits an error when destroyed
 * before its end; that error is expected here, so it is listened for and ignored.
 */
export function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

/** What we ask documents to be compressed with: what Node can undo. */
export const ACCEPT_ENCODING = 'gzip, br, deflate';

function decompressor(encoding: string): Gunzip | ReturnType<typeof createBrotliDecompress> | ReturnType<typeof createInflate> | null {
  switch (encoding) {
    case '':
    case 'identity':
      return null;
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'br':
      return createBrotliDecompress();
    case 'deflate':
      return createInflate();
    default:
      throw new UnsupportedEncodingError(encoding);
  }
}

/**
 * The body's bytes, decoded from `contentEncoding`. Throws BodyTooLargeError when the body as sent or as decoded
 * passes `maxBytes`, UnsupportedEncodingError for an encoding we did not ask for, and the stream's own error when
 * the connection fails, CorruptEncodingError when the body does not decompress. `onReceived` is told the bytes as
 * sent.
 */
export async function readDocumentBody(body: Readable, contentEncoding: string | undefined, maxBytes: number, onReceived: (bytes: number) => void): Promise<Buffer> {
  const encodings = (contentEncoding ?? '')
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
  if (encodings.length > 1) {
    discard(body);
    throw new UnsupportedEncodingError(encodings.join(', '));
  }
  let decoder: ReturnType<typeof decompressor>;
  try {
    decoder = decompressor(encodings[0] ?? '');
  } catch (error) {
    discard(body);
    throw error;
  }
  let received = 0;
  const countSent = async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of source) {
        received += chunk.length;
        if (received > maxBytes) throw new BodyTooLargeError(maxBytes);
        yield chunk;
      }
    } finally {
      onReceived(received);
    }
  };
  const chunks: Buffer[] = [];
  let total = 0;
  const collect = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) {
      total += chunk.length;
      if (total > maxBytes) throw new BodyTooLargeError(maxBytes);
      chunks.push(chunk);
    }
  };
  if (decoder === null) await pipeline(body, countSent, collect);
  else {
    let decoderError: Error | undefined;
    decoder.once('error', (error) => (decoderError = error));
    try {
      await pipeline(body, countSent, decoder, collect);
    } catch (error) {
      // The decoder's own failure is a corrupt body; anything else (the connection) passes on as it is.
      if (error === decoderError && !(error instanceof BodyTooLargeError)) throw new CorruptEncodingError(encodings[0] as string, error as Error);
      throw error;
    }
  }
  return Buffer.concat(chunks, total);
}
