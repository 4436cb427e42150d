"""The conformance driver (python/conformance-driver) end to end against the real server."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import IO, Any

import pytest

from .server import RunningServer

pytestmark = pytest.mark.integration
DRIVER = Path(__file__).resolve().parents[2] / "conformance-driver"


class DriverProcess:
    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [str(DRIVER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=DRIVER.parent.parent,
        )
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        assert self.process.stdout is not None
        threading.Thread(target=self._read, args=(self.process.stdout,), daemon=True).start()
        self.next_id = 0
        self.by_op: dict[int, list[dict[str, Any]]] = {}

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put(json.loads(line))  # every stdout line must be JSON

    def send(self, op: str, **fields: Any) -> int:
        self.next_id += 1
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"id": self.next_id, "op": op, **fields}) + "\n")
        self.process.stdin.flush()
        return self.next_id

    def collect(self, op_id: int, timeout: float = 30) -> list[dict[str, Any]]:
        """Lines of one op, in order, up to its final line (other ops' lines are kept)."""
        deadline = time.monotonic() + timeout
        while True:
            got = self.by_op.setdefault(op_id, [])
            if got and ("ok" in got[-1] or "done" in got[-1]):
                return self.by_op.pop(op_id)
            line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            self.by_op.setdefault(line["id"], []).append(line)

    def request(self, op: str, **fields: Any) -> dict[str, Any]:
        return self.collect(self.send(op, **fields))[-1]


@pytest.fixture
def driver(server: RunningServer, namespace: tuple[str, str]) -> Any:
    d = DriverProcess()
    hello = d.request("hello")
    assert hello["result"]["sdk"] == "python" and "listen" in hello["result"]["capabilities"]
    config = {
        "base_url": server.base_url,
        "api_key": namespace[1],
        "max_retries": 2,
        "retry_base_ms": 20,
        "timeout_ms": 10000,
    }
    assert d.request("new_client", config=config)["result"] == {"client": "c1"}
    yield d
    assert d.request("shutdown") == {"id": d.next_id, "ok": True, "result": {}}
    assert d.process.wait(timeout=10) == 0


def test_driver_full_flow(driver: DriverProcess) -> None:
    agent = driver.request("call", method="registerAgent", args={"address": "drv-agent"})
    address = agent["result"]["agent"]["address"]
    created = driver.request(
        "call",
        method="createIntent",
        args={"intent_type": "intent.test.driver.v1", "to_agent": address, "payload": {"k": 1}},
    )
    intent_id = created["result"]["intent_id"]
    got = driver.request("call", method="getIntent", args={"intent_id": intent_id})
    assert got["result"]["ok"] is True and got["result"]["intent"]["intent_id"] == intent_id
    observe = driver.send(
        "observe",
        intent_id=intent_id,
        until_terminal=True,
        args={"intent_id": intent_id, "until_terminal": True},
    )
    listen = driver.collect(
        driver.send(
            "listen",
            address=address,
            max_deliveries=1,
            handler={
                "action": "progress_then_complete",
                "progress_count": 2,
                "delay_ms": 10,
                "result": {"done": True},
            },
        )
    )
    assert listen[0]["delivery"]["intent_id"] == intent_id and listen[-1] == {
        "id": listen[0]["id"],
        "done": True,
    }
    events = driver.collect(observe)
    types = [e["event"]["event_type"] for e in events[:-1]]
    assert types[0] == "intent.submitted" and types[-1] == "intent.completed"
    assert types.count("intent.progress") >= 1
    waited = driver.request(
        "wait_for",
        intent_id=intent_id,
        timeout_ms=5000,
        args={"intent_id": intent_id, "timeout_ms": 5000},
    )
    assert waited["result"]["status"] == "COMPLETED" and waited["result"]["result"] == {
        "done": True
    }


def intent_for_new_agent(driver: DriverProcess, address: str) -> str:
    """Registers `address` and sends it an intent (sendIntent): the intent's id."""
    driver.request("call", method="registerAgent", args={"address": address})
    sent = driver.request(
        "call",
        method="sendIntent",
        args={"intent_type": "intent.test.driver.v1", "to_agent": address, "payload": {}},
    )
    intent_id: str = sent["result"]["intent_id"]
    return intent_id


def test_driver_errors_and_cancel(driver: DriverProcess) -> None:
    missing = driver.request(
        "call", method="getIntent", args={"intent_id": "00000000-0000-4000-8000-000000000000"}
    )
    assert missing["error"]["type"] == "NotFound" and missing["error"]["code"] == "intent_not_found"
    assert driver.request("call", method="noSuchThing", args={})["error"]["type"] == "Unsupported"
    intent_id = intent_for_new_agent(driver, "drv-b")
    waiting = driver.send(
        "wait_for",
        intent_id=intent_id,
        timeout_ms=60000,
        args={"intent_id": intent_id, "timeout_ms": 60000},
    )
    time.sleep(0.3)
    cancel = driver.request("cancel", target_id=waiting, args={"target_id": waiting})
    assert cancel["result"] == {"cancelled": True}
    assert driver.collect(waiting)[-1]["error"]["type"] == "Canceled"
    timeout = driver.request(
        "wait_for",
        intent_id=intent_id,
        timeout_ms=300,
        args={"intent_id": intent_id, "timeout_ms": 300},
    )
    assert timeout["error"]["type"] == "WaitTimeout"
    failed = driver.collect(
        driver.send(
            "listen",
            address="drv-b",
            max_deliveries=1,
            handler={"action": "fail", "error": {"code": "x", "message": "nope"}},
        )
    )
    assert failed[-1]["done"] is True
    intent = driver.request("call", method="getIntent", args={"intent_id": intent_id})
    assert intent["result"]["intent"]["status"] == "FAILED"


def test_driver_calls_the_operations_derived_from_the_spec(driver: DriverProcess) -> None:
    """Operations no hand-written entry names reach the server through the derived table:
    path parameters, body members as positional arguments, keywords, and what they answer."""
    intent_id = intent_for_new_agent(driver, "drv-c")
    notifications = driver.request(
        "call", method="listNotifications", args={"intent_id": intent_id}
    )
    assert notifications["ok"] is True and notifications["result"]["notifications"] == []
    rotated = driver.request("call", method="rotateWebhookSecret", args={"overlap_seconds": 0})
    assert rotated["ok"] is True and rotated["result"]["webhook_secret"]
    driver.request(
        "call",
        method="registerAgent",
        args={
            "address": "drv-http",
            "delivery_mode": "http",
            "callback_url": "http://127.0.0.1:9/",
        },
    )
    callback = driver.request(
        "call", method="rotateCallbackSecret", args={"address": "drv-http", "overlap_seconds": 5}
    )
    assert callback["ok"] is True and callback["result"]["callback_secret"]
    # a workspace admin is no operator: the typed API error, not the driver's Unsupported
    denied = driver.request("call", method="createWorkspace", args={"org": "o", "name": "w"})
    assert denied["error"]["type"] == "PermissionDenied"
    missing = driver.request("call", method="createWorkspace", args={"org": "o"})
    assert missing["error"] == {
        "type": "Validation",
        "status": None,
        "code": None,
        "retryable": None,
        "message": "createWorkspace: missing argument 'name'",
    }
    stream = driver.request("call", method="streamIntentEvents", args={"intent_id": intent_id})
    assert stream["error"]["type"] == "Unsupported" and "a stream" in stream["error"]["message"]
