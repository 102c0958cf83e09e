/**
 * The same floor as bench/floor/proxy.py, in Node: what the runtime itself costs a caching proxy for a cold file,
 * with no HTTP library and no framework. Node's sockets, sha256, writes of 512 KiB batches on the thread pool (as
 * src/upstream/shared-download.ts does), the client's backpressure pausing the upstream. Plain HTTP, not a product.
 *
 *   node bench/floor/proxy.mjs UPSTREAM_HOST UPSTREAM_PORT TEMP_DIR   (prints the port it listens on)
 */
import { createHash, randomUUID } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

const [host, port, tempDir] = process.argv.slice(2);
const BATCH = 512 * 1024;

/** Reads an HTTP head from `socket`; calls `onHead(head, rest)` once, then `onBody(chunk)` for every later chunk. */
function readHead(socket, onHead, onBody = () => {}) {
  let head = Buffer.alloc(0);
  let done = false;
  socket.on('data', (chunk) => {
    if (done) return onBody(chunk);
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    done = true;
    onHead(head.subarray(0, end).toString('latin1'), head.subarray(end + 4));
  });
}

const server = createServer((client) => {
  readHead(client, async (request) => {
    client.removeAllListeners('data');
    const path = request.split(' ')[1];
    const file = join(tempDir, randomUUID());
    const handle = await open(file, 'w');
    const hash = createHash('sha256');
    let batch = [];
    let batched = 0;
    let position = 0;
    let writes = Promise.resolve();
    const flush = () => {
      const [buffers, at] = [batch, position];
      position += batched;
      batch = [];
      batched = 0;
      writes = writes.then(() => handle.writev(buffers, at));
    };
    const upstream = connect(Number(port), host);
    const body = (chunk) => {
      if (chunk.length === 0) return;
      hash.update(chunk);
      batch.push(chunk);
      batched += chunk.length;
      if (batched >= BATCH) flush();
      if (!client.write(chunk)) {
        upstream.pause();
        client.once('drain', () => upstream.resume());
      }
    };
    readHead(
      upstream,
      (head, rest) => {
        const length = /^content-length:\s*(\d+)/im.exec(head)[1];
        client.write(`HTTP/1.1 ${head.split(' ')[1]} OK\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`);
        body(rest);
      },
      body,
    );
    upstream.on('end', async () => {
      if (batched > 0) flush();
      hash.digest('hex');
      client.end();
      await writes;
      await handle.close();
      await unlink(file);
    });
    upstream.write(`GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
