"""The HTTP-push binding (REQ-PUSH-*): verify a pushed delivery, or run a ready receiver.

`verify_delivery` is framework-neutral: give it the raw body bytes and the headers.
`PushReceiver` is an ASGI app that verifies each POST, acks the delivery and runs
the same handler path as `AsyncAxmeClient.serve` (lease renewal, then resume with
the handler's result or fail with its exception), so an agent switches between the
stream and push bindings by configuration alone.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import socket
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping, MutableMapping, Sequence
from typing import Any, Protocol

from .async_client import AsyncAxmeClient, AsyncDeliveryHandler
from .errors import AxmeError, ConflictError
from .models import Delivery

__all__ = [
    "DEFAULT_TOLERANCE_SECONDS",
    "REPLAY_WINDOW_SECONDS",
    "InMemorySeenDeliveries",
    "PushReceiver",
    "SeenDeliveries",
    "SignatureError",
    "sign_delivery",
    "verify_delivery",
]

logger = logging.getLogger("axme")

SIGNATURE_HEADER = "x-axme-signature"
DELIVERY_ID_HEADER = "x-axme-delivery-id"
#: REQ-PUSH-005: reject when |now - t| exceeds this many seconds.
DEFAULT_TOLERANCE_SECONDS = 300.0
#: REQ-PUSH-005: a delivery id accepted within this many seconds is refused.
REPLAY_WINDOW_SECONDS = 600.0
#: A receiver reads at most this much of a request body (413 beyond).
MAX_BODY_BYTES = 8 * 1024 * 1024


class SignatureError(AxmeError):
    """A pushed delivery failed verification; a receiver answers 401 (REQ-PUSH-005).

    `reason` is one of missing_signature, malformed_signature, stale_timestamp,
    signature_mismatch, missing_delivery_id, malformed_body, delivery_id_mismatch,
    replayed_delivery (the same codes in every SDK).
    """

    error_type = "Signature"

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class SeenDeliveries(Protocol):
    """Where accepted delivery ids are remembered (replace it with a shared store when
    several receiver processes sit behind one URL)."""

    def add(self, delivery_id: str) -> bool:
        """Remember the id; False if it was already accepted within the replay window."""
        ...


class InMemorySeenDeliveries:
    """Delivery ids accepted in the last `ttl` seconds, in this process's memory."""

    def __init__(
        self, ttl: float = REPLAY_WINDOW_SECONDS, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()  # id -> accepted at, oldest first
        self._lock = threading.Lock()

    def add(self, delivery_id: str) -> bool:
        now = self._clock()
        with self._lock:
            while self._seen:  # expire from the oldest end: memory stays bounded by the TTL
                oldest, at = next(iter(self._seen.items()))
                if now - at < self._ttl:
                    break
                del self._seen[oldest]
            if delivery_id in self._seen:
                return False
            self._seen[delivery_id] = now
            return True


_PROCESS_SEEN = InMemorySeenDeliveries()


def sign_delivery(body: bytes | str, secret: str, timestamp: int) -> str:
    """The `X-Axme-Signature` value for `body` (REQ-PUSH-004), e.g. to test a receiver."""
    return f"t={timestamp},v1={_signature(secret, timestamp, _as_bytes(body))}"


def verify_delivery(
    raw_body: bytes | str,
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
    secret: str | Sequence[str],
    *,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
    seen: SeenDeliveries | None = None,
    now: float | None = None,
) -> Delivery:
    """Check a pushed delivery (REQ-PUSH-005) and return it typed, or raise SignatureError.

    `raw_body` must be the exact bytes received; `secret` may be several during a
    rotation. Accepted ids are remembered in `seen` (default: this process's memory).
    """
    body = _as_bytes(raw_body)
    lookup = _header_lookup(headers)
    timestamp, signatures = _parse_signature_header(lookup(SIGNATURE_HEADER))
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureError(
            "stale_timestamp", f"timestamp {timestamp} is outside ±{tolerance:g} s"
        )
    secrets = [secret] if isinstance(secret, str) else list(secret)
    expected = [_signature(s, timestamp, body) for s in secrets]
    if not any(hmac.compare_digest(e, given) for e in expected for given in signatures):
        raise SignatureError("signature_mismatch", "no v1 signature matches the secret")
    delivery_id = lookup(DELIVERY_ID_HEADER)
    if not delivery_id:
        raise SignatureError("missing_delivery_id", "no X-Axme-Delivery-Id header")
    delivery = _parse_delivery(body)
    if delivery.delivery_id != delivery_id:
        raise SignatureError("delivery_id_mismatch", "X-Axme-Delivery-Id differs from the body")
    if not (seen or _PROCESS_SEEN).add(delivery_id):
        raise SignatureError("replayed_delivery", f"delivery {delivery_id} was already accepted")
    return delivery


def _as_bytes(body: bytes | str) -> bytes:
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


def _signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), signed, hashlib.sha256).hexdigest()


def _header_lookup(
    headers: Mapping[str, str] | Iterable[tuple[str, str]],
) -> Callable[[str], str | None]:
    items = headers.items() if isinstance(headers, Mapping) else headers
    by_name = {str(k).lower(): str(v) for k, v in items}
    return by_name.get


