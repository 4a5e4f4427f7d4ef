"""Production's web server (the Procfile's `web`): WEB_PROCESSES Daphne processes on one port.

    python -m diadi.web -b 0.0.0.0 -p 8000

One Daphne process runs Python on one core at a time (the GIL): the JSON API, the pages and
the kill switch all wait behind it. Each process here gets a listening socket of its own on
the same port (SO_REUSEPORT), so the kernel spreads connections evenly between them; with one
shared socket, as supervisor's `fcgi-program` gives, keep-alive connections pile onto
whichever process happened to accept first (seen in bench/api_latency.py).

If any process stops, the others are stopped and this exits with its code, so whatever
supervises the Procfile restarts the web server whole.
"""

import argparse
import os
import signal
import socket
import subprocess
import sys
import time

# Connections the kernel queues per process before Daphne accepts them (Twisted's default
# is 50, too few for a burst of browsers reconnecting after a deploy).
BACKLOG = 1024
STOP_SECONDS = 20


def listening_sockets(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` IPv4 sockets listening on one port (port 0: a free one, the same for all)."""
    sockets: list[socket.socket] = []
    for _ in range(count):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind((host, port))
        port = sock.getsockname()[1]
        sock.listen(BACKLOG)
        sock.set_inheritable(True)
        sockets.append(sock)
    return sockets


def daphne_command(fd: int, proxy_headers: bool) -> list[str]:
    return [
        *(sys.executable, "-m", "daphne", "--fd", str(fd)),
        *(["--proxy-headers"] if proxy_headers else []),
        "diadi.asgi:application",
    ]


def serve(host: str, port: int, processes: int, proxy_headers: bool) -> int:
    """Runs the processes until one stops or this is told to stop; returns the exit code."""
    stopping = False

    def stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    children = []
    for sock in listening_sockets(host, port, processes):
        fd = sock.fileno()
        children.append(subprocess.Popen(daphne_command(fd, proxy_headers), pass_fds=(fd,)))
        # The child holds the socket now: were one to die, its queue must close with it.
        sock.close()
    print(f"Diadi is serving on {host}:{port} with {processes} Daphne processes", flush=True)
    stopped = None
    while not stopping and stopped is None:
        time.sleep(0.2)
        stopped = next((child for child in children if child.poll() is not None), None)
    for child in children:
        if child.poll() is None:
            child.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for child in children:
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
    if stopped is None:
        return 0
    print(f"A Daphne process stopped (exit code {stopped.returncode}): so did the rest", flush=True)
    return stopped.returncode or 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-b", "--bind", default="0.0.0.0", help="IPv4 address to listen on")
    parser.add_argument("-p", "--port", type=int, default=8000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diadi.settings")
    from django.conf import settings

    sys.exit(serve(args.bind, args.port, settings.WEB_PROCESSES, settings.TRUSTED_PROXY_COUNT > 0))


if __name__ == "__main__":
    main()
