"""An HTTP proxy between the app and the DynamoDB endpoint that injects faults on chosen
operations: reject (throttling, 5xx: nothing reaches the store), lose the response (the store
commits, the app sees a 5xx), or hold a request before or after the store sees it."""

from __future__ import annotations

import json
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from solace.embedded import free_port

ERRORS = {
    "throttled": (400, "ThrottlingException"),
    "server error": (500, "InternalServerError"),
    "unavailable": (503, "ServiceUnavailable"),
}


class FaultProxy:
    def __init__(self, upstream: str):
        self.upstream = upstream
        self.operation = "TransactWriteItems"
        self.mode: str | None = None  # reject | lose | hold_before | hold_after
        self.error = ERRORS["throttled"]
        self.times = 0
        self.seen = 0
        self.reached = threading.Event()
        self.release = threading.Event()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                target = self.headers.get("X-Amz-Target", "")
                if not target.endswith("." + proxy.operation) or proxy.times <= 0:
                    return self._forward(body)
                proxy.seen += 1
                proxy.times -= 1
                if proxy.mode == "reject":
                    return self._error()
                if proxy.mode == "lose":
                    self._upstream(body)
                    return self._error()
                if proxy.mode == "hold_before":
                    proxy.reached.set()
                    proxy.release.wait(30)
                    return self._forward(body)
                if proxy.mode == "hold_after":
                    status, headers, answer = self._upstream(body)
                    proxy.reached.set()
                    proxy.release.wait(30)
                    return self._reply(status, headers, answer)
                return self._forward(body)

            def _upstream(self, body):
                request = urllib.request.Request(
                    proxy.upstream + self.path,
                    data=body,
                    method="POST",
                    headers={k: v for k, v in self.headers.items() if k.lower() != "host"},
                )
                try:
                    # The upstream is the loopback store this test started.
                    with urllib.request.urlopen(request, timeout=30) as response:
                        return response.status, dict(response.headers), response.read()
                except urllib.error.HTTPError as error:
                    return error.code, dict(error.headers), error.read()

            def _forward(self, body):
                self._reply(*self._upstream(body))

            def _error(self):
                status, code = proxy.error
                answer = json.dumps(
                    {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": code}
                ).encode()
                self._reply(status, {"Content-Type": "application/x-amz-json-1.0"}, answer)

            def _reply(self, status, headers, answer):
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        if name.lower() not in (
                            "content-length",
                            "transfer-encoding",
                            "connection",
                            "date",
                            "server",
                        ):
                            self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # the worker that asked was killed meanwhile

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()

    def arm(self, mode: str, times: int = 1, error: str = "throttled") -> None:
        self.mode, self.times, self.error, self.seen = mode, times, ERRORS[error], 0
        self.reached.clear()
        self.release.clear()
