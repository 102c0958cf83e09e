import { GatehouseError } from '../errors.js';

/** The database or blob store cannot be opened or used. */
export class StorageError extends GatehouseError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, 503, options);
  }
}
