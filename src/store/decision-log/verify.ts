/**
 * Verifying the decision log: walks every entry in sequence order and stops at the first one that is not what was
 * appended. Entry N is intact when its number is N, its `prev` is entry N-1's hash, and its hash is the hash of its
 * content; the log as a whole when its last entry is at least where the head row (read before the walk) says, with
 * the hash the head row holds, and, given a head kept elsewhere, when the entry at that count has that hash. The
 * hash chain makes that last check cover the whole prefix: a log rewritten from entry 1 with fresh hashes passes
 * every other check, but not that one.
 */
import type { DecisionLogTable } from '../schema.js';
import { entryHash, formatHead, GENESIS_HASH, type LogHead } from './entry.js';
import { allRows, DEFAULT_BATCH, type LogReader } from './rows.js';

/**
 * Why verification stopped (stable codes):
 * - `edited`: the entry's content no longer matches its hash;
 * - `missing`: entries are absent (a gap in the numbers);
 * - `unlinked`: the entry does not follow the one before it (that one was rewritten with a new hash, or entries were
 *   removed and the rest renumbered, or inserted);
 * - `reordered`: the entry follows one that now sits after it (rows' numbers or contents were swapped);
 * - `misnumbered`: a row is numbered below 1;
 * - `truncated`: the log ends before the head row or the expected head says it reaches;
 * - `head-mismatch`: the head row's hash is not the hash of the entry at its count, or the row is gone;
 * - `unrecorded`: entries (or a row numbered) beyond the head row's count, which no append leaves (an append moves the head in the same
 *   transaction): they were added by hand;
 * - `rewritten`: the expected head's hash is not the hash of the entry at its count.
 */
export type LogProblemReason =
  | 'edited'
  | 'missing'
  | 'unlinked'
  | 'reordered'
  | 'misnumbered'
  | 'truncated'
  | 'head-mismatch'
  | 'unrecorded'
  | 'rewritten';

export interface LogProblem {
  /** The first entry found wrong (for `truncated`, the first entry that is gone). */
  seq: number;
  reason: LogProblemReason;
  message: string;
}

export type LogVerification =
  | { intact: true; head: LogHead }
  /**
   * `verified` is how far the log can still be vouched for: the entries before the problem and the last one's hash;
   * none when a recorded head disagrees (`head-mismatch`, `rewritten`), since that shows a change without its place.
   */
  | { intact: false; verified: LogHead; problem: LogProblem };

export interface VerifyOptions {
  /** A head recorded earlier (`gatehouse log head`): the log must still have that entry with that hash. */
  expectHead?: LogHead;
  batchSize?: number;
}

const short = (hash: string) => hash.slice(0, 16);

/**
 * Why entry `row` does not follow the one before: where the entry it does follow sits now, if anywhere (a lookup by
 * hash, made only once a link has broken).
 */
async function brokenLink(reader: LogReader, row: DecisionLogTable, expected: string): Promise<LogProblem> {
  const n = row.seq;
  const follows = await reader.seqOfHash(row.prev_hash);
  if (follows !== undefined && follows >= n) {
    return {
      seq: n,
      reason: 'reordered',
      message: `entry ${n} follows the entry now numbered ${follows}: entries were reordered (their numbers or contents swapped)`,
    };
  }
  if (follows !== undefined && follows < n - 1) {
    return {
      seq: n,
      reason: 'unlinked',
      message: `entry ${n} follows entry ${follows}, not entry ${n - 1}: entries ${follows + 1}–${n - 1} were inserted or rewritten`,
    };
  }
  const before = n === 1 ? 'the start of the log' : `entry ${n - 1}`;
  return {
    seq: n,
    reason: 'unlinked',
    message:
      `entry ${n} does not follow ${before}: its prev hash is ${short(row.prev_hash)}…, ${n === 1 ? 'the start is' : `entry ${n - 1}'s hash is`} ${short(expected)}…; ` +
      `${n === 1 ? 'the start of the log was removed and the rest renumbered' : `entry ${n - 1} was rewritten with a new hash, or an entry between them was removed and later ones renumbered`}`,
  };
}

