/** Errors of signing and of checking signed statements. Each names what failed, for the one line a user sees. */
import { GatehouseError } from '../errors.js';

/** The signing key cannot be read or made. */
export class SigningKeyError extends GatehouseError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('sign.key-unusable', message, 500, options);
  }
}

export type ProvenanceProblem =
  /** Not a DSSE envelope of an in-toto statement with a SLSA provenance predicate. */
  | 'provenance.malformed'
  /** No signature verifies with the given public key (the statement was changed, or another key signed it). */
  | 'provenance.signature-invalid'
  /** The wheel given is not the statement's subject. */
  | 'provenance.subject-mismatch'
  /** The sdist given is not the one the statement says the wheel was built from. */
  | 'provenance.source-mismatch';

/** A provenance statement that does not verify, and why. */
export class ProvenanceError extends GatehouseError {
  constructor(code: ProvenanceProblem, message: string) {
    super(code, message, 422);
  }
}
