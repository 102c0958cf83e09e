/** Errors of the name gate: a corpus that cannot be read, or a refresh input that does not parse. */
import { GatehouseError } from '../../errors.js';

/** The shipped or refreshed name corpus is missing or malformed. */
export class NameCorpusError extends GatehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('names.corpus-invalid', message, 500, options);
  }
}

/** A top-packages list or names list given to `gatehouse names update` does not parse. */
export class NameListFormatError extends GatehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('names.list-invalid', message, 400, options);
  }
}
