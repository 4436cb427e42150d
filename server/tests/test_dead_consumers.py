"""No lease is left with a dead agent connection: a consumer whose connection is gone is not
offered deliveries, and a lease whose frame could not be written goes back at once (to
SUBMITTED, without consuming a delivery attempt) instead of waiting for its expiry."""

from __future__ import annotations

import json
import queue
import socket
import threading
import time
from typing import Any

from helpers import Api, checked_client, sse_frames

ROUNDS = 6
WAIT = 10.0  # well below the 60 s lease: a delivery that arrives came without a lease expiry


def _listen(
    agent: Api, addr: str, out: queue.Queue[Any], opened: threading.Event, stop: threading.Event
) -> None:
    """A live agent stream: every delivery goes to `out`."""
    with (
        checked_client(agent.base_url) as c,
        c.stream(
            "GET", f"/v1/agents/{addr}/intents/stream", params={"wait_seconds": 60}, headers=agent.headers()
        ) as resp,
    ):
        assert resp.status_code == 200
        for frame in sse_frames(resp):
            if frame.get("retry"):
                opened.set()
            if frame.get("event") == "intent.delivery":
                out.put(json.loads(frame["data"]))
            if stop.is_set():
                return


def _raw_create(api: Api, to_agent: str) -> tuple[socket.socket, bytes]:
    """A createIntent request written in full on its own socket (its answer is read later)."""
    host, port = api.base_url.removeprefix("http://").split(":")
    body = json.dumps({"intent_type": "intent.test.dead.v1", "to_agent": to_agent, "payload": {}}).encode()
    head = (
        f"POST /v1/intents HTTP/1.1\r\nhost: {host}\r\nx-api-key: {api.key}\r\n"
        f"content-type: application/json\r\ncontent-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    sock = socket.create_connection((host, int(port)), timeout=WAIT)
    # a request answered first, so the connection is accepted and read from when the create is sent
    sock.sendall(f"GET /health HTTP/1.1\r\nhost: {host}\r\n\r\n".encode())
    seen = b""
    while not seen.endswith(b"}"):
        seen += sock.recv(65536)
    return sock, head.encode() + body


def _read_answer(sock: socket.socket) -> dict[str, Any]:
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    sock.close()
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), data[:300]
    return json.loads(body)


def test_closed_stream_gets_no_lease_and_the_live_one_gets_it_at_once(api: Api) -> None:
    offset_before = _clock_offset(api)
    for n in range(ROUNDS):
        addr, agent = api.register_agent(f"w{n}")  # a fresh lane: the first stream in line is offered first
        dead = checked_client(api.base_url)
        resp = dead.send(
            dead.build_request(
                "GET",
                f"/v1/agents/{addr}/intents/stream",
                params={"wait_seconds": 60},
                headers=agent.headers(),
            ),
            stream=True,
        )
        assert resp.status_code == 200
        frames = sse_frames(resp)  # held: dropping the generator would close the response
        assert next(f for f in frames if "retry" in f) == {"retry": "2000"}
        live_got: queue.Queue[Any] = queue.Queue()
        live_open, stop = threading.Event(), threading.Event()
        live = threading.Thread(target=_listen, args=(agent, addr, live_got, live_open, stop), daemon=True)
        live.start()
        assert live_open.wait(WAIT)
        # the create and the close reach the server together: it may lease before it sees the close
        sock, request = _raw_create(api, addr)
        sock.sendall(request)
        resp.close()
        dead.close()
        iid = _read_answer(sock)["intent_id"]
        got = live_got.get(timeout=WAIT)
        assert got["intent_id"] == iid
        assert got["attempt"] == 1  # a lease that never reached the dead stream consumed no attempt
        doc = api.intent(iid)
        assert doc["status"] == "DELIVERED" and doc["delivery_attempt"] == 1
        events = api.events(iid)
        for e in events:
            if (
                e["event_type"] == "intent.redelivered"
            ):  # leased to the dead stream first: handed back at once
                assert e["data"]["reason"] == "consumer_gone" and e["data"]["binding"] == "stream", e
        assert events[-1]["event_type"] == "intent.delivered"
        assert events[-1]["data"]["delivery_id"] == got["delivery_id"]
        stop.set()
        api.create(addr)  # wakes the live stream so it sees `stop`
        live.join(WAIT)
    # no clock advance was needed (none was made): the testing clock only moved with real time
    assert abs(_clock_offset(api) - offset_before) < 2.0


def _clock_offset(api: Api) -> float:
    """How far the testing clock runs ahead of real time (POST /_testing/clock moves it)."""
    from datetime import datetime

    now = api.ok(api.http.get("/_testing/clock"))["now"]
    return datetime.fromisoformat(now).timestamp() - time.time()


def test_abandoned_long_poll_gets_no_lease(api: Api) -> None:
    addr, agent = api.register_agent("poller")
    host, port = api.base_url.removeprefix("http://").split(":")
    poll = socket.create_connection((host, int(port)), timeout=WAIT)
    poll.sendall(
        f"GET /v1/agents/{addr}/intents?wait_seconds=60 HTTP/1.1\r\nhost: {host}\r\n"
        f"x-api-key: {agent.key}\r\n\r\n".encode()
    )
    # answered after the poll's request (sent first, on an accepted connection) is being handled
    api.ok(api.get("/health"))
    live_got: queue.Queue[Any] = queue.Queue()
    live_open, stop = threading.Event(), threading.Event()
    live = threading.Thread(target=_listen, args=(agent, addr, live_got, live_open, stop), daemon=True)
    live.start()
    assert live_open.wait(WAIT)
    poll.close()  # the poller gives up while its poll is still waiting
    iid = api.create(addr)
    got = live_got.get(timeout=WAIT)
    assert got["intent_id"] == iid and got["attempt"] == 1
    stop.set()
    api.create(addr)
    live.join(WAIT)
