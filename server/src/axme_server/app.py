"""The ASGI application: request ids, body limit, auth, test-mode faults and
recording, idempotency, and the one error envelope around every route."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import uuid
from typing import TYPE_CHECKING, Any

from axme_server import cluster
from axme_server.engine import Ctx
from axme_server.errors import STATUS_TO_CODE, ApiError, envelope
from axme_server.http import Request, Router, send_json
from axme_server.jsonutil import canonical, depth_exceeds, dumps, loads
from axme_server.limits import DEFAULT, Limits
from axme_server.metrics import Metrics
from axme_server.pages.render import HtmlResponse
from axme_server.routes import register_all
from axme_server.spec import SpecValidator, find_openapi
from axme_server.sse import StreamBase
from axme_server.streamcaps import StreamRegistry

if TYPE_CHECKING:
    from axme_server.console.sessions import Sessions
    from axme_server.service import Engine
    from axme_server.testing import Testing

log = logging.getLogger("axme_server.http")
Headers = list[tuple[bytes, bytes]]
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
_VALID_TRACE_ID = re.compile(r"^[\x21-\x7e]{1,128}$")  # REQ-LIMIT-011


def _body_hash(body: bytes) -> str:
    """Hash of the body's JSON value (member order and whitespace do not matter)."""
    try:
        canon = canonical(loads(body))
    except ValueError:
        canon = body
    return hashlib.sha256(canon).hexdigest()


def _json_member(body: bytes, name: str) -> Any:
    try:
        data = loads(body)
    except ValueError:
        return None
    return data.get(name) if isinstance(data, dict) else None


CHANNELS = frozenset({"api", "cli", "email", "web", "slack"})
OPTIONAL_BODY = frozenset(
    {"createAgentKey", "rotateCallbackSecret", "rotateWebhookSecret", "rotateLinkSecret"}
)


