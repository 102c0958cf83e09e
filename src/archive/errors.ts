import { GatehouseError } from '../errors.js';

/**
 * The archive file itself cannot be opened or read (missing, a directory, no
 * permission). A bad archive is never an error: it gives findings instead.
 */
export class ArchiveFileError extends GatehouseError {
  readonly path: string;

  constructor(path: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super('archive.file-unreadable', `cannot read archive ${path}: ${reason}`, 400, { cause });
    this.path = path;
  }
}
