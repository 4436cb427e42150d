"""Test helpers: a server subprocess that reports readiness, a small JSON API
client, and an SSE reader. Everything talks real HTTP over 127.0.0.1."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from contract import check_response, check_sse_frame

READY = "AXME_SERVER_READY "


@dataclass
class ServerProc:
    proc: subprocess.Popen
    base_url: str
    admin_key: str | None
    data_dir: Path
    stderr_path: Path

    def stop(self, timeout: float = 10) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=timeout)
        return self.proc.returncode

    def kill9(self) -> None:
        self.proc.kill()  # SIGKILL
        self.proc.wait(timeout=10)


def start_server(
    data_dir: Path, *extra: str, port: int = 0, timeout: float = 20.0, env: dict[str, str] | None = None
) -> ServerProc:
    data_dir.mkdir(parents=True, exist_ok=True)
    stderr_path = data_dir / f"server-{time.time_ns()}.log"
    cmd = [
        sys.executable,
        "-m",
        "axme_server",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--data-dir",
        str(data_dir),
        *extra,
    ]
    err = open(stderr_path, "wb")  # noqa: SIM115 - handed to the child, closed right after
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=err, env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    )
    err.close()
    sel = selectors.DefaultSelector()
    assert proc.stdout is not None
    sel.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    line = b""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {stderr_path.read_text()[-2000:]}")
        if sel.select(timeout=0.2):
            line = proc.stdout.readline()
            if line.startswith(READY.encode()):
                break
    sel.close()
    if not line.startswith(READY.encode()):
        proc.kill()
        raise RuntimeError(f"server not ready in {timeout}s: {stderr_path.read_text()[-2000:]}")
    info = json.loads(line[len(READY) :])
    return ServerProc(proc, info["base_url"], info["admin_api_key"], data_dir, stderr_path)


def checked_client(base_url: str) -> httpx.Client:
    """An httpx client whose every response is checked against the spec (contract.py)."""
    return httpx.Client(base_url=base_url, timeout=30, event_hooks={"response": [check_response]})


class Api:
    """JSON client bound to one key; returns httpx.Response (tests assert on status and body)."""

    def __init__(self, base_url: str, key: str | None, client: httpx.Client | None = None) -> None:
        self.base_url = base_url
        self.key = key
        self.http = client or checked_client(base_url)

    def with_key(self, key: str | None) -> Api:
        return Api(self.base_url, key, self.http)

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        h = {"x-api-key": self.key} if self.key else {}
        h.update(extra or {})
        return h

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, headers=self.headers(kw.pop("headers", None)), **kw)

    def post(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        headers = self.headers(kw.pop("headers", None))
        if "content" in kw:
            return self.http.post(path, headers=headers, **kw)
        return self.http.post(path, headers=headers, json=body, **kw)

    def delete(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.delete(path, headers=self.headers(kw.pop("headers", None)), **kw)

    # -- conveniences ---------------------------------------------------------
    def ok(self, resp: httpx.Response) -> dict[str, Any]:
        assert resp.status_code == 200, f"{resp.status_code}: {resp.text}"
        body = resp.json()
        assert body["ok"] is True
        return body

    def register_agent(self, name: str, **extra: Any) -> tuple[str, Api]:
        body = self.ok(self.post("/v1/agents", {"address": name, **extra}))
        return body["agent"]["address"], self.with_key(body["api_key"])

    def human(self, human_id: str, name: str | None = None) -> Api:
        body = self.ok(
            self.post(
                "/v1/admin/keys",
                {
                    "kind": "human",
                    "name": f"human {human_id}",
                    "human": {"id": human_id, "display_name": name or human_id},
                },
            )
        )
        return self.with_key(body["api_key"])

    def create(self, to_agent: str, **extra: Any) -> str:
        body = {"intent_type": "intent.test.thing.v1", "to_agent": to_agent, "payload": {"n": 1}, **extra}
        return self.ok(self.post("/v1/intents", body))["intent_id"]

    def intent(self, intent_id: str) -> dict[str, Any]:
        return self.ok(self.get(f"/v1/intents/{intent_id}"))["intent"]

    def events(self, intent_id: str, since: int = 0) -> list[dict[str, Any]]:
        """Every event after `since`, page by page (a page holds at most 1000)."""
        out: list[dict[str, Any]] = []
        while True:
            params = {"since": since, "limit": 1000}
            page = self.ok(self.get(f"/v1/intents/{intent_id}/events", params=params))["events"]
            out.extend(page)
            if len(page) < 1000:
                return out
            since = page[-1]["seq"]

    def poll(self, address: str, wait: float = 5, limit: int = 10) -> list[dict[str, Any]]:
        return self.ok(
            self.get(f"/v1/agents/{address}/intents", params={"wait_seconds": wait, "limit": limit})
        )["deliveries"]

    def poll_one(self, address: str, wait: float = 5) -> dict[str, Any]:
        got = self.poll(address, wait=wait, limit=1)
        assert len(got) == 1, got
        return got[0]

    def resume(self, intent_id: str, body: dict[str, Any], **kw: Any) -> httpx.Response:
        return self.post(f"/v1/intents/{intent_id}/resume", body, **kw)

    def complete(
        self,
        intent_id: str,
        result: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> httpx.Response:
        return self.resume(
            intent_id,
            {"kind": "agent_result", "outcome": "complete", "result": result or {}, **extra},
            headers=headers,
        )

    def decide(self, intent_id: str, **body: Any) -> httpx.Response:
        return self.post(f"/v1/tasks/{intent_id}/decision", body)

    def advance(self, seconds: float) -> dict[str, Any]:
        return self.ok(self.http.post("/_testing/clock", json={"advance_seconds": seconds}))


def sse_frames(resp: httpx.Response) -> Iterator[dict[str, Any]]:
    """Parse SSE frames from a streaming response: {"id","event","data","comment","retry"}."""
    frame: dict[str, Any] = {}
    for line in resp.iter_lines():
        if line == "":
            if frame:
                if "data" in frame and "event" in frame:
                    check_sse_frame(resp.request, frame["event"], frame["data"])
                yield frame
            frame = {}
            continue
        if line.startswith(":"):
            yield {"comment": line[1:].strip()}
            continue
        field, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if field == "data":
            frame["data"] = value if "data" not in frame else frame["data"] + "\n" + value
        else:
            frame[field] = value


def read_stream(
    api: Api,
    path: str,
    *,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    max_frames: int = 1000,
) -> list[dict[str, Any]]:
    """Read an SSE response to its end (bounded); returns every frame incl. comments."""
    out = []
    with api.http.stream("GET", path, params=params, headers=api.headers(headers), timeout=30) as resp:
        assert resp.status_code == 200, resp.read()
        assert resp.headers["content-type"].startswith("text/event-stream")
        for frame in sse_frames(resp):
            out.append(frame)
            if len(out) >= max_frames:
                break
    return out


def event_frames(frames: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(f["data"]) for f in frames if f.get("event", "").startswith("intent.")]
