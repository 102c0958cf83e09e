/**
 * Errors of the upstream client. Each names the upstream (its configured name, never its credentials) and the
 * reason, already redacted: messages go to logs and, through the server's error handler, to pip users.
 *
 * Statuses are what a gateway answers its own client: 502 when an upstream failed or answered something unusable,
 * 504 when it did not answer in time. None of them is a 404: pip would say the package does not exist.
 */
import { GatehouseError } from '../errors.js';
import type { Redactor } from './redact.js';

/**
 * Whom an error is about: the upstream's name, and the redactor that knows its secrets. Every upstream error is
 * built from one, and its message passes through the redactor in the constructor, so no throw site can forget.
 */
export interface ErrorSource {
  readonly name: string;
  readonly redactor: Redactor;
}

/** The base of every upstream error: `upstream` is the upstream's configured name. */
export class UpstreamError extends GatehouseError {
  readonly upstream: string;

  constructor(code: string, source: ErrorSource, message: string, status = 502) {
    super(code, `upstream ${JSON.stringify(source.name)}: ${source.redactor.text(message)}`, status);
    this.upstream = source.name;
  }
}

/** An upstream's definition (URL, credentials, file hosts) that cannot be used; found when the client is built. */
export class UpstreamConfigError extends UpstreamError {
  constructor(source: ErrorSource, message: string) {
    super('upstream.config-invalid', source, message, 500);
  }
}

/**
 * The upstream could not be reached or did not answer usefully: connection refused or reset, a timeout, a 5xx
 * after retries, rate limiting longer than we wait, or its circuit open. `timedOut` maps it to 504.
 */
export class UpstreamUnavailableError extends UpstreamError {
  readonly reason: string;
  readonly timedOut: boolean;

  constructor(source: ErrorSource, reason: string, options: { timedOut?: boolean } = {}) {
    super('upstream.unavailable', source, `unavailable: ${reason}`, options.timedOut === true ? 504 : 502);
    this.reason = source.redactor.text(reason);
    this.timedOut = options.timedOut === true;
  }
}

/** The upstream answered with a status that says it will not serve this request (401, 403, 400, …). */
export class UpstreamRefusedError extends UpstreamError {
  readonly upstreamStatus: number;

  constructor(source: ErrorSource, upstreamStatus: number, message: string) {
    super('upstream.refused', source, message);
    this.upstreamStatus = upstreamStatus;
  }
}

/** A project page that is not a Simple API page: another content type, malformed, or too large. */
export class UpstreamPageError extends UpstreamError {
  constructor(source: ErrorSource, message: string) {
    super('upstream.invalid-page', source, message);
  }
}

/** A request or redirect to a host that is neither the upstream's nor one of its allowed file hosts. */
export class UpstreamHostRefusedError extends UpstreamError {
  constructor(source: ErrorSource, message: string) {
    super('upstream.host-refused', source, message);
  }
}

/** A file its page lists that the upstream does not have (404 or 410). */
export class UpstreamFileNotFoundError extends UpstreamError {
  constructor(source: ErrorSource, message: string) {
    super('upstream.file-not-found', source, message);
  }
}

/**
 * A file whose bytes are not the ones listed: another digest, another size than the page or Content-Length says,
 * more than the configured maximum, or cut short. The client never receives the complete bytes of such a file.
 */
export class UpstreamIntegrityError extends UpstreamError {
  constructor(code: 'upstream.hash-mismatch' | 'upstream.size-mismatch' | 'upstream.file-too-large' | 'upstream.file-truncated', source: ErrorSource, message: string) {
    super(code, source, message);
  }
}

/** A file its page lists with no hash this client can verify: it is not fetched. */
export class UpstreamUnverifiableFileError extends UpstreamError {
  constructor(source: ErrorSource, message: string) {
    super('upstream.unverifiable-file', source, message);
  }
}
