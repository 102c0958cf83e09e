/**
 * `POST /legacy/`: the upload API that twine, poetry and uv publish to
 * (multipart form, `:action=file_upload`, Basic auth `__token__:<token>`).
 *
 * The file streams to a temporary file while its digests are computed; then
 * the checks in index/upload.ts run; only when all pass is the blob moved
 * under its sha256 and the row committed. Any refusal leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import multipart, { type Multipart } from '@fastify/multipart';
import { GatehouseError } from '../../errors.js';
import {
  checkArchive,
  checkDigests,
  checkFilename,
  checkForm,
  conflictError,
  releaseIdentity,
  UploadError,
  type UploadForm,
} from '../../index/upload.js';
import { storageWriteError } from '../../store/blobs.js';
import { PolicyRefusal, refusalMessage } from '../../policy/judge.js';
import { tokenActor } from '../../store/decision-log/index.js';
import type { TempFile } from '../../store/index.js';
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
  // A system call that failed on the server's side is never the client's malformed upload.
  if (typeof (err as NodeJS.ErrnoException).syscall === 'string') return storageWriteError(err);
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
export const MAX_FORM_BYTES = 8 * 1024 * 1024;
/** One field alone (a long description is the largest; PyPI's rendering limit is far below this). */
export const MAX_FIELD_BYTES = 4 * 1024 * 1024;

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
      // busboy cuts a value at the field size limit and says so; a cut description must not pass as whole.
      if (part.valueTruncated || part.fieldnameTruncated) {
        throw new UploadError('upload.field-too-large', `the form field ${JSON.stringify(part.fieldname.slice(0, 100))} is over the ${MAX_FIELD_BYTES / 1024 / 1024} MiB limit for one field`, 413);
      }
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

/** How long a refused upload's remaining body is read (and dropped) so that the client gets the refusal. */
const DRAIN_MS = 30_000;

/**
 * Reads and drops what is left of a refused upload's body. A client still sending a large file when the server
 * answers and closes sees a reset connection instead of the reason (twine would print "Connection reset").
 */
async function drain(request: FastifyRequest): Promise<void> {
  const raw = request.raw;
  if (raw.readableEnded || raw.destroyed) return;
  raw.unpipe();
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, DRAIN_MS);
    function done() {
      clearTimeout(timer);
      raw.off('end', done).off('close', done).off('error', done);
      resolve();
    }
    raw.on('end', done).on('close', done).on('error', done);
    raw.resume();
  });
}

export async function uploadRoutes(app: FastifyInstance): Promise<void> {
  const { storage, config, metrics, policy } = app.services;
  // Registered here, not on the app: its hooks (a close listener per request, temporary-file cleanup) then run for
  // uploads only, not for every page and file an installer asks for.
  await app.register(multipart, {
    limits: {
      fileSize: config.upload.maxFileSize,
      files: 2,
      fields: 200,
      fieldSize: MAX_FIELD_BYTES,
      parts: 250,
    },
    throwFileSizeLimit: true,
    // busboy strips directories from a part's file name by default; the upload check must see them to refuse them.
    preservePath: true,
  });

  const upload = async (request: FastifyRequest) => {
    const token = await authenticate(storage.tokens, request.headers.authorization);
    let temp: TempFile | null = null;
    let claims: number[] = [];
    const committed: string[] = [];
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
      checkDigests(form, file);
      const existing = await storage.hosted.fileByName(filename);
      if (existing) {
        // The same file again (twine retrying, `--skip-existing`): warehouse answers 200 and changes nothing.
        if (existing.sha256 === file.sha256) return alreadyStored(request, existing.filename, existing.sha256);
        throw conflictError(filename, { reason: 'filename', existing });
      }
      const { metadata, metadataBytes } = await checkArchive(file.path, dist);
      // The same scanner, lists and rules as every proxied file: a refusal names its reasons, and twine prints them.
      const decided = await policy.judge.decide(
        { project: projectName, source: 'hosted', version: version.toString(), filename, sha256: file.sha256 },
        file.path,
        tokenActor(token.id),
      );
      if (decided.state === 'blocked' || decided.state === 'rejected') throw new PolicyRefusal(decided.decisionId, decided.state, refusalMessage(decided));

      const metadataSha256 = metadataBytes ? createHash('sha256').update(metadataBytes).digest('hex') : null;
      // Claimed before commit: the blob collector leaves these alone until the row is in or refused.
      claims = await storage.claims.claim(metadataSha256 ? [file.sha256, metadataSha256] : [file.sha256]);
      // The two blobs are written side by side (each waits mostly for its own fsync); both settle before going on,
      // so a failure of one still leaves the other in `committed`, for the clean-up below.
      const [fileWrite, metadataWrite] = await Promise.allSettled([
        storage.blobs.commit(file).then(() => {
          temp = null;
          committed.push(file.sha256);
        }),
        metadataBytes ? storage.blobs.putBytes(metadataBytes) : Promise.resolve(null),
      ]);
      if (metadataWrite.status === 'fulfilled' && metadataWrite.value) committed.push(metadataWrite.value.sha256);
      if (fileWrite.status === 'rejected') throw fileWrite.reason;
      if (metadataWrite.status === 'rejected') throw metadataWrite.reason;
      const metadataBlob = metadataWrite.value;
      const result = await storage.hosted.addFile({
        projectName,
        displayName,
        filename,
        version: version.toString(),
        ...releaseIdentity(dist),
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
      if (result.outcome === 'exists') return alreadyStored(request, result.existing.filename, result.existing.sha256);
      if (result.outcome === 'conflict') throw conflictError(filename, result.conflict);
      committed.length = 0;
      metrics.uploads.inc({ outcome: decided.state === 'quarantined' ? 'quarantined' : 'stored' });
      request.log.info(
        { project: projectName, filename, sha256: file.sha256, size: file.size, token: token.id, state: decided.state, decision: decided.decisionId },
        decided.state === 'quarantined' ? `upload stored and held in quarantine: ${refusalMessage(decided)}` : 'upload stored',
      );
      return { ok: true, project: projectName, filename, sha256: file.sha256, state: decided.state, decision: decided.decisionId };
    } catch (err) {
      metrics.uploads.inc({ outcome: err instanceof GatehouseError ? err.code : 'error' });
      await drain(request);
      throw err;
    } finally {
      if (temp) await storage.blobs.discard(temp as TempFile);
      await storage.claims.release(claims);
      // A refused or lost upload leaves no blob behind, unless another row or writer needs the same bytes.
      for (const sha256 of committed) await storage.collector.collectIfUnused(sha256);
    }
  };

  function alreadyStored(request: FastifyRequest, filename: string, sha256: string) {
    metrics.uploads.inc({ outcome: 'exists' });
    request.log.info({ filename, sha256 }, 'upload of a stored file: nothing changed');
    return { ok: true, existing: true, filename, sha256 };
  }

  app.post('/legacy/', upload);
  app.post('/legacy', upload);
}
