"""A real HTTP receiver on 127.0.0.1 (a free port) for push tests: records every request
and answers as the test scripts it, per path: `ok` (200), `fail` (500), `hang` (until
released), `redirect` (302 to /ok), `huge` (a 200 whose body never ends within the cap)."""

from __future__ import annotations

import hashlib
import hmac
import queue
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


def verify(secret: str, header: str, body: bytes) -> bool:
    """REQ-PUSH-004/005: any v1= entry over `t.body` matches (constant-time compare)."""
    parts = [p.split("=", 1) for p in header.split(",")]
    t = next(v for k, v in parts if k == "t")
    want = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return any(k == "v1" and hmac.compare_digest(v, want) for k, v in parts)


class Receiver:
    def __init__(self) -> None:
        self.received: queue.Queue[Received] = queue.Queue()
        self.release = threading.Event()  # ends every hanging answer
        self.modes: dict[str, str] = {}  # path -> mode (default from the path's first segment)
        self.script: dict[str, list[str]] = {}  # path -> modes for its next requests, in order
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                receiver.received.put(
                    Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                script = receiver.script.get(self.path)
                mode = (
                    (script.pop(0) if script else None)
                    or receiver.modes.get(self.path)
                    or self.path.strip("/").split("/")[0]
                )
                try:
                    self._answer(mode)
                except OSError:  # the server gave up on us (timeout, cap): fine
                    pass

            def _answer(self, mode: str) -> None:
                if mode == "hang":
                    receiver.release.wait(60)
                    self._send(200, b"{}")
                elif mode == "fail":
                    self._send(500, b'{"error":"boom"}')
                elif mode == "redirect":
                    self.send_response(302)
                    self.send_header("location", "/ok/redirected")
                    self.send_header("content-length", "0")
                    self.end_headers()
                elif mode == "huge":  # no content-length: the cap must stop the read
                    self.send_response(200)
                    self.send_header("connection", "close")
                    self.end_headers()
                    chunk = b"x" * 65536
                    for _ in range(16 * 64):  # up to 64 MiB unless the server hangs up
                        self.wfile.write(chunk)
                else:
                    self._send(200, b'{"ok":true}')

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # (the default 5 drops a burst of pushes' connections)

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a push the server gave up on (timeout, answer cap) resets its connection

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def next(self, timeout: float = 10) -> Received:
        return self.received.get(timeout=timeout)

    def close(self) -> None:
        self.release.set()
        self.httpd.shutdown()
        self.httpd.server_close()
