"""Two server processes on one PostgreSQL database (issue 14): writes serialize across them
(compare-and-set on the intent's revision), stream wake-ups and deliveries cross them
(LISTEN/NOTIFY), and a timer fires once whichever process gets to it (REQ-API-022)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from axme import AxmeClient, AxmeClientConfig
from helpers import Api, ServerProc, read_stream, start_server
from pg.databases import fresh_database


@pytest.fixture()
def replicas(tmp_path: Path) -> Iterator[tuple[ServerProc, ServerProc]]:
    with fresh_database() as url:
        env = {"AXME_DATABASE_URL": url}
        a = start_server(tmp_path / "data", "--testing", env=env)
        b = start_server(tmp_path / "data", "--testing", env=env)  # (the same admin.key)
        b.admin_key = a.admin_key
        try:
            yield a, b
        finally:
            codes = [(s.stop(), getattr(s, "killed", False)) for s in (a, b)]
            assert all(code == 0 or killed for code, killed in codes), codes


def _until(predicate: Callable[[], Any], seconds: float = 15.0) -> Any:
    deadline = time.monotonic() + seconds
    while not (value := predicate()):
        assert time.monotonic() < deadline, "no change in time"
        time.sleep(0.05)
    return value


def _open_streams(srv: ServerProc) -> int:
    text = httpx.get(srv.base_url + "/metrics", headers={"x-api-key": srv.admin_key or ""}).text
    return int(next(line.split()[1] for line in text.splitlines() if line.startswith("axme_open_streams ")))


def _bundle(name: str, deadline: int | None = None) -> dict[str, Any]:
    human: dict[str, Any] = {
        "step_id": "approve",
        "tool_id": "tool.human",
        "requires_approval": True,
        "human_task": {"title": "ship it?", "assignees": ["alice@example.com"]},
    }
    steps: list[dict[str, Any]] = [human]
    if deadline is None:
        steps.insert(0, {"step_id": "work", "assigned_to": "worker"})
    else:
        human["step_deadline_seconds"] = deadline
    return {
        "scenario_id": f"replicas.{name}",
        "agents": [{"role": "worker", "address": f"worker-{name}", "create_if_missing": True}],
        "workflow": {"steps": steps},
        "intent": {"type": "intent.test.replicas.v1", "payload": {"n": 1}},
    }


def test_observe_on_one_replica_while_the_agent_and_the_person_use_both(
    replicas: tuple[ServerProc, ServerProc],
) -> None:
    a, b = replicas
    admin_a = Api(a.base_url, a.admin_key)
    address, agent_api = admin_a.register_agent("worker-sdk")
    # the agent listens on B before there is work for it
    agent = AxmeClient(AxmeClientConfig(base_url=b.base_url, api_key=agent_api.key))
    handled: list[str] = []

    def work() -> None:
        for delivery in agent.listen(address):
            handled.append(delivery.intent_id)
            agent.resume_intent(delivery.intent_id, {"built": True}, delivery_id=delivery.delivery_id)
            return

    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    _until(lambda: _open_streams(b) >= 1)
    # the intent is made on A; B hears of it and delivers it to its listener
    iid = admin_a.ok(admin_a.post("/v1/scenarios/apply", _bundle("sdk")))["intent_id"]
    person = AxmeClient(AxmeClientConfig(base_url=a.base_url, api_key=a.admin_key))
    with ThreadPoolExecutor(1) as pool:
        seen = pool.submit(lambda: list(person.observe(iid)))  # on A, from the start
        worker.join(20)
        assert handled == [iid]
        _until(lambda: person.get_intent(iid)["status"] == "WAITING")  # A saw B's writes
        person.approve_task(iid)  # through A
        events = seen.result(timeout=20)
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1)), seqs  # every event once, in order
    types = [e["event_type"] for e in events]
    assert types[0] == "intent.submitted" and "intent.delivered" in types and "intent.acknowledged" in types
    assert events[-1]["status"] == "COMPLETED" and types.count("intent.completed") == 1
    admin_b = Api(b.base_url, b.admin_key)
    assert [e["seq"] for e in admin_b.events(iid)] == seqs  # the same log on B
    assert admin_b.intent(iid)["status"] == "COMPLETED"


def _terminal_events(api: Api, iid: str) -> list[dict[str, Any]]:
    return [e for e in api.events(iid) if e["status"] in ("COMPLETED", "FAILED", "CANCELED", "TIMED_OUT")]


def test_a_timer_set_on_one_replica_fires_once_on_the_other(replicas: tuple[ServerProc, ServerProc]) -> None:
    a, b = replicas
    admin_a, admin_b = Api(a.base_url, a.admin_key), Api(b.base_url, b.admin_key)
    iid = admin_a.ok(admin_a.post("/v1/scenarios/apply", _bundle("t1", deadline=100)))["intent_id"]
    admin_b.advance(101)  # only B's clock passes the deadline: B learned the timer from A's write
    _until(lambda: admin_b.intent(iid)["status"] == "TIMED_OUT")
    admin_a.advance(101)  # A's heap holds it too; it must not fire again
    assert admin_a.intent(iid)["status"] == "TIMED_OUT"
    assert len(_terminal_events(admin_a, iid)) == 1


def test_timers_due_on_both_replicas_at_once_fire_once_each(replicas: tuple[ServerProc, ServerProc]) -> None:
    a, b = replicas
    admin_a, admin_b = Api(a.base_url, a.admin_key), Api(b.base_url, b.admin_key)
    made = [
        admin.ok(admin.post("/v1/scenarios/apply", _bundle(f"t{n}", deadline=50)))["intent_id"]
        for n, admin in enumerate([admin_a, admin_b] * 10)
    ]
    _until(lambda: all(admin_b.intent(i)["status"] == "WAITING" for i in made))
    with ThreadPoolExecutor(2) as pool:  # both processes fire what is due, concurrently
        list(pool.map(lambda api: api.advance(51), [Api(a.base_url, None), Api(b.base_url, None)]))
    for iid in made:
        _until(lambda iid=iid: admin_a.intent(iid)["status"] == "TIMED_OUT")
        assert len(_terminal_events(admin_b, iid)) == 1, admin_b.events(iid)


def test_concurrent_writes_to_one_intent_through_both_replicas_all_land_once(
    replicas: tuple[ServerProc, ServerProc],
) -> None:
    a, b = replicas
    admin_a = Api(a.base_url, a.admin_key)
    address, agent_a = admin_a.register_agent("busy")
    agent_b = Api(b.base_url, agent_a.key)
    iid = admin_a.create(address)
    did = agent_a.poll_one(address)["delivery_id"]
    answers: list[httpx.Response] = []

    def report(agent: Api) -> None:
        with httpx.Client(base_url=agent.base_url, timeout=30) as http:  # one connection per writer
            for n in range(20):
                body = {"kind": "progress", "delivery_id": did, "details": {"n": n}}
                answers.append(http.post(f"/v1/intents/{iid}/resume", json=body, headers=agent.headers()))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(report, [agent_a, agent_b, agent_a, agent_b]))
    applied = [r for r in answers if r.status_code == 200]
    refused = [r for r in answers if r.status_code != 200]
    for r in refused:  # a write that raced the other process twice: retryable, and not applied
        assert r.status_code == 503 and r.json()["error"]["details"]["reason"] == "write_conflict", r.text
    assert len(applied) >= 70, f"{len(refused)} of 80 refused"
    events = admin_a.events(iid)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert sum(e["event_type"] == "intent.progress" for e in events) == len(applied)
    assert admin_a.intent(iid)["last_seq"] == len(events) if "last_seq" in admin_a.intent(iid) else True


def test_an_agent_listening_on_both_replicas_gets_each_intent_once(
    replicas: tuple[ServerProc, ServerProc],
) -> None:
    a, b = replicas
    admin_a, admin_b = Api(a.base_url, a.admin_key), Api(b.base_url, b.admin_key)
    address, agent_api = admin_a.register_agent("both")
    got: list[str] = []
    stop = threading.Event()

    def listen(srv: ServerProc) -> None:
        agent = AxmeClient(AxmeClientConfig(base_url=srv.base_url, api_key=agent_api.key))
        for delivery in agent.listen(address):
            got.append(delivery.intent_id)
            agent.resume_intent(delivery.intent_id, {"on": srv.base_url}, delivery_id=delivery.delivery_id)
            if stop.is_set():
                return

    listeners = [threading.Thread(target=listen, args=(srv,), daemon=True) for srv in (a, b)]
    for t in listeners:
        t.start()
    _until(lambda: _open_streams(a) >= 1 and _open_streams(b) >= 1)
    made = [api.create(address) for api in [admin_a, admin_b] * 15]
    for iid in made:
        _until(lambda iid=iid: admin_b.intent(iid)["status"] == "COMPLETED")
    stop.set()
    assert sorted(got) == sorted(made)  # each once
    for iid in made:
        assert [e["event_type"] for e in admin_a.events(iid)].count("intent.delivered") == 1


def test_a_backlog_taken_by_listeners_on_both_replicas_at_once_goes_out_once(
    replicas: tuple[ServerProc, ServerProc],
) -> None:
    a, b = replicas
    admin_a = Api(a.base_url, a.admin_key)
    address, agent_api = admin_a.register_agent("backlog")
    made = [admin_a.create(address) for _ in range(40)]  # nobody listens yet: all wait
    got: dict[str, list[str]] = {a.base_url: [], b.base_url: []}

    def take(srv: ServerProc) -> None:
        frames = read_stream(
            Api(srv.base_url, agent_api.key),
            f"/v1/agents/{address}/intents/stream",
            params={"wait_seconds": 3},
        )
        got[srv.base_url] += [
            json.loads(f["data"])["intent_id"] for f in frames if f.get("event") == "intent.delivery"
        ]

    with ThreadPoolExecutor(2) as pool:  # both replicas lease from the same backlog at once
        list(pool.map(take, [a, b]))
    delivered = got[a.base_url] + got[b.base_url]
    assert sorted(delivered) == sorted(made), {k: len(v) for k, v in got.items()}  # each once
    for srv in (a, b):
        assert "Traceback" not in srv.stderr_path.read_text()


def test_one_idempotency_key_sent_to_both_replicas_at_once_makes_one_intent(
    replicas: tuple[ServerProc, ServerProc],
) -> None:
    """REQ-IDEMP-007 across processes: the record's unique key decides; the other request
    replays the winner's answer (it was a 500 when both looked the key up first and missed)."""
    a, b = replicas
    admin = Api(a.base_url, a.admin_key)
    address, _agent = admin.register_agent("idem")
    body = {"intent_type": "intent.test.idem.v1", "to_agent": address, "payload": {"n": 1}}

    def send(base_url: str, key: str) -> httpx.Response:
        headers = {"x-api-key": a.admin_key or "", "Idempotency-Key": key}
        return httpx.post(base_url + "/v1/intents", json=body, headers=headers, timeout=20)

    with ThreadPoolExecutor(2) as pool:
        for n in range(30):
            both = list(pool.map(send, [a.base_url, b.base_url], [f"k{n}"] * 2))
            assert [r.status_code for r in both] == [200, 200], [r.text for r in both]
            assert both[0].json()["intent_id"] == both[1].json()["intent_id"]
    made = admin.ok(admin.get("/v1/intents", params={"to_agent": address, "limit": 100}))["intents"]
    assert len(made) == 30
