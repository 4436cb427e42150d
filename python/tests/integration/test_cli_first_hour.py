"""The CLI as a newcomer meets it (issue 17): every apply problem with its path, `watch | head`
without a traceback, `intents send`, a human key, `scenarios apply --watch --result`, agent
deletion and keys, workspaces."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import axme

from ..conftest import SCENARIO_FILE
from .server import RunningServer

pytestmark = pytest.mark.integration
AXME = [sys.executable, "-m", "axme.cli.main"]


def cli_env(server: RunningServer, key: str, config_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "AXME_API_KEY": key,
        "AXME_BASE_URL": server.base_url,
        "AXME_CONFIG_DIR": str(config_dir),
    }


def test_apply_shows_every_problem_with_its_path(
    cli: Any, scenario_bundle: dict[str, Any], tmp_path: Path
) -> None:
    bad = dict(scenario_bundle, surprise=1)
    bad["workflow"] = {"steps": [{"step_id": "x", "assigned_to": "nobody"}, {"assigned_to": 3}]}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad))
    code, out, _ = cli("scenarios", "validate", str(path), "--json")
    problems = json.loads(out)["problems"]
    assert code == 1 and len(problems) >= 3
    code, _, err = cli("scenarios", "apply", str(path))
    assert code == 1
    assert f"{len(problems)} problem(s)" in err
    for problem in problems:
        assert f"{problem['path'] or '$'}: {problem['message']}" in err


def test_watch_json_into_head_ends_quietly(
    server: RunningServer, namespace: tuple[str, str], tmp_path: Path
) -> None:
    admin = axme.AxmeClient(axme.AxmeClientConfig(api_key=namespace[1], base_url=server.base_url))
    agent = admin.register_agent("chatty", delivery_mode="poll")
    intent_id = admin.send_intent(
        {"intent_type": "intent.test.chatty.v1", "to_agent": "chatty", "payload": {}}
    )
    worker = axme.AxmeClient(axme.AxmeClientConfig(api_key=agent.api_key, base_url=server.base_url))
    delivery = worker.poll_agent_deliveries(agent.agent.address, wait_seconds=5).deliveries[0]
    worker.ack_intent(intent_id, delivery.delivery_id)
    for n in range(4):  # lines larger than a pipe's buffer, so the writer meets the closed pipe
        worker.report_progress(
            intent_id, {"n": n, "blob": "x" * 200_000}, delivery_id=delivery.delivery_id
        )
    admin.cancel_intent(intent_id)
    shell = f"{' '.join(AXME)} intents watch {intent_id} --json | head -n 1"
    out = subprocess.run(
        shell,
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        env=cli_env(server, namespace[1], tmp_path),
    )
    assert json.loads(out.stdout)["event_type"] == "intent.submitted"
    assert "Traceback" not in out.stderr and "BrokenPipe" not in out.stderr
    assert "Broken pipe" not in out.stderr, out.stderr


def test_intents_send_and_a_human_key(cli: Any) -> None:
    assert cli("agents", "create", "cli-target", "--delivery-mode", "poll")[0] == 0
    code, out, err = cli(
        "intents",
        "send",
        "--to",
        "cli-target",
        "--type",
        "intent.cli.hello.v1",
        "--payload",
        '{"change_type": "db"}',
        "--human-task",
        '{"title": "Sign", "assignees": ["alice"]}',
    )
    assert code == 0, err
    intent_id = out.strip()
    code, out, _ = cli("intents", "get", intent_id, "--json")
    intent = json.loads(out)
    assert intent["payload"] == {"change_type": "db"} and intent["human_task"]["title"] == "Sign"
    code, out, err = cli("keys", "create-human", "alice", "--display-name", "Alice", "--json")
    assert code == 0, err
    created = json.loads(out)
    assert created["key"]["human"] == {"id": "alice", "display_name": "Alice"}
    assert created["api_key"].startswith("axme_human_")
    code, out, err = cli("tasks", "list", "--mine", "--api-key", created["api_key"], "--json")
    assert code == 0 and json.loads(out)["tasks"] == [], err  # the agent step comes first
    code, _, err = cli("tasks", "list", "--mine")
    assert code == 1 and "human key's inbox" in err
    code, out, _ = cli("intents", "send", "--to", "nobody", "--type", "intent.cli.hello.v1")
    assert code == 1


def test_agents_delete_and_keys_and_workspaces(cli: Any) -> None:
    code, out, _ = cli("agents", "create", "short-lived", "--json")
    address = json.loads(out)["agent"]["address"]
    code, out, _ = cli("agents", "keys", address, "--json")
    [key] = json.loads(out)["keys"]
    code, out, _ = cli("agents", "delete", "short-lived")
    assert code == 0 and key["key_id"] in out
    code, out, _ = cli("keys", "list")
    assert code == 0 and key["key_id"] in out
    code, out, _ = cli("keys", "revoke", key["key_id"], "--json")
    assert code == 0 and json.loads(out)["revoked_at"]
    code, _, err = cli("agents", "delete", "short-lived")
    assert code == 1 and "not registered" in err
    code, _, err = cli("workspaces", "list")  # a namespace's admin key is no operator key
    assert code == 1 and "first workspace" in err


def test_workspaces_with_the_operator_key(cli: Any, server: RunningServer) -> None:
    org = f"cli-{time.time_ns()}"
    code, out, err = cli(
        "workspaces", "create", org, "production", "--api-key", server.admin_api_key
    )
    assert code == 0 and f"agent://{org}/production/<name>" in out, err
    code, out, _ = cli("workspaces", "list", "--api-key", server.admin_api_key, "--json")
    assert [w["org"] for w in json.loads(out)["workspaces"]][-1] == org


def test_apply_watch_and_result_follow_the_workflow(
    server: RunningServer, namespace: tuple[str, str], tmp_path: Path
) -> None:
    admin = axme.AxmeClient(axme.AxmeClientConfig(api_key=namespace[1], base_url=server.base_url))
    proc = subprocess.Popen(
        [*AXME, "scenarios", "apply", str(SCENARIO_FILE), "--watch", "--result"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env(server, namespace[1], tmp_path),
    )
    try:
        address = f"agent://{namespace[0]}/default/infra-validator-demo"
        deadline = time.monotonic() + 30
        deliveries: list[Any] = []
        while not deliveries and time.monotonic() < deadline:
            try:
                deliveries = admin.poll_agent_deliveries(address, wait_seconds=2).deliveries
            except axme.NotFoundError:  # not provisioned yet
                time.sleep(0.1)
        intent_id = deliveries[0].intent_id
        admin.ack_intent(intent_id, deliveries[0].delivery_id)
        admin.resume_intent(intent_id, {"validated": True}, delivery_id=deliveries[0].delivery_id)
        admin.approve_task(intent_id, comment="ship it")
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert "intent.human_task_assigned" in out and "intent.completed" in out
    assert "COMPLETED" in out and '"validated": true' in out
