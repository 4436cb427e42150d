"""HTTP helpers for the server contract suite (plain httpx, no SDK)."""

from __future__ import annotations

import functools
import json
import re
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import jsonschema

from axme_conformance.contract.server_limits import DEFAULT, ServerLimits
from axme_conformance.testing_api import HARNESS_USER_AGENT

ERROR_KEYS = {"code", "message", "category", "retryable", "details"}

# REQ-AUTH-006: the permissions a 403 `forbidden` may name in `details.reason`.
FORBIDDEN_REASONS = frozenset(
    {
        "admin_required",
        "agent_or_admin_required",
        "human_or_admin_required",
        "own_agent_required",
        "current_handler_required",
        "assignee_required",
        "initiator_required",
        "same_workspace_required",
        "human_required",
        "operator_required",
    }
)


class CheckFailed(AssertionError):
    pass


class CheckSkipped(Exception):
    """The server cannot be checked this way (e.g. no data directory to look at)."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def _brief(response: httpx.Response) -> str:
    return (
        f"{response.request.method} {response.request.url.path} → {response.status_code}: "
        f"{response.text[:300]}"
    )


class ContractClient:
    """A thin client over one server + admin key; every helper asserts the contract."""

    def __init__(
        self,
        base_url: str,
        admin_key: str,
        timeout_s: float = 20.0,
        data_dir: Path | None = None,
        limits: ServerLimits = DEFAULT,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        # The REQ-LIMIT numbers the server under test enforces (the spec's defaults unless
        # the suite started it with others).
        self.limits = limits
        self.admin_key = admin_key
        # The server's data directory when the suite started it (--reference), else None.
        self.data_dir = data_dir
        self.http = httpx.Client(
            base_url=self.base_url, timeout=timeout_s, headers={"user-agent": HARNESS_USER_AGENT}
        )
        self.run_id = uuid.uuid4().hex[:8]
        self._counter = 0

    def close(self) -> None:
        self.http.close()

    def unique(self, stem: str) -> str:
        self._counter += 1
        return f"contract-{self.run_id}-{self._counter}-{stem}"

    # -- raw requests ------------------------------------------------------
    def request(
        self,
        method: str,
        path: str,
        *,
        key: str | None | bool = True,
        body: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        content: bytes | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if key is True:
            sent["x-api-key"] = self.admin_key
        elif isinstance(key, str):
            sent["x-api-key"] = key
        if content is not None:
            sent.setdefault("content-type", "application/json")
            return self.http.request(method, path, params=params, headers=sent, content=content)
        return self.http.request(method, path, params=params, headers=sent, json=body)

    def ok(self, response: httpx.Response, status: int = 200) -> dict[str, Any]:
        expect(response.status_code == status, f"expected {status}: {_brief(response)}")
        body: dict[str, Any] = response.json()
        expect(body.get("ok") is True, f"success body lacks ok:true: {_brief(response)}")
        return body

    def error(self, response: httpx.Response, status: int, *codes: str) -> dict[str, Any]:
        expect(response.status_code == status, f"expected {status}: {_brief(response)}")
        body: dict[str, Any] = response.json()
        expect(body.get("ok") is False, f"error body lacks ok:false: {_brief(response)}")
        error = body.get("error")
        expect(
            isinstance(error, dict) and ERROR_KEYS <= set(error),
            f"error envelope lacks {sorted(ERROR_KEYS)}: {_brief(response)}",
        )
        expect(isinstance(body.get("detail"), str), f"no `detail` in: {_brief(response)}")
        assert isinstance(error, dict)
        if codes:
            expect(error["code"] in codes, f"expected code {codes}: {_brief(response)}")
        expect(bool(response.headers.get("x-request-id")), "error response lacks X-Request-Id")
        check_envelope_rules(response.status_code, body)
        return body

    def forbidden(self, response: httpx.Response, reason: str) -> dict[str, Any]:
        """403 `forbidden` naming the missing permission ``reason`` (REQ-AUTH-006)."""
        body = self.error(response, 403, "forbidden")
        got = body["error"]["details"].get("reason")
        expect(got == reason, f"details.reason must be {reason!r}, got {got!r}: {_brief(response)}")
        return body

    def not_found(self, response: httpx.Response) -> dict[str, Any]:
        """404 `intent_not_found`: how an intent the key may not read looks (REQ-AUTH-007)."""
        return self.error(response, 404, "intent_not_found")

    # -- seeding -----------------------------------------------------------
    def new_agent(self, stem: str = "agent", delivery_mode: str = "poll") -> tuple[str, str]:
        body = self.ok(
            self.request(
                "POST",
                "/v1/agents",
                body={"address": self.unique(stem), "delivery_mode": delivery_mode},
            )
        )
        return body["agent"]["address"], body["api_key"]

    def new_intent(self, to_agent: str, key: str | bool = True, **extra: Any) -> str:
        body = self.ok(
            self.request(
                "POST",
                "/v1/intents",
                key=key,
                body={
                    "intent_type": "intent.contract.check.v1",
                    "to_agent": to_agent,
                    "payload": {"n": 1},
                    **extra,
                },
            )
        )
        return str(body["intent_id"])

    def intent(self, intent_id: str, key: str | bool = True) -> dict[str, Any]:
        body = self.ok(self.request("GET", f"/v1/intents/{intent_id}", key=key))
        return dict(body["intent"])

    def events(self, intent_id: str, since: int = 0) -> list[dict[str, Any]]:
        body = self.ok(
            self.request("GET", f"/v1/intents/{intent_id}/events", params={"since": since})
        )
        return list(body["events"])

    def take_delivery(
        self, address: str, key: str | bool, intent_id: str, timeout_s: float = 10.0
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            body = self.ok(
                self.request(
                    "GET",
                    f"/v1/agents/{quote(address, safe='')}/intents",
                    key=key,
                    params={"status": "pending", "wait_seconds": 1},
                )
            )
            for delivery in body["deliveries"]:
                if delivery["intent_id"] == intent_id:
                    return dict(delivery)
        raise CheckFailed(f"no delivery of {intent_id} to {address} within {timeout_s}s")

    def complete_agent_step(
        self, address: str, key: str | bool, intent_id: str, result: dict[str, Any]
    ) -> dict[str, Any]:
        delivery = self.take_delivery(address, key, intent_id)
        body = self.ack_and_complete(intent_id, key, delivery["delivery_id"], result)
        return dict(body["intent"])

    def ack_and_complete(
        self, intent_id: str, key: str | bool, delivery_id: str, result: dict[str, Any]
    ) -> dict[str, Any]:
        """Ack a delivery, then complete it (agent_result); the resume's response body."""
        self.ok(
            self.request(
                "POST", f"/v1/intents/{intent_id}/ack", key=key, body={"delivery_id": delivery_id}
            )
        )
        resume = {
            "kind": "agent_result",
            "outcome": "complete",
            "result": result,
            "delivery_id": delivery_id,
        }
        return self.resume(intent_id, resume, key=key)

    def resume(
        self, intent_id: str, body: dict[str, Any], *, key: str | bool = True
    ) -> dict[str, Any]:
        """resumeIntent with `body` as given, which must succeed; the response body."""
        return self.ok(self.request("POST", f"/v1/intents/{intent_id}/resume", key=key, body=body))

    def wait_intent(
        self, intent_id: str, predicate: Callable[[dict[str, Any]], bool], timeout_s: float = 10.0
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout_s
        while True:
            intent = self.intent(intent_id)
            if predicate(intent):
                return intent
            if time.monotonic() > deadline:
                raise CheckFailed(f"intent {intent_id} never reached the state: {intent}")
            time.sleep(0.05)

    # -- SSE ---------------------------------------------------------------
    def read_stream(
        self,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout_s: float = 10.0,
    ) -> tuple[int, str]:
        """Read a whole SSE response until the server closes it (bounded)."""
        status, text, _ = self.stream(path, params=params, headers=headers, timeout_s=timeout_s)
        return status, text

    def stream(
        self,
        path: str,
        *,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        timeout_s: float = 10.0,
        until: Callable[[str], bool] | None = None,
        key: str | None = None,
    ) -> tuple[int, str, httpx.Headers]:
        """Read an SSE response until the server closes it, or until ``until(text so
        far)`` holds (then close it); bounded by ``timeout_s``."""
        sent = {
            "x-api-key": key or self.admin_key,
            "accept": "text/event-stream",
            **(headers or {}),
        }
        chunks: list[str] = []
        deadline = time.monotonic() + timeout_s
        with self.http.stream(
            "GET", path, params=params, headers=sent, timeout=httpx.Timeout(timeout_s)
        ) as response:
            if response.status_code != 200:
                response.read()
                return response.status_code, response.text, response.headers
            for chunk in response.iter_text():
                chunks.append(chunk)
                if until is not None and until("".join(chunks)):
                    break
                if time.monotonic() > deadline:
                    raise CheckFailed(f"stream {path} still open after {timeout_s}s")
            return 200, "".join(chunks), response.headers


@functools.cache
@functools.cache
def _envelope_schema() -> dict[str, Any]:
    from axme_conformance.paths import REPO_ROOT

    path = REPO_ROOT / "spec" / "schemas" / "error_envelope.schema.json"
    schema: dict[str, Any] = json.loads(path.read_text())
    return schema


def _envelope_validator() -> jsonschema.protocols.Validator:
    return jsonschema.Draft202012Validator(_envelope_schema())


#: A row of the v1 table: | `code` | HTTP | category | retryable | ...
_TABLE_ROW = re.compile(
    r"^\|\s*`([a-z][a-z0-9_]*)`\s*\|\s*(\d{3})\s*\|\s*(\w+)\s*\|\s*(true|false)\s*\|"
)


@functools.cache
def error_table() -> dict[str, tuple[int, str, bool]]:
    """REQ-ERR-003's v1 table, code → (HTTP status, category, retryable), read from
    spec/behavior/errors.md so the suite holds a server to the table the spec states;
    its codes must be exactly the schema's ErrorCode enum."""
    from axme_conformance.paths import REPO_ROOT

    text = (REPO_ROOT / "spec" / "behavior" / "errors.md").read_text()
    table = {
        m[1]: (int(m[2]), m[3], m[4] == "true")
        for m in map(_TABLE_ROW.match, text.splitlines())
        if m is not None
    }
    codes = set(_envelope_schema()["$defs"]["ErrorCode"]["enum"])
    if set(table) != codes:
        raise RuntimeError(
            f"spec/behavior/errors.md's v1 table and ErrorCode differ: {sorted(set(table) ^ codes)}"
        )
    return table


def check_envelope_rules(status: int, body: dict[str, Any]) -> None:
    """Rules every error envelope obeys: detail = message (REQ-ERR-002), the v1 table
    (REQ-ERR-003), retryable exactly for 408/429/5xx (REQ-ERR-004)."""
    problems = [e.message for e in _envelope_validator().iter_errors(body)]
    expect(not problems, f"not an ErrorEnvelope (REQ-ERR-001): {problems[:3]}: {body}")
    error = body["error"]
    expect(
        body["detail"] == error["message"],
        f"detail must equal error.message: {body['detail']!r} vs {error['message']!r}",
    )
    expect(bool(error["message"]), "error.message must not be empty")
    row = error_table().get(error["code"])
    if row is not None:
        expect(
            (status, error["category"], error["retryable"]) == row,
            f"{error['code']} must be {row} (status, category, retryable), got "
            f"{(status, error['category'], error['retryable'])}",
        )
    expect(
        error["retryable"] == (status in (408, 429) or status >= 500),
        f"retryable must be true exactly for 408, 429 and 5xx: {status} {error}",
    )
    if status == 403:
        reason = (error["details"] or {}).get("reason")
        expect(
            reason in FORBIDDEN_REASONS,
            f"a 403 must carry details.reason from REQ-AUTH-006's list, got {reason!r}: {error}",
        )


def parse_frames(text: str) -> list[dict[str, Any]]:
    """Minimal SSE framing for checks on the server's own (well-formed) output."""
    frames = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields: dict[str, Any] = {}
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            fields[name] = value[1:] if value.startswith(" ") else value
        if fields:
            if "data" in fields:
                try:
                    fields["json"] = json.loads(fields["data"])
                except ValueError:
                    pass
            frames.append(fields)
    return frames
