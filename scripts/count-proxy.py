"""Counts the HTTP requests passing through a Unix socket (the Docker Engine API) for
scripts/bench-drift.sh: the Docker Engine keeps no request counter of its own.

    count-proxy.py LISTEN_SOCKET TARGET_SOCKET COUNT_FILE

Listens on LISTEN_SOCKET, forwards every connection to TARGET_SOCKET unchanged, and keeps the
number of requests seen so far (request lines sent by clients) in COUNT_FILE. Runs until killed.
"""

import os
import re
import socket
import sys
import threading

REQUEST = re.compile(rb"(?:GET|HEAD|POST|PUT|PATCH|DELETE|OPTIONS) /\S* HTTP/1\.[01]\r\n")
TAIL = 4096

lock = threading.Lock()
count = 0


def publish(count_file, added):
    global count
    with lock:
        count += added
        temporary = count_file + ".tmp"
        with open(temporary, "w") as f:
            f.write(f"{count}\n")
        os.replace(temporary, count_file)


def pipe(source, sink, count_file):
    """Copies source to sink; counts request lines when count_file is given."""
    tail = b""
    try:
        while True:
            data = source.recv(65536)
            if not data:
                break
            if count_file:
                seen = tail + data
                # A request line wholly inside the kept tail was counted with the last chunk.
                added = sum(1 for m in REQUEST.finditer(seen) if m.end() > len(tail))
                if added:
                    publish(count_file, added)
                tail = seen[-TAIL:]
            sink.sendall(data)
    except OSError:
        pass
    finally:
        try:
            sink.shutdown(socket.SHUT_WR)
        except OSError:
            pass


def serve(client, target, count_file):
    upstream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        upstream.connect(target)
    except OSError:
        client.close()
        return
    back = threading.Thread(target=pipe, args=(upstream, client, None), daemon=True)
    back.start()
    pipe(client, upstream, count_file)
    back.join()
    client.close()
    upstream.close()


def main():
    listen, target, count_file = sys.argv[1:4]
    publish(count_file, 0)
    if os.path.exists(listen):
        os.unlink(listen)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(listen)
    server.listen(128)
    while True:
        client, _ = server.accept()
        threading.Thread(target=serve, args=(client, target, count_file), daemon=True).start()


if __name__ == "__main__":
    main()