def _parse_signature_header(value: str | None) -> tuple[int, list[str]]:
    if not value:
        raise SignatureError("missing_signature", "no X-Axme-Signature header")
    timestamp: int | None = None
    signatures: list[str] = []
    for entry in value.split(","):
        key, _, item = entry.strip().partition("=")
        if key == "t" and item.isdigit() and item.isascii():
            timestamp = int(item)
        elif key == "t":
            raise SignatureError("malformed_signature", "the t entry is not unix seconds")
        elif key == "v1":
            signatures.append(item)
    if timestamp is None or not signatures:
        raise SignatureError("malformed_signature", "X-Axme-Signature needs t= and v1=")
    return timestamp, signatures


def _parse_delivery(body: bytes) -> Delivery:
    try:
        data = json.loads(body)
        if not isinstance(data, dict) or not isinstance(data.get("delivery_id"), str):
            raise ValueError("not a Delivery object")
        delivery = Delivery(data)
        delivery.intent_id  # noqa: B018 - validates presence
    except (ValueError, KeyError, UnicodeDecodeError) as exc:
        raise SignatureError("malformed_body", "the signed body is not a Delivery") from exc
    return delivery


# --- the ASGI receiver -------------------------------------------------------------

Scope = MutableMapping[str, Any]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]


class PushReceiver:
    """ASGI app for the push binding: POSTs are verified (401 otherwise), acked, answered
    202 and then handled in the background exactly as `serve` handles a delivery.

    A delivery that is no longer ours (409 on ack) is answered 200 and skipped; an ack
    that fails otherwise is answered 503, so the server redelivers (REQ-PUSH-006).
    """

    def __init__(
        self,
        client: AsyncAxmeClient,
        handler: AsyncDeliveryHandler,
        secret: str | Sequence[str],
        *,
        tolerance: float = DEFAULT_TOLERANCE_SECONDS,
        seen: SeenDeliveries | None = None,
    ) -> None:
        self.client = client
        self.handler = handler
        self.secrets = [secret] if isinstance(secret, str) else list(secret)
        self.tolerance = tolerance
        self.seen: SeenDeliveries = seen or InMemorySeenDeliveries()
        self._inflight: set[asyncio.Task[None]] = set()
        self._closing = False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _run_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        status, answer = await self._answer(scope, receive)
        body = json.dumps(answer).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def _answer(self, scope: Scope, receive: Receive) -> tuple[int, dict[str, Any]]:
        if scope.get("method") != "POST":
            return 405, {"error": "method_not_allowed"}
        if self._closing:
            return 503, {"error": "shutting_down"}
        body = await _read_body(receive)
        if body is None:
            return 413, {"error": "body_too_large"}
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]]
        try:
            delivery = verify_delivery(
                body, headers, self.secrets, tolerance=self.tolerance, seen=self.seen
            )
        except SignatureError as exc:
            logger.warning("push rejected (%s): %s", exc.reason, exc.message)
            return 401, {"error": exc.reason}
        try:
            acked = await self.client.ack_intent(delivery.intent_id, delivery.delivery_id)
        except ConflictError as exc:  # stale or terminal: nothing to do, do not redeliver
            logger.info("skipping pushed delivery %s: %s", delivery.delivery_id, exc.code)
            return 200, {"skipped": exc.code}
        except AxmeError as exc:
            logger.warning("ack of pushed delivery %s failed: %s", delivery.delivery_id, exc)
            return 503, {"error": "ack_failed"}
        task = asyncio.create_task(
            self.client._handle(delivery.with_lease(acked.lease_expires_at), self.handler)
        )
        self._inflight.add(task)
        task.add_done_callback(self._inflight.discard)
        return 202, {"accepted": delivery.delivery_id}

    async def aclose(self) -> None:
        """Refuse new pushes (503) and wait for the deliveries being handled."""
        self._closing = True
        while self._inflight:
            await asyncio.gather(*list(self._inflight), return_exceptions=True)

    async def serve(
        self,
        host: str = "127.0.0.1",
        port: int = 8080,
        *,
        on_listening: Callable[[str], None] | None = None,
    ) -> None:
        """Serve this app with uvicorn (`pip install 'axme[push]'`) until cancelled;
        `on_listening` gets the URL once bound (port 0 picks a free port)."""
        import uvicorn  # optional dependency: only the built-in server needs it

        sock = socket.create_server((host, port))  # bound before serving: the URL is known now
        config = uvicorn.Config(self, log_level="warning", lifespan="off")
        server = uvicorn.Server(config)
        runner = asyncio.create_task(server.serve(sockets=[sock]))
        try:
            if on_listening is not None:
                bound = sock.getsockname()
                on_listening(f"http://{bound[0]}:{bound[1]}/")
            await asyncio.shield(runner)
        finally:
            await self.aclose()
            server.should_exit = True
            await asyncio.gather(runner, return_exceptions=True)
            sock.close()


async def _read_body(receive: Receive) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
        if not message.get("more_body"):
            return b"".join(chunks)


async def _run_lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
