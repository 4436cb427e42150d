"""Every code block of python/README.md, run as written.

Whole programs (Quickstart, Async, both agents) run as separate processes with only
AXME_API_KEY / AXME_BASE_URL set, against a server whose workspace is the one they
address (myorg/production). Fragments that continue a program (Observe, Wait, Human
tasks) run in-process with the names they use bound. The CLI block runs line by line.
"""

from __future__ import annotations

import contextlib
import io
import json
import shlex
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from axme import AxmeClient, AxmeClientConfig, Intent

from ..conftest import SCENARIO_FILE
from ..integration.server import RunningServer
from .processes import run, start_script, stop, user_env
from .readme import README, Block, conventional_sections, parse, readme_blocks
from .snippet import AGENT_ADDRESS

pytestmark = pytest.mark.integration

#: Every block of the README and the test that exercises it. A new block without an
#: entry here fails test_every_block_is_exercised.
EXERCISED = {
    ("Install", 0): "tests/test_packaging.py (pip install ./python into a fresh venv)",
    ("Quickstart", 0): "test_programs_and_fragments",
    ("Async", 0): "test_programs_and_fragments",
    ("Observe", 0): "test_programs_and_fragments",
    ("Wait", 0): "test_programs_and_fragments",
    ("Wait", 1): "test_retry_fragment",
    ("Agent listen", 0): "test_programs_and_fragments",
    ("Agent listen", 1): "test_serve_block",
    ("Push binding", 0): "test_push_block",
    ("Human tasks", 0): "test_programs_and_fragments",
    ("Command line", 0): "test_command_line_block",
}
TERMINAL = {"COMPLETED", "FAILED", "CANCELED", "TIMED_OUT"}


def test_sections_follow_the_sdk_conventions() -> None:
    sections, _ = parse(README.read_text(encoding="utf-8"))
    assert sections == conventional_sections()


def test_every_block_is_exercised() -> None:
    assert set(readme_blocks()) == set(EXERCISED)
    assert "pip install ./python" in readme_blocks()["Install", 0].text
    assert "test_pip_install_into_a_fresh_venv" in (
        Path(__file__).parents[1] / "test_packaging.py"
    ).read_text(encoding="utf-8")


def test_parse_finds_headings_and_fenced_blocks() -> None:
    sections, blocks = parse("# T\n## A\n```py\n# not a heading\n```\n### B\n```\nx\n```\n## C\n")
    assert sections == ["A", "C"]
    assert blocks == [Block("A", 0, "py", "# not a heading\n"), Block("B", 0, "", "x\n")]
    with pytest.raises(ValueError, match="unclosed"):
        parse("## A\n```\nopen")


# --- the Python blocks ------------------------------------------------------------


def block_script(tmp_path: Path, key: tuple[str, int]) -> Path:
    block = readme_blocks()[key]
    assert block.lang == "python", key
    path = tmp_path / f"{key[0].lower().replace(' ', '_')}_{key[1]}.py"
    path.write_text(block.text, encoding="utf-8")
    return path


def exec_fragment(key: tuple[str, int], names: dict[str, Any]) -> str:
    """Run a fragment with `names` bound; returns what it printed."""
    block = readme_blocks()[key]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(block.text, f"README.md ({key[0]})", "exec"), names)  # noqa: S102
    return printed.getvalue()


@pytest.fixture
def admin(fresh_server: RunningServer) -> Iterator[AxmeClient]:
    config = AxmeClientConfig(api_key=fresh_server.admin_api_key, base_url=fresh_server.base_url)
    with AxmeClient(config) as client:
        yield client


def new_intent(client: AxmeClient, **extra: Any) -> str:
    payload = {"change_type": "database_migration", "target": "prod-postgres-main"}
    return client.send_intent(
        {
            "intent_type": "intent.infra.change_approval.v1",
            "to_agent": AGENT_ADDRESS,
            "payload": payload,
            **extra,
        }
    )


def wait_until_status(client: AxmeClient, intent_id: str, wanted: str) -> Intent:
    deadline = time.monotonic() + 30
    while (intent := client.get_intent(intent_id)).status != wanted:
        assert intent.status not in TERMINAL, f"{intent_id} ended {intent.status}"
        assert time.monotonic() < deadline, f"{intent_id} stayed {intent.status}"
        time.sleep(0.1)
    return intent


