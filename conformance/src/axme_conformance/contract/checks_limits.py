"""Contract checks: hostile input at the HTTP level (REQ-LIMIT-001, 004, 005, 011). Each
refusal is an error envelope, also when the HTTP parser itself refuses the request."""

from __future__ import annotations

import json
from typing import Any

from axme_conformance.contract.client import ContractClient, expect
from axme_conformance.contract.rawhttp import RawConnection, RawResponse, request_head
from axme_conformance.contract.registry import check


def _exchange(
    c: ContractClient, head: bytes, body: bytes = b"", *, closes: bool = False
) -> tuple[RawResponse, bool]:
    """Send one raw request; its response and (``closes``) whether the server then closed
    the connection within 1.5 s."""
    conn = RawConnection(c.base_url)
    try:
        conn.send(head + body)
        response = conn.response()
        return response, closes and conn.closed_by_server(timeout_s=1.5)
    finally:
        conn.close()


@check("limits/request-line-414", requirements=["REQ-LIMIT-001"])
def request_line_too_long(c: ContractClient) -> None:
    limit = c.limits.max_url_bytes
    # Just under the limit is an ordinary request.
    pad = "a" * (limit - 100)
    response, _ = _exchange(c, request_head("GET", f"/health?pad={pad}"))
    expect(
        response.status == 200,
        f"a {limit - 80}-byte request line must be served: {response.status}",
    )
    response, closed = _exchange(
        c, request_head("GET", f"/health?pad={pad}{'b' * 200}"), closes=True
    )
    details = response.envelope(414, "uri_too_long")
    expect(details.get("limit_bytes") == limit, f"details.limit_bytes must be {limit}: {details}")
    expect(closed, "the server must close the connection after 414")


@check("limits/request-head-431", requirements=["REQ-LIMIT-001"])
def request_head_too_large(c: ContractClient) -> None:
    limit = c.limits.max_header_bytes
    head = request_head("GET", "/health", {"x-pad": "a" * (limit // 2)})
    response, _ = _exchange(c, head)
    expect(response.status == 200, f"a {len(head)}-byte head must be served: {response.status}")
    # Over the limit: the server answers once it has `limit` bytes and stops reading.
    head = request_head(
        "GET", "/health", {f"x-pad-{i}": "a" * 1000 for i in range(limit // 1000 + 8)}
    )
    response, closed = _exchange(c, head, closes=True)
    details = response.envelope(431, "headers_too_large")
    expect(details.get("limit_bytes") == limit, f"details.limit_bytes must be {limit}: {details}")
    expect(closed, "the server must close the connection after 431")


def _nested(levels: int) -> Any:
    value: Any = 1
    for _ in range(levels):
        value = [value]
    return value


@check("limits/json-depth-400", requirements=["REQ-LIMIT-004"])
def json_too_deep(c: ContractClient) -> None:
    depth = c.limits.max_json_depth
    address, _ = c.new_agent()

    def create(payload_levels: int) -> Any:
        # The body is level 1, `payload` level 2: a payload of n levels makes n + 1.
        return c.request(
            "POST",
            "/v1/intents",
            body={
                "intent_type": "intent.contract.deep.v1",
                "to_agent": address,
                "payload": {"deep": _nested(payload_levels - 1)},
            },
        )

    refused = c.error(create(depth), 400, "invalid_json")
    expect(
        refused["error"]["details"].get("limit_depth") == depth,
        f"details.limit_depth must be {depth}: {refused['error']}",
    )
    listed = c.ok(c.request("GET", "/v1/intents", params={"to_agent": address}))["intents"]
    expect(listed == [], f"a refused body must store nothing: {listed}")
    c.ok(create(depth - 1))


@check("limits/media-type-encoding-and-malformed-http", requirements=["REQ-LIMIT-005"])
def media_type(c: ContractClient) -> None:
    address, _ = c.new_agent()
    body = json.dumps(
        {"intent_type": "intent.contract.media.v1", "to_agent": address, "payload": {}}
    )
    for media in ("text/plain", "application/x-www-form-urlencoded", "application/jsonx"):
        refused = c.error(
            c.request(
                "POST", "/v1/intents", content=body.encode(), headers={"content-type": media}
            ),
            415,
            "unsupported_media_type",
        )
        expect(bool(refused["error"]["message"]), f"{refused}")
    c.ok(
        c.request(
            "POST",
            "/v1/intents",
            content=body.encode(),
            headers={"content-type": "application/json; charset=utf-8"},
        )
    )
    not_utf8 = body.replace("media", "m\udcffedia").encode("utf-8", "surrogateescape")
    refused = c.error(c.request("POST", "/v1/intents", content=not_utf8), 400, "invalid_json")
    message = refused["error"]["message"].lower()
    expect("utf-8" in message or "utf8" in message, f"the message must say UTF-8: {message!r}")
    # Parser-level refusals carry the envelope too.
    for framing in (
        {"content-length": "12x"},
        {"content-length": "-1"},
        {"transfer-encoding": "chunked"},
    ):
        head = request_head(
            "POST",
            "/v1/intents",
            {"x-api-key": c.admin_key, "content-type": "application/json", **framing},
        )
        sent = b"zz\r\n{}\r\n0\r\n\r\n" if "transfer-encoding" in framing else b"{}"
        response, _ = _exchange(c, head, sent)
        response.envelope(400, "bad_request")


@check("limits/trace-id-400", requirements=["REQ-LIMIT-011"])
def trace_id(c: ContractClient) -> None:
    longest = "t" * 128
    response = c.request("GET", "/v1/intents", headers={"x-trace-id": longest}, params={"limit": 1})
    c.ok(response)
    expect(response.headers.get("x-trace-id") == longest, "a 128-character trace id is echoed")
    for bad in ("t" * 129, "has space"):
        refused = c.error(
            c.request("GET", "/v1/intents", headers={"x-trace-id": bad}), 400, "bad_request"
        )
        expect(
            refused["error"]["details"].get("field") == "X-Trace-Id",
            f"details.field must be X-Trace-Id for {bad!r}: {refused['error']}",
        )
    # Not ASCII (UTF-8 bytes of "café" on the wire).
    head = request_head(
        "GET",
        "/v1/intents",
        {"x-api-key": c.admin_key, "x-trace-id": "caf\u00e9".encode().decode("latin-1")},
    )
    details = _exchange(c, head)[0].envelope(400, "bad_request")
    expect(details.get("field") == "X-Trace-Id", f"details.field must be X-Trace-Id: {details}")
