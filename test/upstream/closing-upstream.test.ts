/**
 * An upstream that closes its connection after each response (HTTP/1.0, as python's http.server does), read by a
 * consumer slower than the network: undici 7 crashed the whole process when the socket ended while the body was
 * paused on its last chunk (src/upstream/last-chunk.ts). Each framing, with a reader that lags on every chunk: the
 * file arrives whole and verified, and the process is still here.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { UpstreamClient } from '../../src/upstream/index.js';

const BODY = randomBytes(1024 * 1024);
const SHA256 = createHash('sha256').update(BODY).digest('hex');

type Framing = 'content-length' | 'until-close' | 'chunked';

/** Answers every request with BODY in the framing its path names, then closes the connection. */
const server = createServer((socket: Socket) => {
  socket.once('data', (request: Buffer) => {
    const framing = /GET \/files\/([a-z-]+)\//.exec(request.toString('latin1'))?.[1] as Framing;
    const head = ['HTTP/1.0 200 OK', 'Content-Type: application/octet-stream'];
    if (framing === 'content-length') head.push(`Content-Length: ${BODY.length}`);
    if (framing === 'chunked') {
      socket.write(['HTTP/1.1 200 OK', 'Connection: close', 'Transfer-Encoding: chunked', '', ''].join('\r\n'));
      for (let at = 0; at < BODY.length; at += 100_000) {
        const part = BODY.subarray(at, at + 100_000);
        socket.write(`${part.length.toString(16)}\r\n`);
        socket.write(part);
        socket.write('\r\n');
      }
      socket.end('0\r\n\r\n');
      return;
    }
    socket.write([...head, '', ''].join('\r\n'));
    socket.end(BODY);
  });
  socket.on('error', () => {});
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const client = new UpstreamClient({ name: 'closing', url: `${origin}/simple/`, jsonApiUrl: false }, { proxy: 'none' });
after(async () => {
  await client.close();
  server.close();
});

for (const framing of ['content-length', 'until-close', 'chunked'] as const) {
  test(`${framing}: a slow reader gets the whole file from an upstream that closes its connections`, async () => {
    for (let round = 0; round < 3; round++) {
      const file = await client.fetchFile({ filename: 'demo-1.0-py3-none-any.whl', url: `${origin}/files/${framing}/demo-1.0-py3-none-any.whl`, hashes: { sha256: SHA256 } });
      const hash = createHash('sha256');
      let received = 0;
      for await (const chunk of file.body) {
        hash.update(chunk as Buffer);
        received += (chunk as Buffer).length;
        await sleep(1);
      }
      assert.equal(received, BODY.length);
      assert.equal(hash.digest('hex'), SHA256);
      assert.equal(file.body.sha256, SHA256);
    }
  });
}
