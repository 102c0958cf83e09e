/**
 * Distribution files and their companions, hosted or proxied, by sha256: `/files/<sha256>/<filename>`, with
 * `<filename>.metadata` (PEP 658) and `<filename>.provenance` (PEP 740) beside them.
 *
 * As any static file server (RFC 9110): HEAD gives GET's headers, `Range` gives one byte range (206) or 416 when it
 * lies past the end (resumable downloads of large wheels need it), `If-Range` guards the range with the ETag, and
 * `If-None-Match` (a tag or `*`) gives 304. The bytes behind a URL never change, so the ETag is the sha256.
 *
 * A wheel built here from an sdist (config `[build]`, `rebuilt`) is served from the built-wheel store by its own
 * sha256, with its signed provenance (a DSSE envelope with an in-toto SLSA statement) beside it as
 * `<filename>.provenance.json`; the public key that verifies it is `/keys/provenance-ed25519.pub` (routes/keys.ts).
 *
 * An upstream file not cached yet streams from its upstream on its first GET, checked against its listed hash as it
 * flows (index/proxied-files.ts); a range or HEAD of such a file is answered from what its page lists (a range is
 * ignored, as RFC 9110 allows, and the whole file is sent).
 */
import { createReadStream, statSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import parseRange from 'range-parser';
import { NotFoundError } from '../../errors.js';
import type { ProxiedFile } from '../../index/proxied-files.js';
import type { ServeGate } from '../../index/serve-gate.js';
import { StorageError } from '../../store/errors.js';

const SHA256 = /^[0-9a-f]{64}$/;
type Companion = 'metadata' | 'provenance' | 'built-provenance';

function contentTypeOf(filename: string, companion: Companion | null): string {
  if (companion === 'metadata') return 'text/plain; charset=utf-8';
  if (companion === 'provenance' || companion === 'built-provenance') return 'application/json';
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

/** What a URL resolves to: a stored blob, a file of the built-wheel store, or an upstream file that is not cached yet. */
type Target = { kind: 'blob'; sha256: string } | { kind: 'built'; path: string; etag: string } | { kind: 'upstream'; found: Extract<ProxiedFile, { kind: 'listed' }> };

export async function fileRoutes(app: FastifyInstance, options: { gate?: ServeGate } = {}): Promise<void> {
  const { storage, metrics, gateway, wheels } = app.services;
  const gate = options.gate ?? gateway.gate;

  const locate = async (sha256: string, filename: string, companion: Companion | null): Promise<Target> => {
    if (companion === 'built-provenance') {
      const built = wheels.builds.built(sha256);
      if (built?.filename !== filename || built.provenancePath === undefined) throw new NotFoundError('files.no-companion', `${filename} with sha256 ${sha256} was not built here, so it has no provenance here`);
      return { kind: 'built', path: built.provenancePath, etag: `"${sha256}.provenance"` };
    }
    if (companion === null) {
      const built = await wheels.gate.builtFile(sha256, filename);
      if (built !== undefined) {
        if (built.admission.contentCheck) await built.admission.contentCheck(built.path);
        return { kind: 'built', path: built.path, etag: `"${sha256}"` };
      }
    }
    const hosted = await storage.hosted.fileBySha256(sha256, filename);
    if (hosted) {
      const blob = companion === null ? hosted.sha256 : companion === 'metadata' ? hosted.metadata_sha256 : null;
      if (!blob) throw new NotFoundError('files.no-companion', `${filename} has no ${companion} here`);
      if (companion === null) {
        const file = { filename, url: '', hashes: { sha256 }, yanked: hosted.yanked === 1, size: hosted.size, uploadTime: hosted.upload_time };
        const admission = await gate.file({ source: 'hosted', project: hosted.project_name, file });
        const path = storage.blobs.localPath?.(sha256);
        if (admission.contentCheck && path !== undefined) await admission.contentCheck(path);
      }
      return { kind: 'blob', sha256: blob };
    }
    const found = await gateway.files.find(sha256, filename);
    if (companion !== null) {
      const blob = await gateway.files.companion(found, companion);
      if (!blob) {
        throw new NotFoundError('files.no-companion', `${filename} has no ${companion === 'metadata' ? 'METADATA (PEP 658)' : 'provenance (PEP 740)'} here or upstream`);
      }
      return { kind: 'blob', sha256: blob.sha256 };
    }
    if (found.kind === 'cached') {
      const { row } = found;
      const file = { filename: row.filename, url: '', hashes: { sha256: row.sha256 }, yanked: false as const, size: row.size, ...(row.upload_time ? { uploadTime: row.upload_time } : {}) };
      await gateway.files.admit(found, file, gate);
      return { kind: 'blob', sha256: row.sha256 };
    }
    return { kind: 'upstream', found };
  };

  const serve = async (request: FastifyRequest<{ Params: { sha256: string; filename: string } }>, reply: FastifyReply) => {
    const { sha256, filename } = request.params;
    if (!SHA256.test(sha256)) throw new NotFoundError('files.unknown', `no file ${filename} with sha256 ${sha256} is stored here`);
    const companion: Companion | null = filename.endsWith('.metadata')
      ? 'metadata'
      : filename.endsWith('.provenance')
        ? 'provenance'
        : filename.endsWith('.whl.provenance.json')
          ? 'built-provenance'
          : null;
    const distName = companion === null ? filename : filename.slice(0, -{ metadata: '.metadata', provenance: '.provenance', 'built-provenance': '.provenance.json' }[companion].length);
    const target = await locate(sha256, distName, companion);
    const kind = companion === 'built-provenance' ? 'provenance' : (companion ?? 'distribution');

    reply
      .header('content-type', contentTypeOf(distName, companion))
      // Content-addressed: the bytes behind this URL never change.
      .header('cache-control', 'public, max-age=31536000, immutable');

    if (target.kind === 'upstream') {
      const etag = `"${sha256}"`;
      reply.header('etag', etag);
      if (noneMatch(request.headers['if-none-match'], etag)) return reply.code(304).send();
      const listedSize = target.found.file.size > 0 ? target.found.file.size : null;
      if (request.method === 'HEAD') {
        if (listedSize !== null) reply.header('content-length', String(listedSize));
        return reply.send('');
      }
      const opened = await gateway.files.open(target.found, gate);
      if (opened.size !== null) reply.header('content-length', String(opened.size));
      metrics.downloads.inc({ kind });
      return reply.send(opened.body);
    }

    const size = target.kind === 'built' ? statSync(target.path).size : await storage.blobs.size(target.sha256);
    if (size === null) {
      // A row without its bytes breaks the store's first rule: the server's fault, and worth an operator's look.
      throw new StorageError('storage.blob-missing', `${filename} is listed, but its bytes are missing from the blob store`, { status: 500 });
    }
    const etag = target.kind === 'built' ? target.etag : `"${target.sha256}"`;
    reply.header('etag', etag).header('accept-ranges', 'bytes');
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
    metrics.downloads.inc({ kind });
    if (target.kind === 'built') return reply.send(createReadStream(target.path, range ?? {}));
    return reply.send(storage.blobs.openRead(target.sha256, range));
  };
  app.get('/files/:sha256/:filename', { exposeHeadRoute: false }, serve);
  app.head('/files/:sha256/:filename', serve);
}