def test_programs_and_fragments(
    fresh_server: RunningServer, admin: AxmeClient, tmp_path: Path
) -> None:
    agent_key = admin.register_agent(AGENT_ADDRESS).api_key
    env = user_env(fresh_server, fresh_server.admin_api_key, tmp_path / "cfg")
    agent = start_script(
        {**env, "AXME_API_KEY": agent_key}, block_script(tmp_path, ("Agent listen", 0))
    )
    try:
        quickstart = run([sys.executable, str(block_script(tmp_path, ("Quickstart", 0)))], env)
        assert quickstart.returncode == 0, quickstart.stderr
        assert quickstart.stdout == "COMPLETED\n"

        async_run = run([sys.executable, str(block_script(tmp_path, ("Async", 0)))], env)
        assert async_run.returncode == 0, async_run.stderr
        lines = async_run.stdout.splitlines()
        assert lines[0] == "1 intent.submitted SUBMITTED"
        assert lines[-1].endswith("intent.completed COMPLETED")

        intent_id = new_intent(admin)
        observed = exec_fragment(("Observe", 0), {"client": admin, "intent_id": intent_id})
        assert observed.splitlines()[-1].endswith("intent.completed COMPLETED")
        names: dict[str, Any] = {"client": admin, "intent_id": new_intent(admin)}
        exec_fragment(("Wait", 0), names)
        assert names["intent"]["status"] == "COMPLETED"
        assert names["intent"]["result"] == {"validated": True, "target": "prod-postgres-main"}

        human_tasks(admin)
    finally:
        agent_output = stop(agent)
    assert "Traceback" not in agent_output, agent_output


def test_retry_fragment(fresh_server: RunningServer, admin: AxmeClient) -> None:
    """The Wait section's retry: a FAILED intent retried with a patched payload; wait_for on
    the old id returns the new attempt once it completes (REQ-REATTEMPT-005/008)."""
    address = admin.register_agent("readme-retry").agent.address
    intent_id = admin.send_intent(
        {"intent_type": "intent.test.readme.v1", "to_agent": address, "payload": {"amount": 5}}
    )
    admin.resolve_intent(intent_id, "FAILED")

    def finish_the_attempt() -> None:  # the attempt's agent, played by a second client
        config = AxmeClientConfig(
            api_key=fresh_server.admin_api_key, base_url=fresh_server.base_url
        )
        with AxmeClient(config) as other:
            deadline = time.monotonic() + 30
            while not (attempt := other.get_intent(intent_id).retried_by):
                assert time.monotonic() < deadline, "never retried"
                time.sleep(0.05)
            other.resolve_intent(attempt, "COMPLETED", result={"charged": 7})

    helper = threading.Thread(target=finish_the_attempt)
    helper.start()
    names: dict[str, Any] = {"client": admin, "intent_id": intent_id}
    exec_fragment(("Wait", 1), names)
    helper.join(30)
    attempt, final = names["attempt"], names["final"]
    assert attempt.retry_of == intent_id and final.intent_id == attempt.intent_id
    assert final.status == "COMPLETED" and final.payload == {"amount": 7}


def human_tasks(admin: AxmeClient) -> None:
    """The Human tasks block on four intents whose agent step the listen agent did."""
    form_schema = {"type": "object", "required": ["reason"]}
    tasks = {
        "intent_id": {"title": "Approve the migration"},
        "other_id": {"title": "Approve the freeze exception"},
        "form_id": {"title": "Why?", "task_type": "form", "form_schema": form_schema},
        "review_id": {"title": "Review the plan", "task_type": "review"},
    }
    names: dict[str, Any] = {"client": admin}
    for name, task in tasks.items():
        names[name] = new_intent(admin, human_task=task)
    for name in tasks:
        wait_until_status(admin, names[name], "WAITING")
    printed = exec_fragment(("Human tasks", 0), names)
    for name, task in tasks.items():
        assert f"{names[name]} {task['title']}" in printed
    assert "approved looks good" in printed  # the audit trail of the approved intent
    status = {name: admin.get_intent(names[name]).status for name in tasks}
    assert status == {
        "intent_id": "COMPLETED",
        "other_id": "FAILED",
        "form_id": "COMPLETED",
        "review_id": "COMPLETED",
    }


def test_serve_block(fresh_server: RunningServer, admin: AxmeClient, tmp_path: Path) -> None:
    agent_key = admin.register_agent(AGENT_ADDRESS).api_key
    env = user_env(fresh_server, agent_key, tmp_path / "cfg")
    agent = start_script(env, block_script(tmp_path, ("Agent listen", 1)))
    try:
        completed = admin.wait_for(new_intent(admin), timeout=30)
        no_target = admin.send_intent(
            {"intent_type": "intent.test.readme.v1", "to_agent": AGENT_ADDRESS, "payload": {}}
        )
        failed = admin.wait_for(no_target, timeout=30)
    finally:
        agent_output = stop(agent)
    assert completed.status == "COMPLETED" and completed.result == {"validated": True}
    assert failed.status == "FAILED"
    assert failed.error == {"code": "agent_error", "message": "no target"}
    assert "Traceback" not in agent_output, agent_output
    assert agent.returncode == 0, agent_output  # run_agent returns on SIGTERM (REQ-LISTEN-007)


# --- the CLI block ------------------------------------------------------------------


