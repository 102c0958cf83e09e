/**
 * Which cached upstream files a prune removes: those not requested since a cut-off, then, while the cache is over a
 * size, the least recently requested. Hosted files are never candidates: they are not in the cache.
 */
import type { CachedFile } from './proxy-cache.js';

export interface PrunePlan {
  remove: CachedFile[];
  keep: CachedFile[];
  removeBytes: number;
  keepBytes: number;
}

/** `files` in least-recently-requested order (as `CachedFileStore.list` gives them). */
export function planPrune(files: readonly CachedFile[], options: { requestedBefore?: Date; maxBytes?: number }): PrunePlan {
  const cutoff = options.requestedBefore?.toISOString();
  let total = files.reduce((sum, f) => sum + f.size, 0);
  const remove: CachedFile[] = [];
  const keep: CachedFile[] = [];
  for (const file of files) {
    const stale = cutoff !== undefined && file.last_requested_at < cutoff;
    const over = options.maxBytes !== undefined && total > options.maxBytes;
    if (stale || over) {
      remove.push(file);
      total -= file.size;
    } else keep.push(file);
  }
  return { remove, keep, removeBytes: remove.reduce((s, f) => s + f.size, 0), keepBytes: total };
}
