"""The production web server (`python -m diadi.web`, the Procfile's `web`): WEB_PROCESSES
Daphne processes on one port, each taking its share of the connections, stopped together."""

import http.client
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from conftest import _free_port, server_env, start_server, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def _children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def _established_on(port: int) -> set[int]:
    """Socket inodes of the server side of established TCP connections to `port`."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
            inodes.add(int(fields[9]))
    return inodes


def _sockets_of(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        target = os.readlink(fd) if fd.is_symlink() else ""
        if target.startswith("socket:["):
            inodes.add(int(target[len("socket:[") : -1]))
    return inodes


@pytest.fixture
def two_process_server():
    if not settings.USE_REDIS:
        pytest.skip("Several web processes share live sessions through Redis (REDIS_URL).")
    port = _free_port()
    env = {**server_env(), "WEB_PROCESSES": "2"}
    server = start_server(("diadi.web", "-b", "127.0.0.1", "-p", str(port)), env, port)
    yield server, port
    if server.poll() is None:
        server.terminate()
        server.wait(timeout=30)


def test_each_daphne_process_takes_its_share_of_the_connections(two_process_server):
    server, port = two_process_server
    daphnes = _children(server.pid)
    assert len(daphnes) == 2
    # Sixteen browsers keep their connections open, as keep-alive does.
    browsers = [http.client.HTTPConnection("127.0.0.1", port, timeout=30) for _ in range(16)]
    for browser in browsers:
        browser.request("GET", "/healthz")
        assert browser.getresponse().read() is not None
    connected = _established_on(port)
    served_by = [len(_sockets_of(daphne) & connected) for daphne in daphnes]
    for browser in browsers:
        browser.close()
    assert sum(served_by) == 16
    assert min(served_by) > 0, f"one process served them all: {served_by}"


def test_when_one_process_dies_the_server_stops_whole(two_process_server):
    server, _ = two_process_server
    first, second = _children(server.pid)
    os.kill(first, signal.SIGKILL)
    assert server.wait(timeout=30) != 0
    assert wait_for(lambda: not Path(f"/proc/{second}").exists(), seconds=30)


def test_stopping_the_server_stops_every_process(two_process_server):
    server, _ = two_process_server
    daphnes = _children(server.pid)
    server.terminate()
    assert server.wait(timeout=30) == 0
    for daphne in daphnes:
        assert not Path(f"/proc/{daphne}").exists()


def test_the_embedded_default_refuses_more_than_one_process():
    unset = ("REDIS_URL", "DATABASE_URL")
    env = {key: value for key, value in server_env().items() if key not in unset}
    env["WEB_PROCESSES"] = "2"
    refused = subprocess.run(
        [sys.executable, "-m", "diadi.web", "-b", "127.0.0.1", "-p", str(_free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode != 0
    assert "WEB_PROCESSES must be at least 1, and 1 without REDIS_URL" in refused.stderr
