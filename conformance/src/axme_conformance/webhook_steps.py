"""Webhook scenarios (REQ-NOTIFY-008, REQ-SECRET-007): `webhook_receiver` starts a
receiver in the harness (the contract suite's, on 127.0.0.1; a POST to a path under
`/ok` answers 200, under `/fail` 500) and saves `${NAME.url}`; `webhooks: {receiver,
count, secrets}` waits for that many POSTs and gives each as `{path, headers, body,
verified}`: `verified` is whether its `X-Axme-Signature` verifies with one of `secrets`
(REQ-PUSH-004's scheme), so a scenario can hold a secret an SDK answered against what
the server signs with."""

from __future__ import annotations

import hmac
import json
import queue
import re
import time
from typing import Any

from axme_conformance.contract.checks_push import Receiver
from axme_conformance.push_steps import signature

_HEADER = re.compile(r"t=(\d+)((?:,v1=[0-9a-f]{64})+)")


class WebhookReceiver:
    """A running receiver and every POST it has handed to the scenario so far."""

    def __init__(self) -> None:
        self._receiver = Receiver()
        self.url = self._receiver.url
        self.seen: list[tuple[str, dict[str, str], bytes]] = []

    def wait(self, count: int, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        while len(self.seen) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                self.seen.append(self._receiver.received.get(timeout=left))
            except queue.Empty:
                return False
        return True

    def stop(self) -> None:
        self._receiver.httpd.shutdown()
        self._receiver.httpd.server_close()


def verified(secrets: list[str], header: str, body: bytes) -> bool:
    m = _HEADER.fullmatch(header)
    if m is None:
        return False
    wanted = {signature(s, int(m.group(1)), body) for s in secrets}
    given = re.findall(r"v1=([0-9a-f]{64})", m.group(2))
    return any(hmac.compare_digest(g, w) for g in given for w in wanted)


def received(receiver: WebhookReceiver, secrets: list[str]) -> list[dict[str, Any]]:
    out = []
    for path, headers, body in receiver.seen:
        try:
            parsed: Any = json.loads(body)
        except ValueError:
            parsed = body.decode("utf-8", "replace")
        out.append(
            {
                "path": path,
                "headers": headers,
                "body": parsed,
                "verified": verified(secrets, headers.get("x-axme-signature", ""), body),
            }
        )
    return out
