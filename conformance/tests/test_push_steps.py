"""The push harness pieces: protocol lines, and send_push signing as REQ-PUSH-004 says."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

import jsonschema
import pytest

from axme_conformance.paths import DRIVER_SCHEMA_FILE
from axme_conformance.push_steps import PushStepError, PushStepFailure, send_push, signature
from axme_conformance.steps import _driver_message
from axme_conformance.templating import Variables

SCHEMA = json.loads(DRIVER_SCHEMA_FILE.read_text())


class _Ctx:
    vars = Variables()


def test_push_receiver_lines_follow_the_schema() -> None:
    harness = jsonschema.Draft202012Validator({**SCHEMA, "$ref": "#/$defs/harnessLine"})
    step = {"push_receiver": {"secrets": ["whsec_a"]}}
    message = {"id": 1, **_driver_message(_Ctx(), step, "push_receiver")}
    assert list(harness.iter_errors(message)) == [], message
    assert message["max_deliveries"] == 1 and message["handler"]["action"] == "complete"
    assert list(harness.iter_errors({"id": 2, "op": "push_receiver", "args": {}})), "no secrets"
    driver = jsonschema.Draft202012Validator(SCHEMA)
    assert list(driver.iter_errors({"id": 1, "receiver": {"url": "http://127.0.0.1:5/"}})) == []
    assert list(driver.iter_errors({"id": 1, "receiver": {"url": "http://10.0.0.1:5/"}}))


def test_signature_is_the_spec_vector() -> None:
    body = b'{"delivery_id":"dlv_01hx7k2m9q","intent_id":"6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10"}'
    assert signature("whsec_test_0123456789abcdef", 1795255200, body) == (
        "1f723a324da80f85e0bcd5977fd15a9c23ee3a73447542af42fbb67195ab270b"
    )


@pytest.fixture
def receiver() -> Any:
    seen: list[tuple[dict[str, str], bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            body = self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(({k.lower(): v for k, v in self.headers.items()}, body))
            self.send_response(202)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"accepted":"d1"}')

        def log_message(self, *args: Any) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}/", seen
    server.shutdown()


def test_send_push_signs_each_secret_and_can_tamper(receiver: Any) -> None:
    url, seen = receiver
    delivery = {"delivery_id": "d1", "intent_id": "i1", "attempt": 1}
    answer = send_push("step", {"url": url, "delivery": delivery, "secrets": ["s1", "s2"]}, None)
    assert answer == {"status": 202, "body": {"accepted": "d1"}}
    headers, body = seen[-1]
    t, v1a, v1b = headers["x-axme-signature"].split(",")
    timestamp = int(t.removeprefix("t="))
    assert v1a == "v1=" + signature("s1", timestamp, body)
    assert v1b == "v1=" + signature("s2", timestamp, body)
    assert headers["x-axme-delivery-id"] == "d1" and json.loads(body) == delivery
    send_push("step", {"url": url, "delivery": delivery, "secrets": ["s1"], "tamper": True}, None)
    headers, body = seen[-1]
    assert json.loads(body)["attempt"] == 2
    signed = json.dumps(delivery, separators=(",", ":")).encode()
    assert headers["x-axme-signature"].endswith(signature("s1", timestamp_of(headers), signed))
    with pytest.raises(PushStepFailure):
        send_push("step", {"url": url, "delivery": delivery, "secrets": ["s1"]}, {"status": 401})
    with pytest.raises(PushStepError):
        send_push(
            "step", {"url": "http://example.com/", "delivery": delivery, "secrets": ["s"]}, None
        )


def timestamp_of(headers: dict[str, str]) -> int:
    return int(headers["x-axme-signature"].split(",")[0].removeprefix("t="))
