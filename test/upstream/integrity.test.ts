/**
 * The verified stream on its own: whatever the chunking, a consumer never receives every byte of a file whose hash
 * or size is not the listed one; a matching file passes unchanged; memory stays flat for a large file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { UpstreamIntegrityError, UpstreamUnverifiableFileError } from '../../src/upstream/errors.js';
import { VerifiedStream, verifiableDigests } from '../../src/upstream/integrity.js';
import { Redactor } from '../../src/upstream/redact.js';

const SOURCE = { name: 'u', redactor: new Redactor() };

const hex = (algorithm: string, data: Buffer): string => createHash(algorithm).update(data).digest('hex');

function chunked(data: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const point of [...points, data.length]) {
    if (point > start) chunks.push(data.subarray(start, point));
    start = Math.max(start, point);
  }
  return chunks;
}

async function run(chunks: Buffer[], stream: VerifiedStream): Promise<{ received: Buffer; error: unknown }> {
  const received: Buffer[] = [];
  let error: unknown;
  try {
    await pipeline(
      Readable.from(chunks),
      stream,
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          received.push(chunk);
          callback();
        },
      }),
    );
  } catch (e) {
    error = e;
  }
  return { received: Buffer.concat(received), error };
}

function verified(data: Buffer, hashes: Record<string, string>, expectedSize: number | null = data.length, maxBytes = 1 << 30): VerifiedStream {
  return new VerifiedStream({ source: SOURCE, filename: 'f-1.0.tar.gz', digests: verifiableDigests(SOURCE, 'f-1.0.tar.gz', hashes), expectedSize, maxBytes });
}

test('a matching file passes unchanged, in any chunking, and its sha256 is known at the end', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 3000 }), fc.array(fc.nat(3000), { maxLength: 8 }), async (bytes, cuts) => {
      const data = Buffer.from(bytes);
      const stream = verified(data, { sha256: hex('sha256', data), md5: hex('md5', data) });
      const { received, error } = await run(chunked(data, cuts), stream);
      assert.equal(error, undefined);
      assert.ok(received.equals(data));
      assert.equal(stream.sha256, hex('sha256', data));
      assert.equal(stream.bytes, data.length);
    }),
    { numRuns: 200 },
  );
});

test('a file with other bytes never reaches its consumer whole, whatever the chunking and whichever hash differs', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ minLength: 1, maxLength: 3000 }),
      fc.array(fc.nat(3000), { maxLength: 8 }),
      fc.nat(),
      fc.constantFrom('sha256', 'sha512', 'md5', 'blake2b'),
      async (bytes, cuts, flip, listed) => {
        const real = Buffer.from(bytes);
        const tampered = Buffer.from(real);
        const at = flip % tampered.length;
        tampered[at] = (tampered[at] as number) ^ 0x01;
        const algorithm = listed === 'blake2b' ? 'blake2b512' : listed;
        const hashes: Record<string, string> = { [listed]: hex(algorithm, real) };
        const { received, error } = await run(chunked(tampered, cuts), verified(tampered, hashes));
        assert.ok(error instanceof UpstreamIntegrityError, String(error));
        assert.equal(error.code, 'upstream.hash-mismatch');
        assert.match(error.message, new RegExp(`f-1\\.0\\.tar\\.gz has ${listed} [0-9a-f]+, not the ${hashes[listed]} it was listed with`));
        assert.ok(received.length < tampered.length, `the consumer got ${received.length} of ${tampered.length} bytes`);
      },
    ),
    { numRuns: 300 },
  );
});

test('sizes: longer than listed stops at once, shorter fails at the end, unknown sizes stop at the maximum', async () => {
  const data = Buffer.alloc(10_000, 7);
  const sha256 = hex('sha256', data);
  const longer = await run(chunked(data, [4000, 8000]), verified(data, { sha256 }, 5000));
  assert.equal((longer.error as UpstreamIntegrityError).code, 'upstream.size-mismatch');
  assert.ok(longer.received.length <= 4000);

  const shorter = await run(chunked(data, [4000]), verified(data, { sha256 }, 20_000));
  assert.equal((shorter.error as UpstreamIntegrityError).code, 'upstream.file-truncated');
  assert.match((shorter.error as Error).message, /ended after 10000 of the 20000 bytes/);
  assert.ok(shorter.received.length < data.length);

  const endless = await run(chunked(data, [1000, 2000, 3000]), verified(data, { sha256 }, null, 2500));
  assert.equal((endless.error as UpstreamIntegrityError).code, 'upstream.file-too-large');
  assert.ok(endless.received.length <= 2000);
});

test('a file listed without a hash this process can compute is not fetched', () => {
  assert.throws(() => verifiableDigests({ ...SOURCE, name: 'pypi' }, 'a-1.tar.gz', {}), (e: unknown) => e instanceof UpstreamUnverifiableFileError && /a-1\.tar\.gz is listed with no hash/.test(e.message));
  assert.throws(() => verifiableDigests({ ...SOURCE, name: 'pypi' }, 'a-1.tar.gz', { blake2b_256: 'ab' }), /only hashes this gateway cannot compute \(blake2b_256\)/);
  assert.deepEqual(
    verifiableDigests({ ...SOURCE, name: 'pypi' }, 'a', { SHA256: 'AB', blake2b_256: 'cd', sha3_256: 'ef' }).map((d) => [d.name, d.algorithm, d.hex]),
    [
      ['sha256', 'sha256', 'ab'],
      ['sha3_256', 'sha3-256', 'ef'],
    ],
  );
});

/** Node's garbage collector, to measure live memory rather than garbage not yet collected. */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

test('memory stays flat for a 256 MiB file read by a slow consumer (backpressure holds)', { timeout: 60_000 }, async () => {
  const gc = collectGarbage();
  const size = 256 * 1024 * 1024;
  const block = createHash('sha512').update('seed').digest();
  const pattern = Buffer.alloc(64 * 1024);
  for (let i = 0; i < pattern.length; i += block.length) block.copy(pattern, i);
  let produced = 0;
  const source = (): Readable => {
    let sent = 0;
    return new Readable({
      read() {
        if (sent >= size) {
          this.push(null);
          return;
        }
        // A fresh buffer each time, as a socket gives: nothing shared would hide accumulation.
        const chunk = Buffer.from(pattern);
        chunk.writeUInt32LE(sent / pattern.length, 0);
        sent += chunk.length;
        produced += chunk.length;
        this.push(chunk);
      },
    });
  };
  const expected = createHash('sha256');
  for await (const chunk of source()) expected.update(chunk as Buffer);
  const digest = expected.digest('hex');
  const stream = verified(Buffer.alloc(0), { sha256: digest }, size);

  produced = 0;
  gc();
  const before = process.memoryUsage();
  let peakInFlight = 0;
  let peakLive = 0;
  let received = 0;
  let n = 0;
  await pipeline(
    source(),
    stream,
    new Writable({
      highWaterMark: 64 * 1024,
      write(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        peakInFlight = Math.max(peakInFlight, produced - received);
        if (++n % 256 === 0) {
          gc();
          const now = process.memoryUsage();
          peakLive = Math.max(peakLive, now.arrayBuffers + now.heapUsed - before.arrayBuffers - before.heapUsed);
          // A slow consumer now and then: the producer must wait, not pile up chunks.
          setTimeout(callback, 5);
        } else callback();
      },
    }),
  );
  assert.equal(received, size);
  assert.equal(stream.sha256, digest);
  // Bytes produced but not yet consumed: a few chunks of stream buffers, never the file.
  assert.ok(peakInFlight <= 1024 * 1024, `${peakInFlight} bytes were in flight at once`);
  assert.ok(peakLive < 16 * 1024 * 1024, `live memory grew by ${peakLive} bytes`);
});
