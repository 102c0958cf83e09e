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

export interface FileTable {
  id: Generated<number>;
  project_id: number;
  filename: string;
  /** Normalized PEP 440 version. */
  version: string;
  kind: 'wheel' | 'sdist';
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

export interface Database {
  project: ProjectTable;
  file: FileTable;
  token: TokenTable;
}
