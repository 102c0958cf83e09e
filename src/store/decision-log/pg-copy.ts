/**
 * Every decision log row of a PostgreSQL database, in sequence order, read by one `COPY … TO STDOUT (FORMAT binary)`:
 * each field arrives as a length and its bytes, which costs half the time of the driver's row messages (300,000
 * rows: 0.7-1.0 s against 1.4-1.7 s, wall and CPU alike, measured side by side). The binary COPY format is
 * PostgreSQL's own ("COPY", File Formats, Binary Format): a signature, flags and a header extension, then tuples of
 * a 16-bit field count and, per field, a 32-bit length (-1 for NULL) and the bytes; a field count of -1 ends it.
 */
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import type { DecisionLogTable } from '../schema.js';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const COLUMNS = ['seq', 'at', 'kind', 'actor', 'project', 'version', 'filename', 'sha256', 'payload', 'prev_hash', 'hash'] as const;

export async function* copyLogRows(pool: pg.Pool, batchSize: number): AsyncGenerator<DecisionLogTable[]> {
  const client = await pool.connect();
  // Returned to the pool only after a COPY read to its end: one left mid-stream (a caller that stopped at the first
  // bad entry, an error) leaves the connection in an unknown state, so it is closed instead.
  let readToEnd = false;
  try {
    const stream = client.query(copyTo(`copy (select ${COLUMNS.join(', ')} from decision_log order by seq) to stdout (format binary)`));
    let pending: Buffer = Buffer.alloc(0);
    let headerRead = false;
    let ended = false;
    let batch: DecisionLogTable[] = [];
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
      let off = 0;
      if (!headerRead) {
        if (buf.length < 19) {
          pending = buf;
          continue;
        }
        if (!buf.subarray(0, 11).equals(SIGNATURE)) throw new Error('COPY did not answer in the binary format');
        off = 19 + buf.readUInt32BE(15);
        headerRead = true;
      }
      while (!ended) {
        const row = readTuple(buf, off);
        if (row === null) break;
        off = row.end;
        if (row.values === 'end') {
          ended = true;
          break;
        }
        batch.push(row.values);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
      pending = buf.subarray(off);
    }
    if (batch.length > 0) yield batch;
    readToEnd = true;
  } finally {
    client.release(readToEnd ? undefined : true);
  }
}

/** One tuple at `off`, or null when the buffer ends inside it; `end` for the trailer. */
function readTuple(buf: Buffer, off: number): { values: DecisionLogTable | 'end'; end: number } | null {
  if (buf.length - off < 2) return null;
  const fields = buf.readInt16BE(off);
  if (fields === -1) return { values: 'end', end: off + 2 };
  if (fields !== COLUMNS.length) throw new Error(`COPY gave ${fields} fields a row, not ${COLUMNS.length}`);
  let p = off + 2;
  const values: Array<string | number | null> = [];
  for (let f = 0; f < fields; f++) {
    if (buf.length - p < 4) return null;
    const len = buf.readInt32BE(p);
    p += 4;
    if (len === -1) {
      values.push(null);
      continue;
    }
    if (buf.length - p < len) return null;
    // seq is int8 or int4 depending on the dialect's migration: read by its length.
    if (f === 0) values.push(len === 8 ? Number(buf.readBigInt64BE(p)) : buf.readInt32BE(p));
    else values.push(buf.toString('utf8', p, p + len));
    p += len;
  }
  const [seq, at, kind, actor, project, version, filename, sha256, payload, prevHash, hash] = values as [number, string, string, string, string | null, string | null, string | null, string | null, string, string, string];
  return { values: { seq, at, kind, actor, project, version, filename, sha256, payload, prev_hash: prevHash, hash }, end: p };
}
