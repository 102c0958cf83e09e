/**
 * A symmetric-delete index over the popular names: every name is stored under
 * itself and under each string made by deleting one character (and, for long
 * names, two). Two names within edit distance k share such a deletion string
 * with at most k deletions on each side, so a query costs one hash lookup per
 * deletion of the query instead of a scan of 15,000 names.
 *
 * Deletion strings are never built: a polynomial hash mod 2^32 with prefix and
 * suffix sums gives the hash of any one- or two-character deletion in O(1).
 * Keys are 32-bit hashes in an open-addressing table (two typed arrays), so a
 * hash collision only adds a candidate, which the caller verifies with the
 * real edit distance. Most deletions of a query match nothing; a bitset in
 * front of the table (8 bits per entry, an eighth of the table's size)
 * answers those from cache.
 */

const BASE = 0x01000193;
/** BASE's inverse mod 2^32 (BASE is odd), to shift a middle segment down one place. */
const BASE_INVERSE = inverseMod32(BASE);

function inverseMod32(x: number): number {
  let inv = x;
  for (let i = 0; i < 5; i++) inv = Math.imul(inv, 2 - Math.imul(x, inv));
  return inv >>> 0;
}

/** murmur3's finalizer, so that the table's low bits depend on every input bit. */
function mix(h: number, length: number): number {
  h = (h + Math.imul(length, 0x9e3779b9)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

const MAX_LENGTH = 256;
const powers = new Int32Array(MAX_LENGTH + 1);
powers[0] = 1;
for (let i = 1; i <= MAX_LENGTH; i++) powers[i] = Math.imul(powers[i - 1]!, BASE);

/** Reusable scratch buffers for prefix and suffix sums (the index is single-threaded). */
const prefix = new Int32Array(MAX_LENGTH + 1);
const suffix = new Int32Array(MAX_LENGTH + 2);

/** Room for every deletion hash of the longest name: 1 + n + n(n-1)/2. */
const hashes = new Uint32Array(1 + MAX_LENGTH + (MAX_LENGTH * (MAX_LENGTH - 1)) / 2);

/**
 * Fills `hashes` with the hash of `s`, of each one-character deletion, and,
 * when `twoDeletions` is set, of each two-character deletion. Returns how many.
 */
function deletionHashes(s: string, twoDeletions: boolean): number {
  let count = 0;
  const n = Math.min(s.length, MAX_LENGTH);
  prefix[0] = 0;
  for (let i = 0; i < n; i++) prefix[i + 1] = (Math.imul(prefix[i] !, BASE) + s.charCodeAt(i)) | 0;
  suffix[n] = 0;
  suffix[n + 1] = 0;
  for (let j = n - 1; j >= 0; j--) suffix[j] = ((suffix[j + 1] !) + Math.imul(s.charCodeAt(j), powers[n - 1 - j] !)) | 0;
  hashes[count++] = mix(prefix[n] !, n);
  for (let i = 0; i < n; i++) {
    // Deleting a letter of a run gives the same string as deleting its neighbour.
    if (i > 0 && s.charCodeAt(i) === s.charCodeAt(i - 1)) continue;
    hashes[count++] = mix((Math.imul(prefix[i] !, powers[n - 1 - i] !) + (suffix[i + 1] !)) | 0, n - 1);
  }
  if (!twoDeletions) return count;
  for (let i = 0; i < n; i++) {
    if (i > 0 && s.charCodeAt(i) === s.charCodeAt(i - 1)) continue;
    const head = Math.imul(prefix[i] !, powers[n - 2 - i] !);
    for (let k = i + 1; k < n; k++) {
      if (k > i + 1 && s.charCodeAt(k) === s.charCodeAt(k - 1)) continue;
      const middle = Math.imul(((suffix[i + 1] !) - (suffix[k] !)) | 0, BASE_INVERSE);
      hashes[count++] = mix((head + middle + (suffix[k + 1] !)) | 0, n - 2);
    }
  }
  return count;
}

/** Prefilter bits per stored deletion: about 1 in 8 bits set, so 7 in 8 misses end at the filter. */
const FILTER_BITS_PER_ENTRY = 8;

export class DeletionIndex {
  readonly #filter: Uint32Array;
  /** Right shift that turns a hash into a filter bit index. */
  readonly #filterShift: number;
  /** `#seen[entry] === #stamp` marks an entry already returned by the current query. */
  readonly #seen: Uint32Array;
  #stamp = 0;
  readonly #keys: Uint32Array;
  /** Entry + 1, so that 0 marks an empty slot. */
  readonly #values: Int32Array;
  readonly #mask: number;
  readonly entryCount: number;

  /**
   * Indexes `names[i]` under entry `i`. Names whose `twoEdits[i]` is set are
   * also stored under their two-character deletions.
   */
  constructor(names: readonly string[], twoEdits: readonly boolean[]) {
    let count = 0;
    names.forEach((name, entry) => {
      const n = Math.min(name.length, MAX_LENGTH);
      count += 1 + n + (twoEdits[entry] === true ? (n * (n - 1)) / 2 : 0);
    });
    let capacity = 1024;
    while (capacity < count * 2) capacity *= 2;
    this.#keys = new Uint32Array(capacity);
    this.#values = new Int32Array(capacity);
    this.#mask = capacity - 1;
    let filterBitsLog2 = 10;
    while (2 ** filterBitsLog2 < count * FILTER_BITS_PER_ENTRY) filterBitsLog2++;
    this.#filter = new Uint32Array(2 ** (filterBitsLog2 - 5));
    this.#filterShift = 32 - filterBitsLog2;
    const filterShift = this.#filterShift;
    this.#seen = new Uint32Array(names.length);
    const filter = this.#filter;
    const keys = this.#keys;
    const values = this.#values;
    const mask = this.#mask;
    let stored = 0;
    for (let entry = 0; entry < names.length; entry++) {
      const name = names[entry] ?? '';
      const count = deletionHashes(name, twoEdits[entry] === true);
      next: for (let h = 0; h < count; h++) {
        const hash = hashes[h] ?? 0;
        let slot = hash & mask;
        while (values[slot] !== 0) {
          // The same name giving the same hash twice adds nothing.
          if (keys[slot] === hash && values[slot] === entry + 1) continue next;
          slot = (slot + 1) & mask;
        }
        keys[slot] = hash;
        values[slot] = entry + 1;
        const bit = hash >>> filterShift;
        filter[bit >>> 5] = (filter[bit >>> 5] ?? 0) | (1 << (bit & 31));
        stored++;
      }
    }
    this.entryCount = stored;
  }

  /**
   * The entries that share a deletion string with `query` (one deletion of the
   * query, or two when `twoDeletions`). A superset of the names within the
   * matching edit distance: verify each one.
   */
  candidates(query: string, twoDeletions: boolean): number[] {
    const found: number[] = [];
    const stamp = (this.#stamp = (this.#stamp % 0xffffffff) + 1);
    const filter = this.#filter;
    const filterShift = this.#filterShift;
    const keys = this.#keys;
    const values = this.#values;
    const seen = this.#seen;
    const mask = this.#mask;
    const count = deletionHashes(query, twoDeletions);
    for (let h = 0; h < count; h++) {
      const hash = hashes[h] ?? 0;
      const bit = hash >>> filterShift;
      if (((filter[bit >>> 5] ?? 0) & (1 << (bit & 31))) === 0) continue;
      for (let slot = hash & mask; values[slot] !== 0; slot = (slot + 1) & mask) {
        if (keys[slot] !== hash) continue;
        const entry = (values[slot] ?? 0) - 1;
        if (seen[entry] !== stamp) {
          seen[entry] = stamp;
          found.push(entry);
        }
      }
    }
    return found;
  }

  /** Bytes held by the table. */
  get byteLength(): number {
    return this.#keys.byteLength + this.#values.byteLength + this.#filter.byteLength + this.#seen.byteLength;
  }
}
