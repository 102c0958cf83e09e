/** Errors of the vulnerability database: ingest, storage and lookup. */
import { GatehouseError, InvalidInputError } from '../errors.js';

/** An advisory that does not follow the OSV schema closely enough to be used. */
export class InvalidAdvisoryError extends InvalidInputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('vulndb.invalid-advisory', message, options);
  }
}

/** A source given to `vulndb update --from` that cannot be read. */
export class AdvisorySourceError extends InvalidInputError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('vulndb.source-unreadable', message, options);
  }
}

/** The stored database is missing, from an unknown format, or damaged. */
export class VulnDbStorageError extends GatehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('vulndb.storage', message, 500, options);
  }
}
