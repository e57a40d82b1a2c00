"""Run localstripe (a fake Stripe HTTP server) on a loopback port, its store in memory.

    python -m tests.localstripe_server --port 8420

localstripe's own command listens on every interface and pickles its whole
store to a fixed file after each write; this runs its application bound to
127.0.0.1 with the store kept in memory, so parallel servers stay apart.
"""

from __future__ import annotations

import argparse
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

# The repository's root, from where ``-m tests.localstripe_server`` imports.
REPOSITORY = Path(__file__).resolve().parent.parent


def serve(port: int) -> None:
    from aiohttp import web
    from localstripe import resources, server

    resources.Store.dump_to_disk = lambda self: None
    web.run_app(server.app, host="127.0.0.1", port=port, print=None, access_log=None)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def running_localstripe(port: int | None = None):
    """Start a server in a child process; yield its base URL; stop it afterwards."""
    port = port or free_port()
    # A file, not a pipe: nobody reads a long-running server's output.
    errors = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.localstripe_server", "--port", str(port)],
        cwd=REPOSITORY,
        stdout=subprocess.DEVNULL,
        stderr=errors,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(url, process, errors)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        errors.close()


def wait_until_up(url: str, process: subprocess.Popen, errors, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            errors.seek(0)
            output = errors.read().decode(errors="replace")
            raise RuntimeError(f"localstripe exited: {output[-2000:]}")
        try:
            urllib.request.urlopen(f"{url}/v1/customers", timeout=1)
        except urllib.error.HTTPError:
            return  # it answers (401 without a key): it is up
        except OSError:
            time.sleep(0.1)
        else:
            return
    raise RuntimeError(f"localstripe did not start at {url}")


def wait_for(condition, timeout: float = 15.0):
    """Poll ``condition`` until it returns something truthy (localstripe sends ~1 s late)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {condition.__doc__ or condition}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8420)
    serve(parser.parse_args().port)