class App:
    console: Sessions  # /console sign-in sessions (console/routes.py sets it)

    def __init__(self, engine: Engine, testing: Testing | None = None, limits: Limits = DEFAULT) -> None:
        self.engine = engine
        self.testing = testing
        self.limits = limits
        self.streams = StreamRegistry(limits)
        engine.keys.on_revoked.append(self.streams.end_key)
        engine.keys.resize(limits.cache_entries)  # REQ-LIMIT-012 (--cache-entries)
        engine.core.agent_cache.cap = limits.cache_entries
        self.metrics = Metrics(engine)
        self.spec = SpecValidator(find_openapi())
        engine.scenarios.validator = self.spec.validators.get("applyScenario")
        self.router = Router()
        register_all(self.router, self)
        self._inflight: dict[str, asyncio.Future[None]] = {}
        self._rid_prefix = uuid.uuid4().hex[:12]  # request ids: per-process prefix + counter (no syscall)
        self._rid = 0

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                msg = await receive()
                if msg["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif msg["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        headers = {
            k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]
        }  # ASGI: names lower-case
        self._rid += 1
        rid = f"{self._rid_prefix}{self._rid:010x}"
        extra = [(b"x-request-id", rid.encode())]
        trace_id = headers.get("x-trace-id") or None  # empty counts as absent
        if trace_id and _VALID_TRACE_ID.match(trace_id):
            extra.append((b"x-trace-id", trace_id.encode("latin-1")))
        req = Request(scope, headers, rid)
        state = {"status": 500, "started": False}

        async def tracked_send(msg: dict[str, Any]) -> None:
            if msg["type"] == "http.response.start":
                state["status"] = msg["status"]
                state["started"] = True
            await send(msg)

        namespace = None
        fault_applied: str | None = None
        try:
            if trace_id is not None and not _VALID_TRACE_ID.match(trace_id):
                raise ApiError(
                    "bad_request",
                    "X-Trace-Id must be 1..128 visible ASCII characters",
                    {"field": "X-Trace-Id"},
                )
            route, params = self.router.match(scope["method"], scope["path"])
            req.params = params
            req.op = route.op
            await self._read_body(req, receive)
            principal = None
            if route.auth:
                from axme_server.auth import extract_key

                principal = self.engine.keys.authenticate(extract_key(headers), self.engine.clock.now())
                channel = headers.get("x-axme-channel", "api")
                req.ctx = Ctx(principal, channel if channel in CHANNELS else "api")
            if self.testing is not None and principal is not None:
                namespace = self.testing.namespace_of(principal.workspace_id)
                if namespace is not None:
                    fault = self.testing.take_fault(namespace, req.method, req.raw_path, route.op)
                    if fault is not None:
                        fault_applied = fault["fault_id"]
                        if await self._apply_fault(req, fault, tracked_send, extra):
                            return
            await self._dispatch(route, req, receive, tracked_send, extra)
        except ApiError as exc:
            if not state["started"]:
                hdrs = extra + [(k.lower().encode(), v.encode()) for k, v in exc.headers.items()]
                await send_json(
                    tracked_send,
                    exc.status,
                    dumps(envelope(exc.code, exc.message, exc.details, exc.status)),
                    hdrs,
                )
        except Exception:
            log.exception("unhandled error on %s %s (request %s)", scope["method"], scope["path"], rid)
            self.metrics.unhandled += 1
            if not state["started"]:
                await send_json(
                    tracked_send, 500, dumps(envelope("internal_error", "internal server error")), extra
                )
        finally:
            self.metrics.observe(req.op or "unmatched", state["status"])
            if namespace is not None and self.testing is not None:
                self.testing.record(namespace, req, state["status"], fault_applied)

    async def _read_body(self, req: Request, receive: Any) -> None:
        if (
            req.method in ("GET", "HEAD", "DELETE")
            and "content-length" not in req.headers
            and "transfer-encoding" not in req.headers
        ):
            return
        max_body = self.limits.max_body_bytes
        length = req.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > max_body:
            raise ApiError(
                "payload_too_large", f"request body exceeds {max_body} bytes", {"limit_bytes": max_body}
            )
        chunks = []
        size = 0
        while True:
            msg = await receive()
            if msg["type"] == "http.disconnect":
                break
            chunk = msg.get("body", b"")
            size += len(chunk)
            if size > max_body:
                raise ApiError(
                    "payload_too_large", f"request body exceeds {max_body} bytes", {"limit_bytes": max_body}
                )
            chunks.append(chunk)
            if not msg.get("more_body"):
                break
        req.body = b"".join(chunks)
        if req.body and req.path.startswith("/v1/"):
            self._check_json_body(req)

    def _check_json_body(self, req: Request) -> None:
        """Media type, encoding and nesting of a /v1 body, before anything reads it (REQ-LIMIT-004/005)."""
        media = req.headers.get("content-type", "").split(";", 1)[0].strip().lower()
        if media != "application/json":
            raise ApiError(
                "unsupported_media_type",
                "request bodies under /v1 must be Content-Type: application/json",
                {"content_type": media or None},
            )
        body = req.body
        depth = self.limits.max_json_depth
        if body.count(b"[") + body.count(b"{") > depth:  # only then can it be too deep: walk it
            try:
                too_deep = depth_exceeds(loads(body), depth)
            except ValueError:
                return  # not JSON: Request.json() says so
            if too_deep:
                raise ApiError(
                    "invalid_json",
                    f"request body is nested deeper than {depth} levels",
                    {"limit_depth": depth},
                )

    async def _apply_fault(self, req: Request, fault: dict[str, Any], send: Any, extra: Headers) -> bool:
        """Returns True when the fault answered the request itself."""
        kind = fault["type"]
        if kind == "delay":
            await asyncio.sleep(float(fault.get("ms", 0)) / 1000)
            return False
        if kind == "status":
            status = int(fault["status"])
            hdrs = list(extra)
            if fault.get("retry_after") is not None:
                hdrs.append((b"retry-after", str(fault["retry_after"]).encode()))
            if fault.get("body") is not None:
                body = fault["body"] if isinstance(fault["body"], str) else dumps(fault["body"]).decode()
                await send_json(send, status, body.encode(), hdrs)
            else:
                code = STATUS_TO_CODE.get(status, "internal_error" if status >= 500 else "bad_request")
                await send_json(
                    send, status, dumps(envelope(code, f"injected fault: HTTP {status}", {}, status)), hdrs
                )
            return True
        req.fault = fault  # stream faults act inside the stream
        return False

    async def _dispatch(self, route: Any, req: Request, receive: Any, send: Any, extra: Headers) -> None:
        key = req.headers.get("idempotency-key")
        if req.method != "POST" or req.ctx is None:
            await self._respond(route, req, receive, send, extra)
            return
        if key is not None and not _VALID_KEY.match(key):
            raise ApiError(
                "bad_request",
                "Idempotency-Key must be 1..255 visible ASCII characters",
                {"field": "Idempotency-Key"},
            )
        if key is None and route.op == "applyScenario":  # REQ-IDEMP-008
            bundle_key = _json_member(req.body, "idempotency_key")
            key = bundle_key if isinstance(bundle_key, str) and _VALID_KEY.match(bundle_key) else None
        if key is None:
            await self._respond(route, req, receive, send, extra)
            return
        scope_key = f"{req.ctx.principal.key_id}|{route.op}|{req.path}|{key}"
        body_hash = _body_hash(req.body)
        while scope_key in self._inflight:  # same key in flight: wait for it, then replay
            await asyncio.shield(self._inflight[scope_key])
        fut = asyncio.get_running_loop().create_future()
        self._inflight[scope_key] = fut
        req.ctx.idem = (scope_key, body_hash)
        # No read before the request runs (REQ-IDEMP-003 holds all the same): a key used before
        # makes the request's write fail on the record's unique key, or the request fail on the
        # state the first one left, or succeed without a write; only then is the record read and
        # replayed. A read per keyed POST on the event loop waited for the writer thread's GIL.
        try:
            try:
                result = await self._run(route, req)
            except Exception:
                if await self._replayed(scope_key, body_hash, key, send, extra):
                    return
                raise
            written = req.ctx.idem_written or not isinstance(result, bytes)
            if not written and await self._replayed(scope_key, body_hash, key, send, extra):
                return
            await self._send_result(req, result, receive, send, extra)
        finally:
            del self._inflight[scope_key]
            fut.set_result(None)

    async def _replayed(self, scope_key: str, body_hash: str, key: str, send: Any, extra: Headers) -> bool:
        """Answer with the stored record of this key, if there is one (409 if its request differed)."""
        stored = self.engine.store.get_idempotency(scope_key)
        if stored is None:
            return False
        if stored[0] != body_hash:
            raise ApiError(
                "idempotency_conflict",
                "Idempotency-Key was already used with a different request",
                {"idempotency_key": key},
            )
        await send_json(send, stored[1], stored[2], extra + [(b"idempotent-replayed", b"true")])
        return True

    async def _respond(self, route: Any, req: Request, receive: Any, send: Any, extra: Headers) -> None:
        await self._send_result(req, await self._run(route, req), receive, send, extra)

    async def _run(self, route: Any, req: Request) -> Any:
        """Validate the request and run its handler: the response to send (bytes, a stream, ...)."""
        self.spec.check_query(route.op, req.query)  # declared query parameters (REQ-LIMIT-008)
        # (applyScenario validates inside, to report schema and semantic problems together)
        if (
            route.op in self.spec.validators
            and route.op != "applyScenario"
            and (req.body.strip() or route.op not in OPTIONAL_BODY)
        ):
            self.spec.check(route.op, req.json())
        elif route.op == "resumeIntent":
            kind = req.json().get("kind")
            if isinstance(kind, str):
                self.spec.check(f"resumeIntent:{kind}", req.json())
        if self.engine.core.shared:  # a write may lose a race with another server process: run again
            return await cluster.run_fresh(route.handler, req)
        return await route.handler(req)

    async def _send_result(self, req: Request, result: Any, receive: Any, send: Any, extra: Headers) -> None:
        if isinstance(result, StreamBase):
            key_id = req.ctx.principal.key_id
            self.streams.acquire(key_id, result)  # 429 beyond the caps (REQ-LIMIT-006)
            result.page = self.limits.stream_page
            try:
                await result.run(send, receive, extra)
            finally:
                self.streams.release(key_id, result)
        elif isinstance(result, bytes):
            await send_json(send, 200, result, extra)
        elif isinstance(result, HtmlResponse):  # pages outside /v1 (REQ-NOTIFY-011)
            await result.send_to(send, extra)
        elif isinstance(result, str):  # /metrics
            body = result.encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 200,
                    "headers": [
                        (b"content-type", b"text/plain; version=0.0.4; charset=utf-8"),
                        (b"content-length", str(len(body)).encode()),
                        *extra,
                    ],
                }
            )
            await send({"type": "http.response.body", "body": body})
        else:
            await send_json(send, 200, dumps(result), extra)
