/**
 * The database schema as Kysely sees it. Times are ISO 8601 UTC strings and
 * booleans are 0/1 integers, so the same rows work on SQLite and PostgreSQL.
 */
import type { Generated } from 'kysely';

export interface ProjectTable {
  id: Generated<number>;
  /** PEP 503-normalized name: the key clients ask for. */
  name: string;
  /** The name as first uploaded, shown on pages. */
  display_name: string;
  created_at: string;
  /** Bumped on every change to the project's files; pages are cached per serial. */
  serial: number;
}

/** A release: one version of a project, whatever spellings its files use. */
export interface ReleaseTable {
  id: Generated<number>;
  project_id: number;
  /** packaging's `canonicalize_version` (`5.0.0` -> "5"): the release's identity, unique per project. */
  canonical_version: string;
  /** The normalized PEP 440 version of the first file uploaded: the spelling pages show. */
  version: string;
  created_at: string;
}

export interface FileTable {
  id: Generated<number>;
  project_id: number;
  release_id: number;
  /** The file within its release (`sdist`, or a wheel's build tag and tags): unique per release. */
  identity: string;
  /** The file name as uploaded: unique, and never reusable (file rows are never deleted). */
  filename: string;
  /** Normalized PEP 440 version, as the file name spells it. */
  version: string;
  kind: 'wheel' | 'sdist';
  /** Unique: the same bytes are stored under one file name only. */
  sha256: string;
  md5: string;
  blake2b_256: string;
  size: number;
  requires_python: string | null;
  yanked: number;
  yanked_reason: string | null;
  /** The wheel's METADATA (PEP 658), stored as its own blob. */
  metadata_sha256: string | null;
  metadata_size: number | null;
  upload_time: string;
  uploaded_by: number | null;
}

export type TokenScope = 'upload' | 'admin';

export interface TokenTable {
  id: Generated<number>;
  /** sha256 of the secret; the secret itself is never stored. */
  hash: string;
  description: string;
  scope: TokenScope;
  all_projects: number;
  /** JSON array of normalized project names the token may upload to. */
  projects: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  last_used_at: string | null;
}

/** Serials that are not one project's: `projects` changes whenever a project is created. */
export interface SerialTable {
  name: string;
  value: number;
}

/** A blob a row is about to point at: the collector of unreferenced blobs leaves it alone. */
export interface BlobClaimTable {
  id: Generated<number>;
  sha256: string;
  claimed_at: string;
}

/** An upstream's last answer for a project: its page in the model (JSON), or not found. */
export interface UpstreamPageTable {
  id: Generated<number>;
  upstream: string;
  /** PEP 503-normalized project name. */
  project: string;
  found: number;
  /** The page as read (`SimpleProjectPage`, upstream URLs), JSON; null when not found. */
  page: string | null;
  etag: string | null;
  last_modified: string | null;
  /** When the page's content was last fetched. */
  fetched_at: string;
  /** When the upstream last confirmed it (200 or 304): the TTL counts from here. */
  checked_at: string;
}

/** A file fetched from an upstream, verified against its listed hash and kept in the blob store. */
export interface CachedFileTable {
  id: Generated<number>;
  upstream: string;
  project: string;
  filename: string;
  sha256: string;
  size: number;
  /** PEP 700 upload time as the upstream listed it: the policy's cooldown counts from it. */
  upload_time: string | null;
  fetched_at: string;
  /** Pruning takes the files not asked for longest first. */
  last_requested_at: string;
}

/** A small file beside a cached one: its METADATA (PEP 658) or its provenance (PEP 740), kept as a blob. */
export interface CachedCompanionTable {
  id: Generated<number>;
  file_sha256: string;
  filename: string;
  kind: 'metadata' | 'provenance';
  blob_sha256: string;
  size: number;
  fetched_at: string;
}

/** An upstream answered for a name that is hosted or reserved here (dependency confusion). */
export interface UpstreamAlertTable {
  id: Generated<number>;
  project: string;
  upstream: string;
  kind: 'hosted' | 'reserved';
  first_seen: string;
  last_seen: string;
  count: number;
}

/**
 * One entry of the decision log (src/store/decision-log/): never updated or deleted. `hash` is the sha256 of the
 * entry's canonical form, which covers every other column; `prev_hash` is the hash of the entry before it.
 */
export interface DecisionLogTable {
  /** 1, 2, 3, … with no gaps: the order of the log. */
  seq: number;
  /** When the entry was appended (ISO 8601 UTC, the appending replica's clock). */
  at: string;
  kind: string;
  /** `token:<id>`, `system` or `cli:<user>`. */
  actor: string;
  project: string | null;
  version: string | null;
  filename: string | null;
  sha256: string | null;
  /** The payload in canonical JSON (RFC 8785), exactly the bytes the hash covers. */
  payload: string;
  prev_hash: string;
  hash: string;
}

/** The log's one head row (id 1): how many entries there are and the last one's hash. Appends lock it. */
export interface DecisionLogHeadTable {
  id: number;
  seq: number;
  hash: string;
}

/** A file's scan, by sha256: reused across policy changes, redone when the scanner changes. */
export interface ScanResultTable {
  sha256: string;
  /** The scanner and rules that made it: a different one scans again. */
  scanner: string;
  verdict: 'clean' | 'suspicious' | 'malicious' | 'error';
  /** JSON list of one-line reasons. */
  reasons: string;
  /** JSON list of findings. */
  findings: string;
  /** The core metadata text (METADATA or PKG-INFO). */
  metadata: string | null;
  duration_ms: number;
  scanned_at: string;
}

export type FileState = 'allowed' | 'warned' | 'quarantined' | 'blocked' | 'released' | 'rejected' | 'pending';

/** A file's current decision; its history is in the decision log. */
export interface FileDecisionTable {
  id: Generated<number>;
  /** Shown to users in refusals, and the key of `gatehouse explain`. */
  decision_id: string;
  sha256: string;
  filename: string;
  project: string;
  version: string;
  source: string;
  /** The outcome as served: allowed, warned, quarantined, blocked; released or rejected after a review; pending while the content is not checked. */
  state: FileState;
  outcome: 'allow' | 'warn' | 'quarantine' | 'block';
  /** The outcome had every dry-run rule been enforced. */
  would_be: 'allow' | 'warn' | 'quarantine' | 'block';
  /** JSON: the rule results (rule, outcome, mode, message, finding, waiver). */
  results: string;
  /** JSON: ages, advisory ids, license, scan verdict. */
  inputs: string;
  pending_content: number;
  policy_revision: string;
  db_revision: string;
  decided_at: string;
}

/** A quarantined file reviewed by someone: released to be served, or rejected for good, for the rules named. */
export interface QuarantineReviewTable {
  id: Generated<number>;
  sha256: string;
  filename: string;
  action: 'release' | 'reject';
  reason: string;
  /** Who: `token:<id>`, or the CLI user. */
  actor: string;
  /** JSON list of the rule ids the review covers: a new reason quarantines the file again. */
  rules: string;
  reviewed_at: string;
}

export interface Database {
  project: ProjectTable;
  release: ReleaseTable;
  file: FileTable;
  token: TokenTable;
  serial: SerialTable;
  blob_claim: BlobClaimTable;
  upstream_page: UpstreamPageTable;
  cached_file: CachedFileTable;
  cached_companion: CachedCompanionTable;
  upstream_alert: UpstreamAlertTable;
  decision_log: DecisionLogTable;
  decision_log_head: DecisionLogHeadTable;
  scan_result: ScanResultTable;
  file_decision: FileDecisionTable;
  quarantine_review: QuarantineReviewTable;
}
