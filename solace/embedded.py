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


def serve(port: int) -> None:
    """Run moto's server on 127.0.0.1, one request at a time.

    moto applies a TransactWriteItems without isolation from concurrent requests; real DynamoDB
    serializes transactions. Serializing every request gives the embedded store the guarantees
    the app relies on (exactly-once intake under concurrent duplicates).
    """
    import threading

    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import run_simple

    os.environ.setdefault("MOTO_PORT", str(port))
    app = DomainDispatcherApplication(create_backend_app)
    lock = threading.Lock()

    def serialized(environ, start_response):
        with lock:
            return list(app(environ, start_response))

    run_simple("127.0.0.1", port, serialized, threaded=True, request_handler=MotoRequestHandler)


def start_moto_server(port: int | None = None) -> tuple[subprocess.Popen, str]:
    """Start the embedded store bound to 127.0.0.1 only; returns the process and its endpoint."""
    port = port or free_port()
    env = {**os.environ, **LOCAL_CREDENTIALS}
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "solace.embedded", str(port)],
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


def start_gunicorn(
    env: dict[str, str],
    *,
    workers: int = 2,
    threads: int = 8,
    port: int | None = None,
    extra_args: tuple[str, ...] = (),
    stdout=subprocess.DEVNULL,
) -> tuple[subprocess.Popen, str]:
    """Serve the app with a real gunicorn on 127.0.0.1; returns the process and its URL once
    /healthz answers."""
    port = port or free_port()
    process = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "solace.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--no-control-socket",
            *extra_args,
        ],
        env=env,
        stdout=stdout,
        stderr=subprocess.STDOUT if stdout is not subprocess.DEVNULL else None,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(url + "/healthz")
    except OSError:
        process.kill()
        raise
    return process, url


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
