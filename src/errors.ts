/**
 * The base of every domain error in Gatehouse.
 *
 * Callers branch on `code` (stable, documented) or on the subclass, never on the
 * message. The HTTP error handler and the CLI's exit path are the only places
 * that turn an error into a status code or an exit code.
 */
export class GatehouseError extends Error {
  /** A stable machine-readable code, for example `upload.file-exists`. */
  readonly code: string;
  /** The HTTP status that fits this error when it reaches a client. */
  readonly status: number;

  constructor(code: string, message: string, status = 400, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

/** Input that does not follow the spec or the rules it is checked against. */
export class InvalidInputError extends GatehouseError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, 400, options);
  }
}

/** Something that was asked for does not exist. */
export class NotFoundError extends GatehouseError {
  constructor(code: string, message: string) {
    super(code, message, 404);
  }
}
