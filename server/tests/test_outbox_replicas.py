"""The outbox across server processes on one PostgreSQL database (issue 14, REQ-PUSH-010):
a replica sends only the rows it claimed (FOR UPDATE SKIP LOCKED), so every push goes out
once; rows a killed replica had claimed go out once from the two replicas that start after
it, when the claim expires, with the same delivery id; a late settle from an expired claim
changes nothing."""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from helpers import Api, ServerProc, start_server
from pg.databases import fresh_database, query_server_database
from push_receiver import Received, Receiver

SECRET = "whsec_replicas_0123456789abcdef"


@pytest.fixture()
def database() -> Iterator[str]:
    with fresh_database() as url:
        yield url


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.release.set()  # (ends any answer still hanging)
    r.close()


class Replicas:
    """Server processes on one database (the same data dir: the same admin.key)."""

    def __init__(self, tmp_path: Path, url: str) -> None:
        self.data, self.env, self.procs = tmp_path / "data", {"AXME_DATABASE_URL": url}, []

    def start(self, *flags: str) -> ServerProc:
        srv = start_server(self.data, "--testing", *flags, env=self.env)
        srv.database_url = self.env["AXME_DATABASE_URL"]  # type: ignore[attr-defined]  (query_server_database)
        if self.procs:
            srv.admin_key = self.procs[0].admin_key
        self.procs.append(srv)
        return srv

    def stop(self) -> None:
        for srv in self.procs:
            code = srv.stop()
            assert code == 0 or srv.proc.returncode == -9, code
        for srv in self.procs:
            if srv.proc.returncode == 0:
                assert "Traceback" not in srv.stderr_path.read_text(), srv.stderr_path.read_text()[-3000:]


@pytest.fixture()
def replicas(tmp_path: Path, database: str) -> Iterator[Replicas]:
    r = Replicas(tmp_path, database)
    yield r
    r.stop()


def http_agent(api: Api, receiver: Receiver, name: str) -> str:
    body = api.ok(
        api.post(
            "/v1/agents",
            {
                "address": name,
                "delivery_mode": "http",
                "callback_url": f"{receiver.url}/ok/{name}",
                "callback_secret": SECRET,
            },
        )
    )
    return str(body["agent"]["address"])


def take(receiver: Receiver, n: int, seconds: float) -> list[Received]:
    deadline = time.monotonic() + seconds
    out = [receiver.next(timeout=max(0.1, deadline - time.monotonic())) for _ in range(n)]
    return out


def rows(srv: ServerProc) -> dict[str, dict[str, Any]]:
    """outbox_id -> {status, claimed_by, attempts} of every push row."""
    out = {
        oid: {"status": status, "claimed_by": claimed, "attempts": 0}
        for oid, status, claimed in query_server_database(
            srv, "SELECT outbox_id, status, claimed_by FROM outbox WHERE channel = 'push'"
        )
    }
    for (oid,) in query_server_database(srv, "SELECT outbox_id FROM outbox_attempts"):
        out[oid]["attempts"] += 1
    return out


def until(predicate: Callable[[], Any], seconds: float = 15.0) -> Any:
    deadline = time.monotonic() + seconds
    while not (value := predicate()):
        assert time.monotonic() < deadline, "no change in time"
        time.sleep(0.05)
    return value


def test_every_push_goes_out_once_across_two_replicas(replicas: Replicas, receiver: Receiver) -> None:
    a, b = replicas.start(), replicas.start()
    on_a, on_b = Api(a.base_url, a.admin_key), Api(b.base_url, a.admin_key)
    address = http_agent(on_a, receiver, "pushed-once")
    n = 40
    with ThreadPoolExecutor(4) as pool:  # created through both replicas at once
        created = set(pool.map(lambda i: (on_a if i % 2 else on_b).create(address), range(n)))
    got = take(receiver, n, 30)
    ids = Counter(r.headers["x-axme-delivery-id"] for r in got)
    assert {json.loads(r.body)["intent_id"] for r in got} == created
    assert len(ids) == n and set(ids.values()) == {1}
    # settled once each: one attempt recorded per row, none claimed any more, nothing more sent
    settled = until(lambda: (r := rows(a)) and all(v["status"] == "sent" for v in r.values()) and r)
    assert set(settled) == set(ids) and {v["attempts"] for v in settled.values()} == {1}
    assert {v["claimed_by"] for v in settled.values()} == {None}
    time.sleep(1.0)
    assert receiver.received.empty()


