/**
 * Distribution files and their PEP 658 metadata, streamed from the blob store
 * by sha256: `/files/<sha256>/<filename>` and `/files/<sha256>/<filename>.metadata`.
 */
import type { FastifyInstance } from 'fastify';
import { NotFoundError } from '../../errors.js';

const SHA256 = /^[0-9a-f]{64}$/;

function contentTypeOf(filename: string): string {
  if (filename.endsWith('.whl') || filename.endsWith('.zip')) return 'application/zip';
  if (filename.endsWith('.tar.gz')) return 'application/gzip';
  if (filename.endsWith('.tar.bz2')) return 'application/x-bzip2';
  return 'application/octet-stream';
}

export async function fileRoutes(app: FastifyInstance): Promise<void> {
  const { storage, metrics } = app.services;

  app.get<{ Params: { sha256: string; filename: string } }>('/files/:sha256/:filename', async (request, reply) => {
    const { sha256, filename } = request.params;
    const notFound = () => new NotFoundError('files.unknown', `no file ${filename} with sha256 ${sha256} is stored here`);
    if (!SHA256.test(sha256)) throw notFound();

    const isMetadata = filename.endsWith('.metadata');
    const distName = isMetadata ? filename.slice(0, -'.metadata'.length) : filename;
    const file = await storage.hosted.fileBySha256(sha256, distName);
    if (!file) throw notFound();

    const blobSha = isMetadata ? file.metadata_sha256 : file.sha256;
    const size = isMetadata ? file.metadata_size : file.size;
    if (!blobSha || size === null) throw notFound();

    reply
      .header('content-type', isMetadata ? 'text/plain; charset=utf-8' : contentTypeOf(filename))
      .header('content-length', String(size))
      .header('etag', `"${blobSha}"`)
      // Content-addressed: the bytes behind this URL never change.
      .header('cache-control', 'public, max-age=31536000, immutable');
    const inm = request.headers['if-none-match'];
    if (inm && inm.includes(`"${blobSha}"`)) return reply.code(304).send();
    metrics.downloads.inc({ kind: isMetadata ? 'metadata' : 'distribution' });
    if (request.method === 'HEAD') return reply.send();
    return reply.send(storage.blobs.openRead(blobSha));
  });
}
