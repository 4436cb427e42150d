import sys
from pathlib import Path

import pytest

from axme_conformance.driver import DriverError, DriverProcess

FAKE = str(Path(__file__).with_name("fake_driver.py"))


def start(tmp_path, mode):
    driver = DriverProcess("fake", [sys.executable, FAKE, mode], tmp_path, tmp_path / "d.log")
    driver.start(10)
    return driver


def test_stream_items_and_errors(tmp_path):
    driver = start(tmp_path, "good")
    try:
        assert driver.capabilities == {"observe"}
        obs = driver.send({"op": "observe", "intent_id": "x", "until_terminal": True, "args": {}})
        assert obs.wait(5)
        assert [e["seq"] for e in obs.outcome()["events"]] == [1, 2]
        call = driver.send({"op": "call", "method": "getIntent", "args": {}})
        assert call.wait(5)
        assert call.outcome() == {
            "ok": False,
            "error": {
                "type": "NotFound",
                "status": 404,
                "code": "intent_not_found",
                "retryable": False,
                "message": "no",
            },
        }
        assert driver.take_violations() == []
    finally:
        driver.stop()
    assert not driver.alive


def test_schema_violation_is_recorded(tmp_path):
    driver = start(tmp_path, "bad")
    try:
        handle = driver.send({"op": "call", "method": "getIntent", "args": {}})
        assert not handle.wait(0.5)
        violations = driver.take_violations()
        assert violations and "schema" in violations[0]
    finally:
        driver.stop()


def test_crash_finishes_pending_ops(tmp_path):
    driver = start(tmp_path, "crash")
    handle = driver.send({"op": "call", "method": "getIntent", "args": {}})
    assert handle.wait(5)
    assert handle.final_kind == "exited"
    with pytest.raises(DriverError):
        driver.send({"op": "call", "method": "getIntent", "args": {}})
    driver.stop()


def test_awaited_background_op_is_saved_under_its_name(tmp_path):
    from axme_conformance.steps import ScenarioContext, run_step
    from axme_conformance.templating import Variables
    from axme_conformance.testing_api import Namespace

    driver = start(tmp_path, "good")
    try:
        ctx = ScenarioContext(
            "fake", driver, None, "http://x", Namespace("ns_x", "k"), Variables(), {}
        )
        ctx.clients["default"] = (driver, "c1")  # skip new_client
        run_step(ctx, 0, {"observe": {"intent_id": "i"}, "background": True, "as": "obs"})
        run_step(ctx, 1, {"await": "obs", "timeout_s": 5})
        assert ctx.vars.render("${obs.events.1.seq}") == 2
    finally:
        driver.stop()
