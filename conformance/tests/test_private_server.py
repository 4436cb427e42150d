from axme_conformance.runner import server_args
from axme_conformance.scenario import load_scenario


def _write(tmp_path, body):
    path = tmp_path / "area" / "name.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(body)
    return load_scenario(path, tmp_path)


STEPS = """
title: moves a clock
requirements: [REQ-TEST-007]
steps:
  - advance_clock: 5
"""


def test_advancing_the_shared_clock_is_exclusive(tmp_path):
    scenario = _write(tmp_path, STEPS)
    assert scenario.exclusive and scenario.server == {}


def test_a_private_server_makes_the_clock_private(tmp_path):
    scenario = _write(tmp_path, STEPS + "server: {lease_seconds: 6}\n")
    assert not scenario.exclusive
    assert server_args(scenario.server) == ["--lease-seconds", "6"]


def test_server_options_are_validated(tmp_path):
    import pytest

    from axme_conformance.scenario import ScenarioError

    with pytest.raises(ScenarioError, match="server"):
        _write(tmp_path, STEPS + "server: {lease: 6}\n")
    assert server_args({"keepalive_seconds": 0.5, "lease_seconds": 6}) == [
        "--keepalive-seconds",
        "0.5",
        "--lease-seconds",
        "6",
    ]


def test_the_operator_workspace_can_be_named(tmp_path):
    scenario = _write(tmp_path, STEPS + "server: {org: ops, workspace: main}\n")
    assert server_args(scenario.server) == ["--org", "ops", "--workspace", "main"]
