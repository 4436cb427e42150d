"""Kill -9 of one of two server processes on one PostgreSQL database under load from 4
clients (issue 14, REQ-API-022): no acknowledged write is lost, no intent ends twice, and a
stream cut by the kill resumes on the other process with Last-Event-ID, with no gap."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from helpers import Api, ServerProc, sse_frames
from test_replicas import _terminal_events, _until, replicas  # noqa: F401 - the fixture

ROUNDS = 25  # per client: create an intent, take a delivery, complete it


class Failover:
    """One client's connection: to its first server, then (once that one is gone) the other."""

    def __init__(self, servers: list[ServerProc], key: str | None) -> None:
        self.servers, self.key = servers, key

    def call(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any
    ) -> httpx.Response:
        headers = {"x-api-key": self.key or "", **(headers or {})}  # (a retry keeps its Idempotency-Key)
        for _ in range(2):
            try:
                return httpx.request(
                    method, self.servers[0].base_url + path, headers=headers, timeout=20, **kw
                )
            except httpx.TransportError:
                self.servers = self.servers[1:] or self.servers  # the same request, the same key, elsewhere
        raise AssertionError("no server answered")


def _stream(
    base_url: str, key: str, iid: str, last: int, got: list[dict[str, Any]], cut: threading.Event
) -> int:
    headers = {"x-api-key": key, "Last-Event-ID": str(last)}
    try:
        with httpx.stream(
            "GET", f"{base_url}/v1/intents/{iid}/events/stream", headers=headers, timeout=30
        ) as r:
            for frame in sse_frames(r):
                if frame.get("event", "").startswith("intent."):
                    ev = json.loads(frame["data"])
                    got.append(ev)
                    last = ev["seq"]
                    if ev["status"] == "COMPLETED":
                        return last
    except httpx.TransportError:
        cut.set()
    return last


def test_kill_one_replica_under_load(replicas: tuple[ServerProc, ServerProc]) -> None:  # noqa: F811
    a, b = replicas
    admin = Api(b.base_url, b.admin_key)
    address, agent = admin.register_agent("load")
    watched, busy = admin.register_agent("watched")
    wid = admin.create(watched)
    wdid = busy.poll_one(watched)["delivery_id"]
    created: list[str] = []
    completed: list[str] = []
    stop = threading.Event()

    def client(n: int) -> None:
        first = [a, b] if n % 2 == 0 else [b, a]
        admin_c, agent_c = Failover(first, a.admin_key), Failover(first, agent.key)
        for r in range(ROUNDS):
            body = {"intent_type": "intent.test.load.v1", "to_agent": address, "payload": {"c": n, "r": r}}
            made = admin_c.call("POST", "/v1/intents", json=body, headers={"Idempotency-Key": f"c{n}-{r}"})
            assert made.status_code == 200, made.text
            created.append(made.json()["intent_id"])
            got = agent_c.call("GET", f"/v1/agents/{address}/intents", params={"wait_seconds": 2, "limit": 1})
            for d in got.json().get("deliveries", []):
                body = {
                    "kind": "agent_result",
                    "outcome": "complete",
                    "result": {},
                    "delivery_id": d["delivery_id"],
                }
                done = agent_c.call(
                    "POST",
                    f"/v1/intents/{d['intent_id']}/resume",
                    json=body,
                    headers={"Idempotency-Key": f"done-{d['delivery_id']}"},
                )
                if done.status_code == 200:
                    completed.append(d["intent_id"])

    def progress() -> None:  # events on the watched intent, through B, all along
        n = 0
        while not stop.is_set():
            body = {"kind": "progress", "delivery_id": wdid, "details": {"n": n}}
            assert busy.resume(wid, body).status_code == 200
            n += 1

    seen: list[dict[str, Any]] = []
    cut = threading.Event()
    with ThreadPoolExecutor(6) as pool:
        watching = pool.submit(_stream, a.base_url, a.admin_key or "", wid, 0, seen, cut)
        ticking = pool.submit(progress)
        clients = [pool.submit(client, n) for n in range(4)]
        _until(lambda: len(created) >= 20 and len(seen) >= 5)
        a.killed = True  # type: ignore[attr-defined]
        a.kill9()
        for c in clients:
            c.result(timeout=120)
        assert watching.result(timeout=30) and cut.is_set()
        stop.set()
        ticking.result(timeout=30)
    busy.ok(busy.complete(wid, {}, delivery_id=wdid))
    _stream(b.base_url, b.admin_key or "", wid, seen[-1]["seq"], seen, cut)  # resumes on B
    assert [e["seq"] for e in seen] == list(range(1, len(seen) + 1))  # no gap, no repeat
    assert [e["seq"] for e in admin.events(wid)] == [e["seq"] for e in seen]
    assert len(created) == 4 * ROUNDS and len(set(created)) == len(created)
    for iid in created:  # every acknowledged write is there; no intent ended twice
        doc = admin.intent(iid)
        assert len(_terminal_events(admin, iid)) == (1 if doc["status"] == "COMPLETED" else 0)
    for iid in completed:
        assert admin.intent(iid)["status"] == "COMPLETED"
