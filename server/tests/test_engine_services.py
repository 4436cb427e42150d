"""The engine as composed services (service.py): the store, the clock and the fan-out are
plug points of the core, and every timer kind the services set has one handler in the
core's table (a kind without one would fail only when it fires)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import axme_server
from axme_server.clock import TestingClock
from axme_server.engine import Ctx, Settings
from axme_server.hub import Hub
from axme_server.jsonutil import iso
from axme_server.service import Engine
from axme_server.store.sqlite import SqliteStore

PACKAGE = Path(axme_server.__file__).parent
# a timer is set as doc["_timers"]["kind"] = …, timers["kind"] = … or in a new doc's "_timers": {"kind": …}
TIMER_KIND = re.compile(r'(?:_timers"\]|\btimers)\[\s*"([a-z_]+)"\s*\]\s*=(?!=)|"_timers": \{"([a-z_]+)"')


class RecordingHub(Hub):
    """A fan-out that also keeps what it was given (a plugged-in Hub)."""

    def __init__(self) -> None:
        super().__init__()
        self.published: list[tuple[str, list[str]]] = []

    def publish(self, intent_id: str, events: list[dict[str, Any]]) -> None:
        self.published.append((intent_id, [ev["event_type"] for ev in events]))
        super().publish(intent_id, events)


def _engine(tmp_path: Path, hub: Hub | None = None) -> tuple[Engine, SqliteStore]:
    store = SqliteStore(str(tmp_path / "axme.db"))
    store.open()
    return Engine(store, TestingClock(), Settings(testing=True), hub=hub), store


def test_every_timer_kind_set_in_the_source_has_a_handler(tmp_path: Path) -> None:
    kinds = {
        kind
        for path in PACKAGE.rglob("*.py")
        for found in TIMER_KIND.findall(path.read_text(encoding="utf-8"))
        for kind in found
        if kind
    }
    assert {"lease", "retry", "deadline", "remind"} <= kinds  # the pattern still finds them
    engine, store = _engine(tmp_path)
    try:
        assert kinds <= set(engine.core.timer_handlers)
    finally:
        store.close()


def test_store_clock_and_fanout_are_the_ones_plugged_in(tmp_path: Path) -> None:
    hub = RecordingHub()
    engine, store = _engine(tmp_path, hub)

    async def run() -> None:
        await engine.start(None)
        try:
            assert engine.core.store is store and engine.core.hub is hub
            _, admin_key = await engine.directory.create_workspace("o", "w")
            admin = Ctx(engine.keys.authenticate(admin_key, engine.clock.now()))
            await engine.directory.register_agent(admin, {"address": "a"})
            deadline = iso(engine.clock.now() + 3600)
            body = {"intent_type": "intent.t.x.v1", "to_agent": "a", "deadline_at": deadline}
            created = await engine.intents.create_intent(admin, body)
            intent_id = re.search(rb'"intent_id":"([^"]+)"', created).group(1).decode()  # type: ignore[union-attr]
            assert hub.published == [(intent_id, ["intent.submitted"])]
            engine.clock.advance(3601)  # the deadline fires on the plugged-in clock
            await engine.timers.run_due()
            assert hub.published[-1] == (intent_id, ["intent.timed_out"])
            assert store.get_intent(intent_id)["status"] == "TIMED_OUT"
        finally:
            await engine.stop()

    try:
        asyncio.run(run())
    finally:
        store.close()
