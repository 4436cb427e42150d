import sys
from pathlib import Path

import pytest

from axme_conformance.driver import DriverProcess
from axme_conformance.driver_log import check_driver_log, judge, key_fragments
from axme_conformance.steps import ScenarioContext, StepError, run_step
from axme_conformance.templating import Variables
from axme_conformance.testing_api import Namespace

FAKE = str(Path(__file__).with_name("fake_driver.py"))
KEY = "axme_admin_0123456789abcdef_S3cretS3cretS3cret"


def context(tmp_path, mode="good"):
    driver = DriverProcess("fake", [sys.executable, FAKE, mode], tmp_path, tmp_path / "d.log")
    driver.start(10)
    return ScenarioContext(
        "fake", driver, None, "http://x", Namespace("ns_x", KEY), Variables(), {}
    )


def test_key_fragments_are_everything_but_the_kind_prefix():
    assert key_fragments(KEY) == [KEY, "0123456789abcdef_S3cretS3cretS3cret", "S3cretS3cretS3cret"]
    assert key_fragments("not-a-key") == ["not-a-key"]


def test_an_empty_log_never_passes():
    missing, forbidden = judge("  \n", {"excludes_keys": [KEY]})
    assert forbidden == [] and "nothing on stderr" in missing[0]


def test_a_secret_part_is_reported_without_showing_it():
    log = "GET /v1/intents key=S3cretS3cretS3cret\n"
    missing, forbidden = judge(log, {"contains": ["/v1/intents"], "excludes_keys": [KEY]})
    assert missing == []
    assert "secret part" in forbidden[0] and "S3cret" not in forbidden[0]
    assert "<SECRET>" in forbidden[0]


def test_missing_output_is_waited_for_then_reported():
    reads = iter(["", "", "DEBUG GET /v1/intents/abc"])
    problems = check_driver_log(
        lambda: next(reads, "DEBUG GET /v1/intents/abc"),
        {"contains": ["/v1/intents/abc"]},
        settle_s=2,
    )
    assert problems == []
    assert check_driver_log(lambda: "DEBUG x", {"contains": ["abc"]}, settle_s=0.1) == [
        "the driver log does not contain 'abc'"
    ]


def test_debug_log_is_captured_per_scenario(tmp_path):
    ctx = context(tmp_path)
    try:
        run_step(ctx, 0, {"new_client": "logged", "config": {"log_level": "debug"}})
        assert (
            check_driver_log(
                ctx.driver_log,
                {"contains": ["DEBUG new client, key axme_admin_"], "excludes_keys": [KEY]},
            )
            == []
        )
        ScenarioContext("fake", ctx.driver, None, "http://x", ctx.namespace, Variables(), {})
        assert ctx.driver_log() == ""  # a new scenario starts a new window
    finally:
        ctx.driver.stop()
    assert "DEBUG new client" in (tmp_path / "d.log").read_text()  # and the file keeps it


def test_a_leaked_key_fails(tmp_path):
    ctx = context(tmp_path, "leaky")
    try:
        run_step(ctx, 0, {"new_client": "logged", "config": {"log_level": "debug"}})
        problems = check_driver_log(ctx.driver_log, {"excludes_keys": [KEY]})
        assert problems and "the key appears" in problems[0]
    finally:
        ctx.driver.stop()


def test_no_key_and_env_key(tmp_path, monkeypatch):
    monkeypatch.setenv("AXME_API_KEY", "axme_admin_fromshell_x")  # never reaches a driver
    ctx = context(tmp_path)
    try:
        run_step(
            ctx,
            0,
            {
                "new_client": "keyless",
                "config": {"key": None},
                "expect": {"error": {"type": "Configuration"}},
            },
        )
        assert "keyless" not in ctx.clients
        assert ctx.transcript[-1]["outcome"] == {"ok": False, "error": {"type": "Configuration"}}
        with pytest.raises(StepError, match="new_client failed"):
            run_step(ctx, 1, {"new_client": "keyless", "config": {"key": None}})
        ctx.vars["k"] = "axme_agent_fromenv_y"
        run_step(
            ctx,
            2,
            {
                "new_client": "env",
                "config": {"key": None},
                "env": {"AXME_API_KEY": "${k}"},
                "as": "made",
            },
        )
        env_driver, _ = ctx.clients["env"]
        assert env_driver is not ctx.driver and env_driver.alive
        # the same env reuses its driver process
        run_step(
            ctx, 3, {"new_client": "env2", "config": {"key": None}, "env": {"AXME_API_KEY": "${k}"}}
        )
        assert ctx.clients["env2"][0] is env_driver
        assert ctx.stop_env_drivers() == []
        assert not env_driver.alive
    finally:
        ctx.driver.stop()
