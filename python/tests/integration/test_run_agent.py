"""REQ-LISTEN-007: run_agent serves until SIGINT/SIGTERM, lets the handler in hand finish and
send its result within the grace, abandons it unsent after the grace, and returns normally.

Each case runs run_agent_process.py (the blocking and the asyncio client) as a real process
against the session's server (lease 4 s) and signals it at points its output marks.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from axme import AsyncAxmeClient, AxmeClient, AxmeClientConfig, Delivery

from ..flows.processes import user_env
from .server import RunningServer
from .test_intents import new_intent

pytestmark = pytest.mark.integration

AGENT_SCRIPT = Path(__file__).with_name("run_agent_process.py")
SERVING = "until SIGINT or SIGTERM"  # the SDK's log line once its signal handlers are in place
STOPPING = "log stopping:"
TIMEOUT = 20.0


class AgentProcess:
    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.popen = subprocess.Popen(
            argv,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._new: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self._new.put(line.rstrip("\n"))
        self._new.put(None)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_line(self, wanted: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while not any(wanted in line for line in self.lines):
            try:
                line = self._new.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no {wanted!r} within {TIMEOUT}s:\n{self.output}") from None
            if line is None:
                raise AssertionError(f"exited before {wanted!r}:\n{self.output}")
            self.lines.append(line)

    def tell(self, line: str) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(line + "\n")
        self.popen.stdin.flush()

    def exit_code(self, within: float) -> int:
        rc = self.popen.wait(timeout=within)
        self.wait_line("returned ")
        return rc

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(timeout=5)


@pytest.fixture
def admin(server: RunningServer, namespace: tuple[str, str]) -> Iterator[AxmeClient]:
    with AxmeClient(AxmeClientConfig(api_key=namespace[1], base_url=server.base_url)) as client:
        yield client


@pytest.fixture
def start_agent(
    server: RunningServer, admin: AxmeClient, tmp_path: Path
) -> Iterator[Callable[[str, float], tuple[AgentProcess, str]]]:
    started: list[AgentProcess] = []

    def start(kind: str, grace: float) -> tuple[AgentProcess, str]:
        registered = admin.register_agent(f"run-agent-{uuid.uuid4().hex[:8]}")
        address = registered.agent.address
        env = user_env(server, registered.api_key, tmp_path / "cfg")
        argv = [sys.executable, str(AGENT_SCRIPT), kind, address, str(grace)]
        agent = AgentProcess(argv, env)
        started.append(agent)
        agent.wait_line(SERVING)
        return agent, address

    yield start
    for agent in started:
        agent.kill()


def event_types(admin: AxmeClient, intent_id: str) -> list[str]:
    return [e["event_type"] for e in admin.list_intent_events(intent_id).events]


def sigterm_mid_handler(
    admin: AxmeClient, started: tuple[AgentProcess, str]
) -> tuple[AgentProcess, str, float]:
    """Send the agent an intent and SIGTERM once its handler runs: (agent, intent id, when)."""
    agent, address = started
    intent_id = admin.send_intent(new_intent(address))
    agent.wait_line(f"handling {intent_id}")
    agent.popen.send_signal(signal.SIGTERM)
    return agent, intent_id, time.monotonic()


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_signal_lets_the_handler_in_hand_finish_and_send(
    kind: str, admin: AxmeClient, start_agent: Any
) -> None:
    agent, intent_id, signalled = sigterm_mid_handler(admin, start_agent(kind, 10.0))
    agent.wait_line(STOPPING)  # stopped taking deliveries; the handler is still running
    agent.tell("after the signal")
    assert agent.exit_code(within=10.0) == 0, agent.output
    assert time.monotonic() - signalled < 10.0
    assert "returned 1" in agent.lines, agent.output
    intent = admin.wait_for(intent_id, timeout=TIMEOUT)
    assert intent.status == "COMPLETED" and intent.result == {"finished": "after the signal"}
    types = event_types(admin, intent_id)
    assert types.count("intent.delivered") == 1 and "intent.redelivered" not in types, types


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_handler_past_the_grace_is_abandoned_unsent_and_redelivered(
    kind: str,
    server: RunningServer,
    namespace: tuple[str, str],
    admin: AxmeClient,
    start_agent: Any,
) -> None:
    agent, intent_id, signalled = sigterm_mid_handler(admin, start_agent(kind, 0.5))
    assert agent.exit_code(within=5.0) == 0, agent.output  # the handler never got its line
    assert time.monotonic() - signalled < 5.0
    assert "returned 0" in agent.lines and "did not finish within 0.5 s" in agent.output
    assert admin.get_intent(intent_id).status == "ACKNOWLEDGED"  # still leased, not terminal
    requests = server.testing("GET", "/_testing/requests", params={"namespace": namespace[0]})
    assert not [r for r in requests["requests"] if r["op"] == "resumeIntent"]
    deadline = time.monotonic() + TIMEOUT  # the 4 s lease runs out and the server takes it back
    while "intent.redelivered" not in (types := event_types(admin, intent_id)):
        assert time.monotonic() < deadline, types
        time.sleep(0.2)
    assert "intent.completed" not in types and "intent.failed" not in types, types


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_signal_while_idle_returns_at_once(kind: str, start_agent: Any) -> None:
    agent, _ = start_agent(kind, 10.0)
    agent.popen.send_signal(signal.SIGINT)
    assert agent.exit_code(within=5.0) == 0, agent.output
    assert "returned 0" in agent.lines and "log stopping: no delivery in hand" in agent.lines


async def test_cancelling_run_agent_gives_the_handler_its_grace(
    server: RunningServer, namespace: tuple[str, str]
) -> None:
    config = AxmeClientConfig(api_key=namespace[1], base_url=server.base_url)
    async with AsyncAxmeClient(config) as admin:
        registered = await admin.register_agent(f"run-agent-{uuid.uuid4().hex[:8]}")
        agent_config = AxmeClientConfig(api_key=registered.api_key, base_url=server.base_url)
        started, release = asyncio.Event(), asyncio.Event()

        async def handle(delivery: Delivery) -> dict[str, Any]:
            started.set()
            await release.wait()
            return {"finished": True}

        async with AsyncAxmeClient(agent_config) as agent:
            running = asyncio.create_task(agent.run_agent(registered.agent.address, handle))
            intent_id = await admin.send_intent(new_intent(registered.agent.address))
            await asyncio.wait_for(started.wait(), TIMEOUT)
            running.cancel()
            await asyncio.sleep(0)  # run_agent takes the cancellation and waits for the handler
            assert not running.done()
            release.set()
            with pytest.raises(asyncio.CancelledError):
                await running
        intent = await admin.wait_for(intent_id, timeout=TIMEOUT)
        assert intent.status == "COMPLETED" and intent.result == {"finished": True}
        # the signal handlers it installed are gone again
        assert signal.getsignal(signal.SIGTERM) in (signal.SIG_DFL, None)


def test_outside_the_main_thread_it_serves_until_cancelled(
    server: RunningServer, admin: AxmeClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="axme")
    registered = admin.register_agent(f"run-agent-{uuid.uuid4().hex[:8]}")
    config = AxmeClientConfig(api_key=registered.api_key, base_url=server.base_url)
    ended: list[BaseException] = []

    async def run_and_cancel() -> None:
        async with AsyncAxmeClient(config) as agent:
            running = asyncio.create_task(agent.run_agent(registered.agent.address, lambda d: {}))
            await asyncio.sleep(0)  # its first step installs (here: no) signal handlers and logs
            running.cancel()
            try:
                await running
            except asyncio.CancelledError as exc:
                ended.append(exc)

    thread = threading.Thread(target=asyncio.run, args=(run_and_cancel(),))
    thread.start()
    thread.join(TIMEOUT)
    assert len(ended) == 1
    assert f"serving {registered.agent.address} until cancelled" in caplog.messages
    assert "stopping: no delivery in hand" in caplog.messages
