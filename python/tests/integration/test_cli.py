"""The `axme` CLI in-process (main(argv)) against the real server: every command, --json, errors."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from ..conftest import SCENARIO_FILE
from .server import RunningServer

pytestmark = pytest.mark.integration


def test_agents_intents_and_tasks(cli: Any) -> None:
    code, out, _ = cli("agents", "create", "cli-bot", "--json")
    assert code == 0
    address = json.loads(out)["agent"]["address"]
    code, out, _ = cli("agents", "list")
    assert code == 0 and address in out
    code, out, _ = cli("intents", "list", "--json")
    assert json.loads(out)["intents"] == []
    code, out, _ = cli("intents", "list")
    assert "no intents" in out
    code, out, _ = cli("intents", "get", "00000000-0000-4000-8000-000000000000")
    assert code == 1
    code, out, _ = cli("intents", "get", "00000000-0000-4000-8000-000000000000", "--json")
    assert code == 1 and json.loads(out)["error"]["code"] == "intent_not_found"


def test_cancel_watch_and_audit(
    cli: Any, server: RunningServer, namespace: tuple[str, str]
) -> None:
    import axme

    client = axme.AxmeClient(axme.AxmeClientConfig(api_key=namespace[1], base_url=server.base_url))
    client.register_agent("watch-bot")
    intent_id = client.send_intent(
        {"intent_type": "intent.cli.test.v1", "to_agent": "watch-bot", "payload": {}}
    )
    code, out, _ = cli("intents", "cancel", intent_id, "--reason", "testing")
    assert code == 0 and "CANCELED" in out
    code, out, _ = cli("intents", "watch", intent_id)
    assert code == 0 and "intent.submitted" in out and "intent.canceled" in out
    code, out, _ = cli("intents", "watch", intent_id, "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert [e["seq"] for e in lines] == [1, 2]
    code, out, _ = cli("intents", "audit", intent_id, "--json")
    audit = json.loads(out)
    assert code == 0 and audit["intent_id"] == intent_id
    [canceled] = [e for e in audit["audit"] if e["event_type"] == "intent.canceled"]
    assert canceled["channel"] == "cli"  # the CLI identifies itself in the audit trail
    code, out, _ = cli("intents", "list", "--status", "CANCELED")
    assert intent_id in out
    code, out, err = cli("tasks", "approve", intent_id)
    assert code == 1 and "409" in err
    client.close()


def test_agents_create_stores_the_key_privately(cli: Any, tmp_path: Path) -> None:
    code, out, _ = cli("agents", "create", "keeper-one", "--json")
    assert code == 0
    first = json.loads(out)
    code, out, _ = cli("agents", "create", "keeper-two")
    assert code == 0 and "saved to" in out and "agents.json" in out
    path = tmp_path / "cfg" / "agents.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())["agents"]
    address = first["agent"]["address"]  # canonical: agent://ns_…/default/keeper-one
    assert address.startswith("agent://") and address.endswith("/keeper-one")
    assert saved[address]["api_key"] == first["api_key"]
    [second] = [a for a in saved if a.endswith("/keeper-two")]
    assert saved[second]["api_key"] in out  # the text output still shows the key once
    assert {e["base_url"] for e in saved.values()} == {os.environ["AXME_BASE_URL"]}
    assert not (tmp_path / "cfg" / "scenario-agents.json").exists()


@pytest.mark.parametrize("output", [["--json"], []])
def test_agents_create_prints_the_key_when_it_cannot_be_saved(
    cli: Any, tmp_path: Path, output: list[str]
) -> None:
    (tmp_path / "cfg").mkdir()
    broken = tmp_path / "cfg" / "agents.json"
    broken.write_text('{"agents": ["not", "an", "object"]}')
    code, out, err = cli("agents", "create", f"unsaved-{len(output)}", *output)
    assert code == 1 and "could not be saved" in err
    assert "axme_agent_" in out  # registered, so the only copy of the key is the output
    assert broken.read_text() == '{"agents": ["not", "an", "object"]}'  # left as it was


def test_scenario_apply_prints_the_keys_when_they_cannot_be_saved(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("")
    monkeypatch.setenv("AXME_CONFIG_DIR", str(not_a_dir / "axme"))
    code, out, err = cli("scenarios", "apply", str(SCENARIO_FILE), "--json")
    assert code == 1 and "could not be saved" in err
    applied = json.loads(out)
    assert applied["intent_id"] and any(a["api_key"] for a in applied["agents"])


def test_scenarios(cli: Any, tmp_path: Path) -> None:
    code, out, _ = cli("scenarios", "validate", str(SCENARIO_FILE))
    assert code == 0 and "valid" in out
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps({"scenario_id": "x", "workflow": {"steps": []}}))
    code, out, _ = cli("scenarios", "validate", str(broken), "--json")
    assert code == 1 and json.loads(out)["valid"] is False
    not_json = tmp_path / "nope.json"
    not_json.write_text("{nope")
    code, _, err = cli("scenarios", "apply", str(not_json))
    assert code == 1 and "cannot read scenario bundle" in err
    code, out, _ = cli("scenarios", "apply", str(SCENARIO_FILE), "--json")
    applied = json.loads(out)
    saved = json.loads((tmp_path / "cfg" / "scenario-agents.json").read_text())["agents"]
    assert {a["address"] for a in applied["agents"] if a["api_key"]} == set(saved)
    code, out, _ = cli("tasks", "list", "--json")
    assert code == 0 and "tasks" in json.loads(out)


def test_tasks_complete_rejects_non_object_data(cli: Any) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli("tasks", "complete", "x", "--data", "[1]")
    assert exit_info.value.code == 2


def test_missing_key_is_a_clear_error(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AXME_API_KEY")
    code, _, err = cli("intents", "list")
    assert code == 1 and "axme login" in err
