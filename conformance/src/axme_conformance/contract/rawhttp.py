"""Raw HTTP/1.1 over a socket, for checks httpx cannot express: an oversized request line
or head, a head that never ends, a connection that is refused, a malformed Content-Length,
many held streams (REQ-LIMIT-001..006)."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from axme_conformance.contract.client import check_envelope_rules, expect
from axme_conformance.testing_api import HARNESS_USER_AGENT


def request_head(method: str, target: str, headers: dict[str, str] | None = None) -> bytes:
    """A request line and head; header values are sent as latin-1 bytes, unchecked."""
    lines = [f"{method} {target} HTTP/1.1", "Host: localhost", f"User-Agent: {HARNESS_USER_AGENT}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


@dataclass
class RawResponse:
    status: int
    headers: dict[str, str]
    body: bytes

    def envelope(self, status: int, code: str) -> dict[str, Any]:
        """The error envelope of this response, checked (REQ-ERR-001..004); its details."""
        expect(
            self.status == status,
            f"expected {status} {code}, got {self.status}: {self.body[:300]!r}",
        )
        try:
            body = json.loads(self.body)
        except ValueError:
            raise AssertionError(
                f"{status} without a JSON error envelope: {self.body[:300]!r}"
            ) from None
        expect(
            isinstance(body, dict)
            and body.get("ok") is False
            and isinstance(body.get("error"), dict),
            f"not an error envelope: {body}",
        )
        expect(body["error"].get("code") == code, f"expected code {code}: {body}")
        check_envelope_rules(status, body)
        return dict(body["error"].get("details") or {})


class RawConnection:
    def __init__(self, base_url: str, timeout_s: float = 5.0) -> None:
        url = urlsplit(base_url)
        self.host = url.hostname or "127.0.0.1"
        port = url.port or (443 if url.scheme == "https" else 80)
        sock = socket.create_connection((self.host, port), timeout=timeout_s)
        if url.scheme == "https":
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=self.host)
        self.sock = sock

    def send(self, data: bytes) -> bool:
        """Send what the server takes; False when it hung up first (e.g. at a limit)."""
        try:
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def response(self, timeout_s: float = 5.0, *, read_body: bool = True) -> RawResponse:
        """The next response: head, and the body unless it is a stream (``read_body=False``)."""
        self.sock.settimeout(timeout_s)
        answer = http.client.HTTPResponse(self.sock)
        answer.begin()
        headers = {k.lower(): v for k, v in answer.getheaders()}
        body = answer.read() if read_body else b""
        self._answer = answer  # keeps a stream's reader alive
        return RawResponse(answer.status, headers, body)

    def closed_by_server(self, timeout_s: float = 2.0) -> bool:
        """True when the server closes the connection within ``timeout_s``."""
        self.sock.settimeout(timeout_s)
        try:
            while self.sock.recv(65536):
                pass
        except (ConnectionResetError, BrokenPipeError):
            return True
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass
