/**
 * Distribution files and their PEP 658 metadata, streamed from the blob store by sha256:
 * `/files/<sha256>/<filename>` and `/files/<sha256>/<filename>.metadata`.
 *
 * As any static file server (RFC 9110): HEAD gives GET's headers, `Range` gives one byte range (206) or 416 when it
 * lies past the end (resumable downloads of large wheels need it), `If-Range` guards the range with the ETag, and
 * `If-None-Match` (a tag or `*`) gives 304. The bytes behind a URL never change, so the ETag is the sha256.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import parseRange from 'range-parser';
import { NotFoundError } from '../../errors.js';
import { StorageError } from '../../store/errors.js';

const SHA256 = /^[0-9a-f]{64}$/;

function contentTypeOf(filename: string): string {
  if (filename.endsWith('.whl') || filename.endsWith('.zip')) return 'application/zip';
  if (filename.endsWith('.tar.gz')) return 'application/gzip';
  if (filename.endsWith('.tar.bz2')) return 'application/x-bzip2';
  return 'application/octet-stream';
}

/** RFC 9110 13.1.2: `*` matches any current representation; tags compare weakly. */
function noneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  if (header.trim() === '*') return true;
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag);
}

/** RFC 9110 13.1.5: the range applies only when If-Range is absent or names the current ETag (strongly). */
function ifRangeHolds(header: string | undefined, etag: string): boolean {
  return header === undefined || header.trim() === etag;
}

export async function fileRoutes(app: FastifyInstance): Promise<void> {
  const { storage, metrics } = app.services;

  const serve = async (request: FastifyRequest<{ Params: { sha256: string; filename: string } }>, reply: FastifyReply) => {
    const { sha256, filename } = request.params;
    const notFound = () => new NotFoundError('files.unknown', `no file ${filename} with sha256 ${sha256} is stored here`);
    if (!SHA256.test(sha256)) throw notFound();

    const isMetadata = filename.endsWith('.metadata');
    const distName = isMetadata ? filename.slice(0, -'.metadata'.length) : filename;
    const file = await storage.hosted.fileBySha256(sha256, distName);
    if (!file) throw notFound();
    const blobSha = isMetadata ? file.metadata_sha256 : file.sha256;
    if (!blobSha) throw notFound();

    const size = await storage.blobs.size(blobSha);
    if (size === null) {
      // A row without its bytes breaks the store's first rule: the server's fault, and worth an operator's look.
      throw new StorageError('storage.blob-missing', `${filename} is listed, but its bytes are missing from the blob store`, { status: 500 });
    }
    const etag = `"${blobSha}"`;
    reply
      .header('content-type', isMetadata ? 'text/plain; charset=utf-8' : contentTypeOf(filename))
      .header('etag', etag)
      .header('accept-ranges', 'bytes')
      // Content-addressed: the bytes behind this URL never change.
      .header('cache-control', 'public, max-age=31536000, immutable');
    if (noneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();

    let range: { start: number; end: number } | undefined;
    const rangeHeader = request.headers.range;
    if (rangeHeader !== undefined && ifRangeHolds(request.headers['if-range'] as string | undefined, etag)) {
      const parsed = parseRange(size, rangeHeader, { combine: true });
      if (parsed === -1) {
        return reply.code(416).header('content-range', `bytes */${size}`).header('content-length', '0').send();
      }
      // A malformed header, another unit, or several ranges: the whole file (RFC 9110 allows ignoring Range).
      if (parsed !== -2 && parsed.type === 'bytes' && parsed.length === 1) range = parsed[0];
    }
    const length = range ? range.end - range.start + 1 : size;
    reply.header('content-length', String(length));
    if (range) reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`);
    // An empty body keeps the Content-Length set above (Fastify resets it only for a missing body): HEAD gives GET's headers.
    if (request.method === 'HEAD') return reply.send('');
    metrics.downloads.inc({ kind: isMetadata ? 'metadata' : 'distribution' });
    return reply.send(storage.blobs.openRead(blobSha, range));
  };
  app.get('/files/:sha256/:filename', { exposeHeadRoute: false }, serve);
  app.head('/files/:sha256/:filename', serve);
}
