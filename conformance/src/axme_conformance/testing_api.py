"""The harness's own HTTP: test-only endpoints (spec/behavior/testing.md) and plain setup calls.

Every request the harness makes carries ``User-Agent: axme-conformance/…`` so
recorded traffic can be split into the SDK's requests and the harness's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx

from axme_conformance import __version__

HARNESS_USER_AGENT = f"axme-conformance/{__version__}"


class HarnessHttpError(RuntimeError):
    """A test-only endpoint failed: the run cannot judge the scenario (ERROR)."""


@dataclass
class Namespace:
    name: str
    admin_api_key: str


class TestingApi:
    def __init__(self, base_url: str, timeout_s: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = httpx.Client(
            base_url=self.base_url,
            timeout=timeout_s,
            headers={"user-agent": HARNESS_USER_AGENT},
        )

    def close(self) -> None:
        self.http.close()

    def _ok(self, response: httpx.Response) -> dict[str, Any]:
        if response.status_code >= 300:
            raise HarnessHttpError(
                f"{response.request.method} {response.request.url.path} → "
                f"{response.status_code}: {response.text[:300]}"
            )
        body: dict[str, Any] = response.json()
        return body

    def new_namespace(self) -> Namespace:
        body = self._ok(self.http.post("/_testing/namespaces"))
        return Namespace(body["namespace"], body["admin_api_key"])

    def add_fault(self, namespace: str, match: dict[str, Any], action: dict[str, Any]) -> str:
        body = self._ok(
            self.http.post(
                "/_testing/faults", json={"namespace": namespace, "match": match, "action": action}
            )
        )
        return str(body.get("fault_id", ""))

    def clear_faults(self, namespace: str) -> None:
        self._ok(self.http.delete("/_testing/faults", params={"namespace": namespace}))

    def requests(self, namespace: str) -> list[dict[str, Any]]:
        body = self._ok(self.http.get("/_testing/requests", params={"namespace": namespace}))
        return list(body["requests"])

    def advance_clock(self, seconds: float) -> None:
        self._ok(self.http.post("/_testing/clock", json={"advance_seconds": seconds}))

    def now(self) -> datetime:
        body = self._ok(self.http.get("/_testing/clock"))
        return datetime.fromisoformat(body["now"].replace("Z", "+00:00"))

    def call(
        self,
        method: str,
        path: str,
        *,
        key: str | None,
        body: Any = None,
        query: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        raw_body: str | None = None,
    ) -> httpx.Response:
        """A plain API call with a given key (the harness's setup steps)."""
        sent = dict(headers or {})
        if key is not None:
            sent["x-api-key"] = key
        if raw_body is not None:
            sent.setdefault("content-type", "application/json")
            return self.http.request(
                method, path, params=query, content=raw_body.encode(), headers=sent
            )
        return self.http.request(method, path, params=query, json=body, headers=sent)


def is_harness_request(record: dict[str, Any]) -> bool:
    agent = str((record.get("headers") or {}).get("user-agent", ""))
    return agent.startswith("axme-conformance/")
