"""The embedded local store: moto's server (DynamoDB, S3, KMS) on loopback, in memory.

Used by `make run`, by the test suite's live fixtures and by .ci/run. moto is a development
dependency: nothing in the production image imports this module.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request

LOCAL_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback only)
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def start_moto_server(port: int | None = None) -> tuple[subprocess.Popen, str]:
    """Start moto's server bound to 127.0.0.1 only; returns the process and its endpoint."""
    port = port or free_port()
    env = {**os.environ, **LOCAL_CREDENTIALS}
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(endpoint + "/moto-api/")
    except OSError:
        process.kill()
        raise
    return process, endpoint


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
