"""Push scenarios (REQ-PUSH-*): the SDK's push receiver runs as a background driver op
(`push_receiver`, its URL saved under the step's `as`), and `send_push` posts a
delivery to it signed as the server signs (REQ-PUSH-003/004), optionally tampered,
stale, replayed or signed with several secrets."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from axme_conformance.driver import OpHandle
from axme_conformance.matchers import match

RECEIVER_START_TIMEOUT_S = 15.0


class PushStepError(Exception):
    """The push step could not run (ERROR, not the SDK's fault)."""


class PushStepFailure(Exception):
    """The receiver did not answer as expected (FAIL)."""


def receiver_url(handle: OpHandle, what: str) -> dict[str, Any]:
    """Wait for the receiver's `receiver` line; what `as:` saves (`${rx.url}`)."""
    if not handle.wait_items("receiver", 1, RECEIVER_START_TIMEOUT_S):
        raise PushStepFailure(
            f"{what}: the push receiver reported no URL within {RECEIVER_START_TIMEOUT_S}s "
            f"(final: {handle.final})"
        )
    return {"url": handle.bodies("receiver")[0]["url"]}


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def check_push_vectors(path: Path) -> list[str]:
    """`axme-conformance validate`: every signature in the shared push vectors is what
    REQ-PUSH-004 computes, and names are unique (so the file cannot drift)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for section in ("signatures", "verifications"):
        names = [v["name"] for v in data.get(section, [])]
        problems += [
            f"{path.name}: duplicate {section} name {n}" for n in set(names) if names.count(n) > 1
        ]
    for v in data.get("signatures", []):
        if signature(v["secret"], v["timestamp"], v["body"].encode("utf-8")) != v["signature"]:
            problems.append(f"{path.name}: signature {v['name']} is not HMAC-SHA256(t.body)")
    for v in data.get("verifications", []):
        expect = v.get("expect", {})
        if expect.get("ok") is not True and not expect.get("reason"):
            problems.append(f"{path.name}: {v['name']} expects neither ok nor a reason")
    return problems


def _compact(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def send_push(what: str, spec: dict[str, Any], expect: dict[str, Any] | None) -> dict[str, Any]:
    """POST `delivery` to `url` as the server would. Options: `secrets` (one v1 entry
    each), `timestamp_offset_s` (from now), `tamper: true` (the body sent has another
    attempt number than the body signed), `delivery_id` (the header; default the body's)."""
    url = str(spec["url"])
    if urlsplit(url).hostname != "127.0.0.1":
        raise PushStepError(f"{what}: push receivers listen on 127.0.0.1, not {url}")
    delivery = dict(spec["delivery"])
    signed = _compact(delivery)
    sent = signed
    if spec.get("tamper"):
        sent = _compact({**delivery, "attempt": int(delivery.get("attempt") or 0) + 1})
    timestamp = int(time.time()) + int(spec.get("timestamp_offset_s", 0))
    entries = [f"v1={signature(s, timestamp, signed)}" for s in spec["secrets"]]
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "axme-conformance/push",
        "X-Axme-Signature": ",".join([f"t={timestamp}", *entries]),
        "X-Axme-Delivery-Id": str(spec.get("delivery_id", delivery["delivery_id"])),
    }
    try:
        response = httpx.post(url, content=sent, headers=headers, timeout=10.0)
    except httpx.HTTPError as exc:
        raise PushStepFailure(f"{what}: the push receiver at {url} did not answer: {exc}") from exc
    try:
        body: Any = response.json()
    except ValueError:
        body = response.text
    actual = {"status": response.status_code, "body": body}
    pattern = expect if expect is not None else {"status": {"$gte": 200, "$lt": 300}}
    problems = match(pattern, actual, what)
    if problems:
        raise PushStepFailure("; ".join(problems[:6]) + f" — answer: {actual}")
    return actual
