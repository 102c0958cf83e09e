/** Opens everything that persists: the database and the blob store. */
import { openDatabase, type OpenedDatabase } from './database.js';
import { LocalBlobStore } from './blobs.js';
import { HostedStore } from './hosted.js';
import { TokenStore } from './tokens.js';

export interface Storage {
  database: OpenedDatabase;
  blobs: LocalBlobStore;
  hosted: HostedStore;
  tokens: TokenStore;
  /** Temporary files a previous crash left behind, removed at start-up. */
  sweptTempFiles: number;
  close(): Promise<void>;
}

export async function openStorage(options: { dataDir: string; databaseUrl?: string }): Promise<Storage> {
  const blobs = new LocalBlobStore(options.dataDir);
  const { sweptTempFiles } = await blobs.init();
  const database = await openDatabase({ url: options.databaseUrl, dataDir: options.dataDir });
  return {
    database,
    blobs,
    hosted: new HostedStore(database.db),
    tokens: new TokenStore(database.db),
    sweptTempFiles,
    close: () => database.close(),
  };
}

export type { HostedFile, HostedProject } from './hosted.js';
export type { TokenInfo } from './tokens.js';