def test_pushes_a_killed_replica_claimed_go_out_from_the_other(
    replicas: Replicas, receiver: Receiver
) -> None:
    flags = ("--outbox-claim-seconds", "2")
    a = replicas.start(*flags)
    on_a = Api(a.base_url, a.admin_key)
    address = http_agent(on_a, receiver, "pushed-twice")
    n = 5
    receiver.script["/ok/pushed-twice"] = ["hang"] * n  # A's attempts never answer
    for _ in range(n):
        on_a.create(address)
    first = {r.headers["x-axme-delivery-id"] for r in take(receiver, n, 15)}
    claimed = rows(a)
    assert set(claimed) == first and {v["status"] for v in claimed.values()} == {"pending"}
    assert len({v["claimed_by"] for v in claimed.values()}) == 1 and None not in {
        v["claimed_by"] for v in claimed.values()
    }
    a.kill9()
    with ThreadPoolExecutor(2) as pool:  # two replicas start at once while A's claims stand
        b, _c = pool.map(lambda _: replicas.start(*flags), range(2))
    ready_at = time.monotonic()
    again = take(receiver, n, 15)
    waited = time.monotonic() - ready_at
    # once each, from B or C, with the same ids (the receiver dedupes by them)
    assert Counter(r.headers["x-axme-delivery-id"] for r in again) == Counter(first)
    assert waited < 2 + 1 + 2  # at most the claim, a poll (half the claim), and slack
    settled = until(lambda: (r := rows(b)) and all(v["status"] == "sent" for v in r.values()) and r)
    assert {v["attempts"] for v in settled.values()} == {1}  # (A died before recording its attempts)
    time.sleep(1.0)
    assert receiver.received.empty()


def test_a_late_failure_from_an_expired_claim_changes_nothing(replicas: Replicas, receiver: Receiver) -> None:
    # a claim (1 s) shorter than an attempt (up to 4 s): whichever replica sent first, the other
    # claims the row once that claim expired and sends it meanwhile
    flags = ("--outbox-claim-seconds", "1", "--outbound-timeout-seconds", "4")
    a, b = replicas.start(*flags), replicas.start(*flags)
    on_a = Api(a.base_url, a.admin_key)
    address = http_agent(on_a, receiver, "pushed-late")
    receiver.script["/ok/pushed-late"] = ["hang"]  # the first attempt hangs until it times out; then 200
    intent_id = on_a.create(address)
    first = receiver.next(timeout=10)
    second = receiver.next(timeout=10)
    delivery_id = first.headers["x-axme-delivery-id"]
    assert second.headers["x-axme-delivery-id"] == delivery_id and second.body == first.body
    # the first attempt's timeout is then recorded, and only recorded: the 2xx stands (the lease, the status)
    row = until(lambda: (r := rows(b)[delivery_id])["attempts"] == 2 and r, seconds=10)
    assert row["status"] == "sent" and row["claimed_by"] is None
    attempts = [
        json.loads(doc)
        for (doc,) in query_server_database(
            b, "SELECT doc FROM outbox_attempts WHERE outbox_id = ? ORDER BY rid", (delivery_id,)
        )
    ]
    assert [a_["error"] is None for a_ in attempts] == [True, False]
    on_b = Api(b.base_url, a.admin_key)
    assert on_b.intent(intent_id)["status"] == "DELIVERED"
    assert [e["event_type"] for e in on_b.events(intent_id)] == ["intent.submitted", "intent.delivered"]
    assert receiver.received.empty()


def test_every_email_notification_goes_out_once_across_two_replicas(replicas: Replicas) -> None:
    from notify_fixtures import Mailbox

    mailbox = Mailbox()
    try:
        a, b = replicas.start("--smtp-url", mailbox.url), replicas.start("--smtp-url", mailbox.url)
        on_a, on_b = Api(a.base_url, a.admin_key), Api(b.base_url, a.admin_key)
        address, agent = on_a.register_agent("notified")
        n = 20
        made = []
        for i in range(n):  # a human step after the agent's, through either replica
            api = on_a if i % 2 else on_b
            intent_id = api.create(
                address,
                human_task={"title": f"t{i}", "notify": [{"channel": "email", "to": f"p{i}@example.com"}]},
            )
            worker = Api(api.base_url, agent.key)
            worker.ok(worker.complete(intent_id, {}))
            made.append(intent_id)
        ids = [mailbox.next(timeout=20)[1]["Message-ID"] for _ in range(n)]
        assert len(set(ids)) == n
        time.sleep(1.0)  # (a second copy would be on its way by now)
        assert mailbox.messages.empty()
        listed = [
            note
            for i in made
            for note in on_a.ok(on_a.get(f"/v1/intents/{i}/notifications"))["notifications"]
        ]
        assert {f"<{note['notification_id']}@axme>" for note in listed} == set(ids)
        assert {note["status"] for note in listed} == {"sent"} and {note["attempts"] for note in listed} == {
            1
        }
    finally:
        mailbox.close()
