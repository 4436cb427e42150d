"""A thin ASGI layer: request parsing, JSON responses, and the route table.

The hot path (one JSON request -> one commit -> one JSON response) runs
thousands of times a second, so requests are handled directly on ASGI
messages; Starlette's path compiler gives the routes their templates."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, overload
from urllib.parse import parse_qsl

from starlette.routing import compile_path

from axme_server.errors import ApiError
from axme_server.jsonutil import loads

_INTEGER = re.compile(r"^-?[0-9]+$")


class Request:
    __slots__ = ("_json", "_query", "body", "ctx", "fault", "headers", "op", "params", "request_id", "scope")

    def __init__(self, scope: dict[str, Any], headers: dict[str, str], request_id: str) -> None:
        self.scope = scope
        self.headers = headers
        self.body = b""
        self.params: dict[str, str] = {}
        self._query: dict[str, str] | None = None
        self.ctx: Any = None
        self.op: str | None = None
        self.fault: dict[str, Any] | None = None
        self.request_id = request_id
        self._json: Any = None

    @property
    def method(self) -> str:
        return str(self.scope["method"])

    @property
    def path(self) -> str:
        return str(self.scope["path"])

    @property
    def connection_open(self) -> Callable[[], bool] | None:
        """The server's live check of this request's connection (the builtin server has one)."""
        return (self.scope.get("extensions") or {}).get("axme.connection_open")

    @property
    def raw_path(self) -> str:
        raw = self.scope.get("raw_path")
        return raw.decode("latin-1") if raw else self.path

    @property
    def query(self) -> dict[str, str]:
        if self._query is None:
            self._query = dict(
                parse_qsl(self.scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
            )
        return self._query

    def json(self) -> dict[str, Any]:
        """The body as a JSON object (400 invalid_json / 422 when not an object)."""
        if self._json is not None:
            parsed: dict[str, Any] = self._json
            return parsed
        if not self.body.strip():
            raise ApiError("invalid_json", "request body is empty; send a JSON object")
        try:
            data = loads(self.body)
        except ValueError as exc:
            try:
                self.body.decode("utf-8")
            except UnicodeDecodeError as bad:
                raise ApiError(
                    "invalid_json", f"request body is not valid UTF-8 (byte {bad.start})"
                ) from None
            raise ApiError("invalid_json", f"request body is not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ApiError("validation_error", "request body must be a JSON object", {"field": "$"})
        self._json = data
        return data

    @overload
    def q_int(self, name: str, default: int, lo: int, hi: int) -> int: ...
    @overload
    def q_int(self, name: str, default: None, lo: int, hi: int) -> int | None: ...
    def q_int(self, name: str, default: int | None, lo: int, hi: int) -> int | None:
        raw = self.query.get(name)
        if raw is None or raw == "":
            return default
        if len(raw) > 17 or not _INTEGER.match(
            raw
        ):  # ASCII digits only: int() also takes '٣' (REQ-LIMIT-008)
            raise ApiError("validation_error", f"query parameter {name} must be an integer", {"field": name})
        value = int(raw)
        if value < lo or value > hi:
            raise ApiError(
                "validation_error", f"query parameter {name} must be between {lo} and {hi}", {"field": name}
            )
        return value

    def q_float(self, name: str, default: float, lo: float, hi: float) -> float:
        raw = self.query.get(name)
        if raw is None or raw == "":
            return default
        try:
            value = float(raw)
        except ValueError:
            raise ApiError(
                "validation_error", f"query parameter {name} must be a number", {"field": name}
            ) from None
        if not lo <= value <= hi:
            raise ApiError(
                "validation_error",
                f"query parameter {name} must be between {lo:g} and {hi:g}",
                {"field": name},
            )
        return value


Handler = Callable[[Request], Awaitable[Any]]


@dataclass
class Route:
    method: str
    template: str
    op: str
    handler: Handler
    auth: bool = True
    regex: re.Pattern[str] | None = None
    literal: int = 0  # characters of the template outside {params}: more = more specific


def _bucket(path: str) -> str:
    """The literal head of a path that selects its candidate routes: `v1/intents`, `health`, `_testing`…"""
    parts = path.split("/", 3)
    if len(parts) > 2 and parts[1] == "v1":
        return "v1/" + parts[2]
    return parts[1] if len(parts) > 1 else ""


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []
        self._buckets: dict[str, list[Route]] = {}  # only these can match a path of that bucket

    def add(
        self,
        method: str,
        template: str,
        op: str,
        handler: Handler,
        *,
        auth: bool = True,
        pattern: str | None = None,
    ) -> None:
        regex = re.compile(pattern) if pattern else compile_path(template)[0]
        route = Route(method, template, op, handler, auth, regex, len(re.sub(r"\{[^}]*\}", "", template)))
        self.routes.append(route)
        bucket = self._buckets.setdefault(_bucket(template), [])
        bucket.append(route)
        bucket.sort(key=lambda r: -r.literal)  # most specific first (stable: registration order within)

    def match(self, method: str, path: str) -> tuple[Route, dict[str, str]]:
        """The route of `method` among the most specific templates matching `path`: an address may hold
        slashes, so `/v1/agents/a1/keys` also matches `/v1/agents/{address}`; the keys routes win."""
        allowed: list[str] = []
        best = -1
        for route in self._buckets.get(_bucket(path), ()):
            m = route.regex.match(path)  # type: ignore[union-attr]
            if m is None:
                continue
            literal = route.literal
            if literal < best:
                continue
            if literal > best:
                best, allowed = literal, []
            if route.method == method or (method == "HEAD" and route.method == "GET"):
                return route, m.groupdict()
            allowed.append(route.method)
        if allowed:
            raise ApiError(
                "method_not_allowed",
                f"method {method} is not allowed on {path}",
                {"allowed": sorted(set(allowed))},
                headers={"Allow": ", ".join(sorted(set(allowed)))},
            )
        raise ApiError("not_found", f"no such endpoint: {method} {path}")


async def send_json(
    send: Callable[..., Awaitable[None]], status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
