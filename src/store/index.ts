/** Opens everything that persists: the database and the blob store. */
import { openDatabase, type OpenedDatabase } from './database.js';
import { BlobClaims } from './blob-claims.js';
import { BlobCollector } from './blob-collector.js';
import { DecisionLog } from './decision-log/index.js';
import type { BlobStore } from './blob-store.js';
import { LocalBlobStore } from './blobs.js';
import { DecisionStore } from './decisions.js';
import { HostedStore } from './hosted.js';
import { CachedFileStore, UpstreamAlertStore, UpstreamPageStore } from './proxy-cache.js';
import { TokenStore } from './tokens.js';

/**
 * A temporary file nobody has written to for this long is abandoned: an upload writes until its body ends, and
 * the checks after that take seconds; the HTTP server's request timeout ends a silent upload long before this.
 */
export const TEMP_FILE_MAX_IDLE_MS = 60 * 60 * 1000;

export interface Storage {
  database: OpenedDatabase;
  blobs: BlobStore;
  claims: BlobClaims;
  collector: BlobCollector;
  hosted: HostedStore;
  upstreamPages: UpstreamPageStore;
  cachedFiles: CachedFileStore;
  alerts: UpstreamAlertStore;
  decisions: DecisionStore;
  tokens: TokenStore;
  /** The tamper-evident log of decisions and administrative actions. */
  decisionLog: DecisionLog;
  /** Temporary files an interrupted run left behind, removed at start-up. */
  sweptTempFiles: number;
  close(): Promise<void>;
}

export async function openStorage(options: { dataDir: string; databaseUrl?: string }): Promise<Storage> {
  const blobs = new LocalBlobStore(options.dataDir);
  await blobs.init();
  const sweptTempFiles = await blobs.sweepTemp(TEMP_FILE_MAX_IDLE_MS);
  const database = await openDatabase({ url: options.databaseUrl, dataDir: options.dataDir });
  const decisionLog = new DecisionLog(database);
  const hosted = new HostedStore(database.db, decisionLog);
  const claims = new BlobClaims(database.db);
  const cachedFiles = new CachedFileStore(database.db);
  return {
    database,
    blobs,
    claims,
    collector: new BlobCollector(blobs, claims, [hosted, cachedFiles]),
    hosted,
    upstreamPages: new UpstreamPageStore(database.db),
    cachedFiles,
    alerts: new UpstreamAlertStore(database.db),
    decisions: new DecisionStore(database.db, decisionLog),
    tokens: new TokenStore(database.db, decisionLog),
    decisionLog,
    sweptTempFiles,
    close: () => database.close(),
  };
}

export type { BlobStore, TempFile } from './blob-store.js';
export type { CachedFile, CachedPage, UpstreamAlert } from './proxy-cache.js';
export type { AddFileResult, FileConflict, HostedFile, HostedProject, HostedRelease } from './hosted.js';
export type { TokenInfo } from './tokens.js';
export type { DecisionLog, LogEntry, LogHead, NewLogEntry } from './decision-log/index.js';