export async function verifyLog(reader: LogReader, options: VerifyOptions = {}): Promise<LogVerification> {
  // Read before the walk: appends that land during it only add entries after this head.
  const recorded = await reader.head();
  const expect = options.expectHead;
  let count = 0;
  let prev = GENESIS_HASH;
  const fail = (problem: LogProblem): LogVerification => ({ intact: false, verified: { count, hash: prev }, problem });

  if (expect && expect.count === 0 && expect.hash !== GENESIS_HASH) {
    return fail({ seq: 0, reason: 'rewritten', message: `the expected head ${formatHead(expect)} is not an empty log's` });
  }
  for await (const rows of allRows(reader, options.batchSize ?? DEFAULT_BATCH)) {
    for (const row of rows) {
      const n = count + 1;
      if (row.seq < n) {
        return fail({ seq: row.seq, reason: 'misnumbered', message: `a row numbered ${row.seq} sits before entry 1: rows were inserted or renumbered` });
      }
      if (row.seq > n && recorded && n > recorded.seq) {
        return fail({
          seq: row.seq,
          reason: 'unrecorded',
          message: `a row numbered ${row.seq} lies beyond the head row's ${recorded.seq} entries, where no append leaves any: it was added by hand`,
        });
      }
      if (row.seq > n) {
        const range = row.seq - 1 === n ? `entry ${n} is missing` : `entries ${n}–${row.seq - 1} are missing`;
        return fail({ seq: n, reason: 'missing', message: `${range}: the log goes from ${n === 1 ? 'its start' : `entry ${n - 1}`} to entry ${row.seq}` });
      }
      if (row.prev_hash !== prev) return fail(await brokenLink(reader, row, prev));
      if (entryHash(row) !== row.hash) {
        return fail({ seq: n, reason: 'edited', message: `entry ${n} was edited: its content no longer matches its hash ${short(row.hash)}…` });
      }
      count = n;
      prev = row.hash;
      if (recorded && recorded.seq === n && recorded.hash !== row.hash) {
        count = 0;
        prev = GENESIS_HASH;
        return fail({
          seq: n,
          reason: 'head-mismatch',
          message: `the head row records ${formatHead({ count: recorded.seq, hash: recorded.hash })}, but entry ${n}'s hash is ${row.hash}: the head or the log was rewritten`,
        });
      }
      // A kept hash that disagrees says some entry up to n changed, not which: no prefix can be vouched for.
      if (expect && expect.count === n && expect.hash !== row.hash) {
        count = 0;
        prev = GENESIS_HASH;
        return fail({
          seq: n,
          reason: 'rewritten',
          message: `entry ${n}'s hash is ${row.hash}, not the expected ${expect.hash}: the log up to entry ${n} was rewritten`,
        });
      }
    }
  }
  if (recorded && count < recorded.seq) {
    return fail({
      seq: count + 1,
      reason: 'truncated',
      message: `the log ends at entry ${count}, but its head row records ${recorded.seq} entries: entries ${count + 1}–${recorded.seq} were removed`,
    });
  }
  if (expect && count < expect.count) {
    return fail({
      seq: count + 1,
      reason: 'truncated',
      message: `the log ends at entry ${count}, but the expected head ${formatHead(expect)} has ${expect.count}: entries were removed, or the log was replaced`,
    });
  }
  if (!recorded) {
    return fail({ seq: count + 1, reason: 'head-mismatch', message: 'the head row (decision_log_head, id 1) is missing: it was deleted' });
  }
  // Read again after the walk: every append that committed meanwhile has moved it past its own entries.
  const now = await reader.head();
  if (now && count > now.seq) {
    return {
      intact: false,
      verified: { count: now.seq, hash: now.hash },
      problem: {
        seq: now.seq + 1,
        reason: 'unrecorded',
        message: `entries ${now.seq + 1}–${count} lie beyond the head row's ${now.seq} entries, where no append leaves any: they were added by hand`,
      },
    };
  }
  return { intact: true, head: { count, hash: prev } };
}
