/**
 * Collects blobs that no row refers to and no writer has claimed: the losers of upload races, and what a crash
 * left between a blob's commit and its row. Without this, a token holder racing uploads could fill the disk.
 */
import type { BlobClaims } from './blob-claims.js';
import type { BlobStore } from './blob-store.js';

/** Something that keeps rows pointing at blobs (hosted files today; the proxy's cache next). */
export interface BlobReferences {
  /** Every blob a row points at: one query for a whole collection run. */
  referencedBlobs(): Promise<Set<string>>;
  /** Whether a row points at this blob now: asked again for each candidate once it is out of reach. */
  referencesBlob(sha256: string): Promise<boolean>;
}

export interface CollectionReport {
  /** Blobs in the store before the run, and their bytes. */
  blobs: number;
  bytes: number;
  collected: number;
  collectedBytes: number;
}

export class BlobCollector {
  constructor(
    private readonly blobs: BlobStore,
    private readonly claims: BlobClaims,
    private readonly references: readonly BlobReferences[],
  ) {}

  private async stillUnused(sha256: string): Promise<boolean> {
    if (await this.claims.isClaimed(sha256)) return false;
    for (const r of this.references) if (await r.referencesBlob(sha256)) return false;
    return true;
  }

  /** Collects one blob when nothing refers to it: what a writer calls after its row was refused. */
  collectIfUnused(sha256: string): Promise<number> {
    return this.blobs.collect(sha256, () => this.stillUnused(sha256));
  }

  /** Walks the whole store once. */
  async collect(): Promise<CollectionReport> {
    await this.claims.expire();
    // Snapshots first, listing second: a blob committed after the snapshots is claimed, and `collect` asks again.
    const claimed = await this.claims.claimed();
    const referenced = new Set<string>();
    for (const r of this.references) for (const sha of await r.referencedBlobs()) referenced.add(sha);
    const report: CollectionReport = { blobs: 0, bytes: 0, collected: 0, collectedBytes: 0 };
    for await (const blob of this.blobs.list()) {
      report.blobs++;
      report.bytes += blob.size;
      if (referenced.has(blob.sha256) || claimed.has(blob.sha256)) continue;
      const freed = await this.collectIfUnused(blob.sha256);
      if (freed > 0) {
        report.collected++;
        report.collectedBytes += freed;
      }
    }
    return report;
  }
}
