/**
 * The upstream part's public API: a client per upstream index (pages, upload times, verified files), its errors,
 * its events for metrics and logs, and the single-flight primitives for pages and files. Nothing else in this
 * folder is for other parts to import.
 */
export { UpstreamClient, PAGE_ACCEPT } from './client.js';
export type { UpstreamClientOptions, PageValidators, PageIssues, ProjectPageResult, UploadTimeFill, UpstreamHealth } from './client.js';
export { Upstream } from './upstream.js';
export type { UpstreamDefinition, UpstreamCredentials } from './upstream.js';
export type { TimeoutOptions, ProxyOptions, TransportOptions } from './transport.js';
export type { RetryOptions } from './retry.js';
export type { CircuitBreakerOptions, CircuitHealth, CircuitState } from './circuit-breaker.js';
export type { ListedFile, UpstreamFile } from './file.js';
export type { CompanionFile } from './companion.js';
export type { VerifiedStream } from './integrity.js';
export type { UploadTime } from './pypi-json.js';
export { readUploadTimes, withUploadTimes } from './pypi-json.js';
export { Redactor } from './redact.js';
export { SingleFlight } from './single-flight.js';
export { SharedDownloads } from './shared-download.js';
export type { SharedDownloadsOptions, DownloadReader, VerifiedDownload } from './shared-download.js';
export type { UpstreamEvents, RequestEvent, RetryEvent, CircuitEvent, BytesEvent, PageIssueEvent, RequestKind } from './events.js';
export {
  UpstreamError,
  UpstreamConfigError,
  UpstreamUnavailableError,
  UpstreamRefusedError,
  UpstreamPageError,
  UpstreamHostRefusedError,
  UpstreamFileNotFoundError,
  UpstreamIntegrityError,
  UpstreamUnverifiableFileError,
} from './errors.js';
export { InvalidJsonApiDocumentError } from './pypi-json.js';
