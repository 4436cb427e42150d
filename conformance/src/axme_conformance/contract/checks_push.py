"""Contract checks (testing servers): the http push binding from the server's side
(REQ-PUSH-*) and the signing-secret operations (REQ-SECRET-*). The harness runs a real
receiver on 127.0.0.1, so the server under test must reach the harness's loopback
(as a --testing server on the same machine does)."""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

from axme_conformance.contract.client import CheckFailed, ContractClient, expect
from axme_conformance.contract.registry import check

SECRET = "whsec_contract_0123456789abcdef"
GENERATED = re.compile(r"whsec_[0-9A-Za-z]{32}")
SIGNATURE = re.compile(r"t=(\d+)((?:,v1=[0-9a-f]{64})+)")
WAIT_S = 10.0


class Receiver:
    """Records every POST; answers per path: /ok… 200, /fail… 500, /redirect… 302,
    /huge… a 200 body far over 64 KiB."""

    def __init__(self) -> None:
        self.received: queue.Queue[tuple[str, dict[str, str], bytes]] = queue.Queue()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                outer.received.put(
                    (self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                )
                kind = self.path.strip("/").split("/")[0]
                status, extra, answer = {
                    "fail": (500, {}, b"{}"),
                    "redirect": (302, {"location": "/ok/moved"}, b""),
                    "huge": (200, {}, b"x" * (1 << 20)),
                }.get(kind, (200, {}, b"{}"))
                try:
                    self.send_response(status)
                    for k, v in {**extra, "content-length": str(len(answer))}.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:  # the server hung up (e.g. at its answer cap)
                    pass

        class Server(ThreadingHTTPServer):
            request_queue_size = 128
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # a push the server gave up on (timeout, answer cap) resets its connection

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def next(self, what: str) -> tuple[str, dict[str, str], bytes]:
        try:
            return self.received.get(timeout=WAIT_S)
        except queue.Empty:
            raise CheckFailed(f"no push within {WAIT_S}s ({what})") from None

    def quiet(self, seconds: float) -> None:
        try:
            path, _, _ = self.received.get(timeout=seconds)
        except queue.Empty:
            return
        raise CheckFailed(f"unexpected request to {path}")


@contextmanager
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    try:
        yield r
    finally:
        r.httpd.shutdown()
        r.httpd.server_close()


def signed_by(secret: str, header: str, body: bytes) -> bool:
    m = SIGNATURE.fullmatch(header)
    expect(m is not None, f"X-Axme-Signature must be t=<unix seconds>,v1=<hex>[,v1=…]: {header!r}")
    assert m is not None
    want = hmac.new(secret.encode(), m.group(1).encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(v, want) for v in re.findall(r"v1=([0-9a-f]{64})", m.group(2)))


def http_agent(c: ContractClient, url: str, **extra: Any) -> tuple[str, str, dict[str, Any]]:
    body = c.ok(
        c.request(
            "POST",
            "/v1/agents",
            body={
                "address": c.unique("pushed"),
                "delivery_mode": "http",
                "callback_url": url,
                **extra,
            },
        )
    )
    return body["agent"]["address"], body["api_key"], body


def event(c: ContractClient, intent_id: str, event_type: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        for ev in c.events(intent_id):
            if ev["event_type"] == event_type:
                return ev
        time.sleep(0.05)
    raise CheckFailed(
        f"no {event_type} on {intent_id} within {WAIT_S}s: "
        f"{[e['event_type'] for e in c.events(intent_id)]}"
    )


def plus(at: str, seconds: float) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00")) + timedelta(seconds=seconds)


@check("push/callback-url-must-be-absolute-http", requirements=["REQ-PUSH-001"])
def callback_url_validated(c: ContractClient) -> None:
    for url in (
        "http://",
        "ftp://example.com/h",
        "/relative",
        "example.com/h",
        "http://host/h#frag",
        7,
    ):
        body = c.error(
            c.request(
                "POST",
                "/v1/agents",
                body={"address": c.unique("bad-url"), "delivery_mode": "http", "callback_url": url},
            ),
            422,
            "validation_error",
        )
        expect(
            body["error"]["details"].get("field") == "callback_url",
            f"callback_url {url!r}: details.field must be callback_url: {body}",
        )
    c.error(
        c.request(
            "POST", "/v1/agents", body={"address": c.unique("no-url"), "delivery_mode": "http"}
        ),
        422,
        "validation_error",
    )


@check(
    "push/callback-secret-given-or-generated-once",
    requirements=["REQ-PUSH-002", "REQ-SECRET-001", "REQ-SECRET-002", "REQ-SECRET-003"],
)
def callback_secret(c: ContractClient) -> None:
    _, _, given = http_agent(c, "https://example.com/hook", callback_secret=SECRET)
    expect("callback_secret" not in given, f"a client-chosen secret is not echoed: {given}")
    address, _, generated = http_agent(c, "https://example.com/hook")
    secret = generated.get("callback_secret")
    expect(
        isinstance(secret, str) and GENERATED.fullmatch(secret) is not None,
        f"a generated callback_secret is whsec_ + 32 base62: {generated}",
    )
    shown = (
        c.request("GET", f"/v1/agents/{quote(address, safe='')}").text
        + c.request("GET", "/v1/agents").text
    )
    expect(str(secret) not in shown, "the callback secret must never be read back")
    for body, field in (
        (
            {
                "delivery_mode": "http",
                "callback_url": "https://example.com/h",
                "callback_secret": "short",
            },
            "callback_secret",
        ),
        ({"delivery_mode": "stream", "callback_secret": SECRET}, "callback_secret"),
    ):
        bad = c.error(
            c.request("POST", "/v1/agents", body={"address": c.unique("bad-secret"), **body}),
            422,
            "validation_error",
        )
        expect(
            bad["error"]["details"].get("field") == field, f"details.field must be {field}: {bad}"
        )


@check(
    "push/signed-delivery-then-ack-and-complete",
    requirements=["REQ-PUSH-003", "REQ-PUSH-004", "REQ-PUSH-006", "REQ-PUSH-007"],
    needs="testing",
)
def signed_delivery(c: ContractClient) -> None:
    with receiver() as r:
        address, key, _ = http_agent(c, r.url + "/ok/signed", callback_secret=SECRET)
        intent_id = c.new_intent(address)
        _, headers, body = r.next("the first push")
        expect(
            headers.get("content-type", "").startswith("application/json"),
            f"content-type: {headers}",
        )
        delivery = json.loads(body)
        expect(
            delivery.get("intent_id") == intent_id
            and delivery.get("status") == "DELIVERED"
            and delivery.get("attempt") == 1,
            f"the body is the Delivery JSON: {delivery}",
        )
        expect(
            headers.get("x-axme-delivery-id") == delivery["delivery_id"],
            "X-Axme-Delivery-Id = delivery_id",
        )
        signature = headers.get("x-axme-signature", "")
        expect(
            not signature.startswith("sha256="), "a v1 server never sends the legacy signature form"
        )
        expect(
            signed_by(SECRET, signature, body),
            f"the signature must verify over t.body: {signature}",
        )
        t = int(signature.split(",")[0][2:])
        expect(abs(t - time.time()) < 60, f"t is the server's wall clock: {t}")
        c.wait_intent(intent_id, lambda i: i["status"] == "DELIVERED")  # a 2xx: the lease stands
        done = c.ack_and_complete(intent_id, key, delivery["delivery_id"], {"pushed": True})
        expect(
            done["intent"]["status"] == "COMPLETED",
            f"completed over the API: {done['intent']['status']}",
        )


@check("push/failed-push-backoff-then-failed", requirements=["REQ-PUSH-006"], needs="testing")
def failed_push(c: ContractClient) -> None:
    with receiver() as r:
        address, _, _ = http_agent(c, r.url + "/fail/always", callback_secret=SECRET)
        intent_id = c.new_intent(address, max_delivery_attempts=2)
        _, first, _ = r.next("the first push")
        ev = event(c, intent_id, "intent.redelivered")
        data = ev["data"]
        expect(
            ev["status"] == "SUBMITTED"
            and data.get("reason") == "push_failed"
            and data.get("attempt") == 1
            and data.get("previous_delivery_id") == first.get("x-axme-delivery-id"),
            f"a 500 ends the delivery: T5 push_failed: {ev}",
        )
        expect(
            isinstance(data.get("retry_at"), str)
            and plus(data["retry_at"], 0) == plus(ev["at"], 1),
            f"retry_at = at + min(2^(1-1), 60) s: {ev}",
        )
        c.ok(c.request("POST", "/_testing/clock", key=None, body={"advance_seconds": 1}))
        _, second, _ = r.next("the push after the backoff")
        expect(
            second.get("x-axme-delivery-id") != first.get("x-axme-delivery-id"),
            "a new lease, a new delivery id",
        )
        failed = event(c, intent_id, "intent.delivery_failed")
        expect(failed["status"] == "FAILED", f"attempts exhausted: T6 FAILED: {failed}")
        delivered = [e for e in c.events(intent_id) if e["event_type"] == "intent.delivered"]
        expect(
            len(delivered) == 2 and plus(delivered[1]["at"], 0) >= plus(data["retry_at"], 0),
            f"the second push is not before retry_at: {[e['at'] for e in delivered]}",
        )


@check(
    "push/redirect-and-huge-answer-fail",
    requirements=["REQ-PUSH-006", "REQ-PUSH-009"],
    needs="testing",
)
def outbound_limits(c: ContractClient) -> None:
    with receiver() as r:
        for path in ("/redirect/hook", "/huge/hook"):
            address, _, _ = http_agent(c, r.url + path, callback_secret=SECRET)
            intent_id = c.new_intent(address, max_delivery_attempts=1)
            got, _, _ = r.next(path)
            expect(got == path, f"pushed to {got}, not {path}")
            failed = event(c, intent_id, "intent.delivery_failed")
            expect(failed["status"] == "FAILED", f"{path}: the push must fail: {failed}")
        r.quiet(0.5)  # the redirect's target was never requested


@check(
    "secrets/rotation-overlap-signs-with-both",
    requirements=["REQ-SECRET-004", "REQ-SECRET-005", "REQ-SECRET-006"],
    needs="testing",
)
def callback_rotation(c: ContractClient) -> None:
    with receiver() as r:
        address, key, _ = http_agent(c, r.url + "/ok/rotated", callback_secret=SECRET)
        path = f"/v1/agents/{quote(address, safe='')}/callback-secret"
        rotated = c.ok(c.request("POST", path, key=key, body={"overlap_seconds": 3600}))
        new = rotated.get("callback_secret")
        expect(
            isinstance(new, str)
            and GENERATED.fullmatch(new) is not None
            and bool(rotated.get("previous_expires_at")),
            f"rotation returns the new secret once and when the old one ends: {rotated}",
        )
        c.new_intent(address)
        _, headers, body = r.next("a push during the overlap")
        signature = headers.get("x-axme-signature", "")
        expect(
            signature.count(",v1=") == 2
            and signed_by(str(new), signature, body)
            and signed_by(SECRET, signature, body),
            f"during the overlap both secrets sign: {signature}",
        )
        expect(
            signed_by(str(new), signature.rsplit(",", 1)[0], body),
            "the current secret's v1 comes first",
        )
        bad = c.error(
            c.request("POST", path, body={"overlap_seconds": 604801}), 422, "validation_error"
        )
        expect(bad["error"]["details"].get("field") == "overlap_seconds", f"{bad}")
        stream_addr, _ = c.new_agent("not-http", "stream")
        c.error(
            c.request("POST", f"/v1/agents/{quote(stream_addr, safe='')}/callback-secret"),
            409,
            "invalid_transition",
        )


@check(
    "secrets/workspace-and-link-secret-rotation", requirements=["REQ-SECRET-007", "REQ-SECRET-008"]
)
def workspace_secrets(c: ContractClient) -> None:
    first = c.ok(c.request("POST", "/v1/workspace/webhook-secret", body={"overlap_seconds": 0}))
    expect(
        GENERATED.fullmatch(str(first.get("webhook_secret"))) is not None
        and first.get("previous_expires_at") is None,
        f"webhook secret shown once, nothing kept at overlap 0: {first}",
    )
    second = c.ok(c.request("POST", "/v1/workspace/webhook-secret"))
    expect(
        second.get("webhook_secret") != first["webhook_secret"]
        and bool(second.get("previous_expires_at")),
        f"a new secret; the previous one kept for the default overlap: {second}",
    )
    _, agent_key = c.new_agent("secret-denied")
    c.forbidden(c.request("POST", "/v1/workspace/webhook-secret", key=agent_key), "admin_required")
    c.forbidden(c.request("POST", "/v1/server/link-secret", key=agent_key), "operator_required")
    link = c.request("POST", "/v1/server/link-secret", body={"overlap_seconds": 60})
    if link.status_code == 200:  # the suite's key is an operator key
        body = c.ok(link)
        expect(
            set(body) == {"ok", "rotated_at", "previous_expires_at"},
            f"the link secret never leaves: {body}",
        )
    else:
        c.forbidden(link, "operator_required")
