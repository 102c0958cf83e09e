"""
The least any caching proxy must do with a cold file, as a yardstick for bench/proxy.ts (c): receive the file from
the upstream, sha256 it, write it to a temporary file and send it to the client, in one thread, 1 MiB at a time.
No HTTP library, no error handling beyond what a benchmark needs, plain HTTP only: not a product, a floor.

    python3 bench/floor/proxy.py UPSTREAM_HOST UPSTREAM_PORT TEMP_DIR   (prints the port it listens on)

Each request `GET /path` is answered with the upstream's `GET /path` (its Content-Length passed on).
"""
import hashlib
import os
import socket
import sys
import tempfile

CHUNK = 1 << 20


def read_head(sock: socket.socket) -> tuple[bytes, bytes]:
    data = b''
    while b'\r\n\r\n' not in data:
        more = sock.recv(65536)
        if not more:
            raise ConnectionError('closed before the end of the head')
        data += more
    head, rest = data.split(b'\r\n\r\n', 1)
    return head, rest


def serve(client: socket.socket, host: str, port: int, temp_dir: str) -> None:
    request, _ = read_head(client)
    path = request.split(b' ')[1]
    upstream = socket.create_connection((host, port))
    upstream.sendall(b'GET ' + path + b' HTTP/1.1\r\nHost: ' + host.encode() + b'\r\nConnection: close\r\n\r\n')
    head, rest = read_head(upstream)
    status = head.split(b' ')[1]
    length = next(int(line.split(b':')[1]) for line in head.split(b'\r\n') if line.lower().startswith(b'content-length:'))
    client.sendall(b'HTTP/1.1 %s OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n' % (status, length))
    digest = hashlib.sha256()
    fd, temp = tempfile.mkstemp(dir=temp_dir)
    try:
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        chunk = memoryview(rest)
        while True:
            if len(chunk) > 0:
                digest.update(chunk)
                os.write(fd, chunk)
                client.sendall(chunk)
            n = upstream.recv_into(view)
            if n == 0:
                break
            chunk = view[:n]
        digest.hexdigest()
    finally:
        os.close(fd)
        os.unlink(temp)
        upstream.close()


def main() -> None:
    host, port, temp_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(('127.0.0.1', 0))
    server.listen(8)
    print(server.getsockname()[1], flush=True)
    while True:
        client, _ = server.accept()
        try:
            serve(client, host, port, temp_dir)
        finally:
            client.close()


if __name__ == '__main__':
    main()
