import { GatehouseError } from '../errors.js';

/** The database or blob store cannot be opened or used: the server's problem, never the client's. */
export class StorageError extends GatehouseError {
  constructor(code: string, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options?.status ?? 503, options);
  }
}

/** The disk (or quota) is full: 507 Insufficient Storage (RFC 4918), so clients know to retry later or elsewhere. */
export class StorageFullError extends StorageError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('storage.full', message, { ...options, status: 507 });
  }
}
