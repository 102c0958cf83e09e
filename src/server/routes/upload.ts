/**
 * `POST /legacy/`: the upload API that twine, poetry and uv publish to
 * (multipart form, `:action=file_upload`, Basic auth `__token__:<token>`).
 *
 * The file streams to a temporary file while its digests are computed; then
 * the checks in index/upload.ts run; only when all pass is the blob moved
 * under its sha256 and the row committed. Any refusal leaves nothing behind.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import { GatehouseError } from '../../errors.js';
import { checkArchive, checkDigests, checkFilename, checkForm, UploadError, type UploadForm } from '../../index/upload.js';
import type { TempFile } from '../../store/blobs.js';
import { authenticate, requireUploadScope } from '../auth.js';

function humanBytes(bytes: number): string {
  for (const [unit, size] of [['GiB', 1024 ** 3], ['MiB', 1024 ** 2], ['KiB', 1024]] as const) {
    if (bytes >= size) return `${Number((bytes / size).toFixed(1))} ${unit}`;
  }
  return `${bytes} bytes`;
}

/** Turns the multipart parser's errors into refusals that name the reason. */
function multipartError(err: unknown, maxFileSize: number): GatehouseError {
  if (err instanceof GatehouseError) return err;
  const code = (err as { code?: string }).code;
  const message = (err as Error).message;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new UploadError('upload.too-large', `file too large: the limit is ${humanBytes(maxFileSize)}`, 413);
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new UploadError('upload.not-multipart', 'the upload must be a multipart/form-data request', 415);
    case 'FST_PARTS_LIMIT':
    case 'FST_FILES_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new UploadError('upload.form-too-large', `malformed upload: ${message}`, 413);
    default:
      return new UploadError('upload.malformed', `malformed or truncated multipart upload: ${message}`);
  }
}

/**
 * All form fields together (metadata, the long description) may take this
 * much memory; each field alone is capped by the multipart limits.
 */
const MAX_FORM_BYTES = 8 * 1024 * 1024;

async function receive(
  request: FastifyRequest,
  writeTemp: (part: Multipart & { type: 'file' }) => Promise<TempFile>,
): Promise<{ form: UploadForm; file: TempFile | null; filename: string | null }> {
  const form: UploadForm = new Map();
  let file: TempFile | null = null;
  let filename: string | null = null;
  let formBytes = 0;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (part.fieldname === 'content' && file === null) {
        filename = part.filename;
        file = await writeTemp(part);
      } else {
        // Signatures and other attachments are not used; drain them.
        part.file.resume();
        await new Promise((resolve) => part.file.on('end', resolve));
      }
    } else {
      const value = String(part.value);
      formBytes += part.fieldname.length + value.length;
      if (formBytes > MAX_FORM_BYTES) {
        throw new UploadError('upload.form-too-large', `the form fields exceed ${MAX_FORM_BYTES / 1024 / 1024} MiB in total`, 413);
      }
      const values = form.get(part.fieldname) ?? [];
      values.push(value);
      form.set(part.fieldname, values);
    }
  }
  return { form, file, filename };
}

export async function uploadRoutes(app: FastifyInstance): Promise<void> {
  const { storage, config, metrics } = app.services;

  const upload = async (request: FastifyRequest) => {
    const token = await authenticate(storage.tokens, request.headers.authorization);
    let temp: TempFile | null = null;
    try {
      let received: Awaited<ReturnType<typeof receive>>;
      try {
        received = await receive(request, async (part) => {
          temp = await storage.blobs.writeTemp(part.file);
          return temp;
        });
      } catch (err) {
        throw multipartError(err, config.upload.maxFileSize);
      }
      const { form, file, filename } = received;
      const { projectName, displayName, version } = checkForm(form);
      requireUploadScope(token, projectName);
      if (!file || !filename) throw new UploadError('upload.no-file', "the upload has no file in its 'content' field");
      if (file.size === 0) throw new UploadError('upload.empty', 'the uploaded file is empty');
      const dist = checkFilename(filename, projectName, version);
      const existing = await storage.hosted.fileByName(filename);
      if (existing) {
        throw new UploadError('upload.file-exists', `File already exists ('${filename}', with sha256 hash '${existing.sha256}'); a filename can be used only once`);
      }
      checkDigests(form, file);
      const { metadata, metadataBytes } = await checkArchive(file.path, dist);

      await storage.blobs.commit(file.path, file.sha256);
      temp = null;
      const metadataBlob = metadataBytes ? await storage.blobs.putBytes(metadataBytes) : null;
      const added = await storage.hosted.addFile({
        projectName,
        displayName,
        filename,
        version: version.toString(),
        kind: dist.kind,
        sha256: file.sha256,
        md5: file.md5,
        blake2b_256: file.blake2b_256,
        size: file.size,
        requiresPython: metadata.requiresPython ?? null,
        metadataSha256: metadataBlob?.sha256 ?? null,
        metadataSize: metadataBlob?.size ?? null,
        uploadedBy: token.id,
      });
      if (!added) throw new UploadError('upload.file-exists', `File already exists ('${filename}'); a filename can be used only once`);
      metrics.uploads.inc({ outcome: 'stored' });
      request.log.info({ project: projectName, filename, sha256: file.sha256, size: file.size, token: token.id }, 'upload stored');
      return { ok: true, project: projectName, filename, sha256: file.sha256 };
    } catch (err) {
      metrics.uploads.inc({ outcome: err instanceof GatehouseError ? err.code : 'error' });
      throw err;
    } finally {
      if (temp) await storage.blobs.discard((temp as TempFile).path);
    }
  };
  app.post('/legacy/', upload);
  app.post('/legacy', upload);
}