def waiting_intents(
    api_key: str, base_url: str, tasks: list[dict[str, Any]]
) -> tuple[str, list[str]]:
    """(a helper agent's address, intents waiting for a human): it does their agent step."""
    with AxmeClient(AxmeClientConfig(api_key=api_key, base_url=base_url)) as admin:
        registered = admin.register_agent("cli-readme-helper")
        address = registered.agent.address
        ids = [
            admin.send_intent(
                {
                    "intent_type": "intent.test.readme.v1",
                    "to_agent": address,
                    "payload": {},
                    "human_task": task,
                }
            )
            for task in tasks
        ]
        agent_config = AxmeClientConfig(api_key=registered.api_key, base_url=base_url)
        with AxmeClient(agent_config) as agent, agent.listen(address) as deliveries:
            for _, delivery in zip(ids, deliveries, strict=False):
                agent.resume_intent(delivery.intent_id, {}, delivery_id=delivery.delivery_id)
        for intent_id in ids:
            wait_until_status(admin, intent_id, "WAITING")
        return address, ids


def test_command_line_block(
    cli: Any,
    server: RunningServer,
    namespace: tuple[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each line of the block, in order, with its placeholders filled in."""
    api_key = namespace[1]
    helper, (approval, rejection, form) = waiting_intents(
        api_key,
        server.base_url,
        [
            {"title": "approve"},
            {"title": "reject"},
            {"title": "form", "task_type": "form", "form_schema": {"required": ["reason"]}},
        ],
    )
    with AxmeClient(AxmeClientConfig(api_key=api_key, base_url=server.base_url)) as admin:
        to_cancel = admin.send_intent(
            {"intent_type": "intent.test.readme.v1", "to_agent": helper, "payload": {}}
        )
        finished = admin.send_intent(
            {"intent_type": "intent.test.readme.v1", "to_agent": helper, "payload": {}}
        )
        admin.cancel_intent(finished)
        to_retry = admin.send_intent(
            {"intent_type": "intent.test.readme.v1", "to_agent": helper, "payload": {}}
        )
        admin.resolve_intent(to_retry, "FAILED")
    intent_for = {
        ("intents", "cancel"): to_cancel,
        ("intents", "retry"): to_retry,
        ("tasks", "approve"): approval,
        ("tasks", "reject"): rejection,
        ("tasks", "complete"): form,
    }
    key_file = tmp_path / "key.txt"
    key_file.write_text(api_key + "\n")
    lines = [line for line in readme_blocks()["Command line", 0].text.splitlines() if line]
    ran = []
    for line in lines:
        argv = shlex.split(line, comments=True)
        assert argv[0] == "axme", line
        argv = argv[1:]
        if "<" in argv:
            at = argv.index("<")
            assert argv[at + 1] == "key.txt", line
            monkeypatch.setattr(sys, "stdin", io.StringIO(key_file.read_text()))
            del argv[at : at + 2]
        command = (argv[0], argv[1]) if argv[0] != "login" else ("login", "")
        replacements = {
            "http://127.0.0.1:8787": server.base_url,
            "scenario.json": str(SCENARIO_FILE),
            "INTENT_ID": intent_for.get(command, finished),
        }
        argv = [replacements.get(arg, arg) for arg in argv]
        code, out, err = cli(*argv)
        assert code == 0, f"{line}\n{out}{err}"
        ran.append(command)
    assert {("login", ""), ("intents", "watch"), ("tasks", "complete")} <= set(ran)
    config = json.loads((tmp_path / "cfg" / "config.json").read_text())
    assert config == {"api_key": api_key, "base_url": server.base_url}
    with AxmeClient(AxmeClientConfig(api_key=api_key, base_url=server.base_url)) as admin:
        outcome = {i: admin.get_intent(i).status for i in (to_cancel, approval, rejection, form)}
    assert outcome == {
        to_cancel: "CANCELED",
        approval: "COMPLETED",
        rejection: "FAILED",
        form: "COMPLETED",
    }


def test_push_block(fresh_server: RunningServer, admin: AxmeClient, tmp_path: Path) -> None:
    """The push agent of the README, configured for the http binding: the server pushes
    to it, the handler's result completes the intent (REQ-PUSH-*)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    secret = "whsec_readme_push_0123456789abcdef"
    registered = admin.register_agent(
        "push-validator",
        delivery_mode="http",
        callback_url=f"http://127.0.0.1:{port}/",
        callback_secret=secret,
    )
    env = user_env(fresh_server, registered.api_key, tmp_path / "cfg")
    env.update(AXME_PUSH_SECRET=secret, HOST="127.0.0.1", PORT=str(port))
    agent = start_script(env, block_script(tmp_path, ("Push binding", 0)))
    try:
        deadline = time.monotonic() + 20
        while True:  # listening before the first push, so attempt 1 is the one served
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            assert agent.poll() is None and time.monotonic() < deadline, "the agent did not listen"
            time.sleep(0.05)
        payload = {"target": "prod-postgres-main"}
        intent_id = admin.send_intent(
            {"intent_type": "intent.test.push.v1", "to_agent": "push-validator", "payload": payload}
        )
        done = admin.wait_for(intent_id, timeout=30)
    finally:
        agent_output = stop(agent)
    assert done.status == "COMPLETED", (done.to_dict(), agent_output)
    assert done.result == {"validated": True, "target": "prod-postgres-main"}
    assert done.to_dict()["delivery_attempt"] == 1
    assert "Traceback" not in agent_output, agent_output
