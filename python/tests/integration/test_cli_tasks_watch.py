"""`axme tasks watch` (issue 12): a human key's new tasks appear live, each once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import axme

from .server import RunningServer

pytestmark = pytest.mark.integration


def test_watch_prints_each_new_task_once(
    server: RunningServer, namespace: tuple[str, str], tmp_path: Path
) -> None:
    admin = axme.AxmeClient(axme.AxmeClientConfig(api_key=namespace[1], base_url=server.base_url))
    alice = admin.create_key(
        "human", "alice", human={"id": "alice", "display_name": "Alice"}
    ).api_key
    agent = admin.register_agent("watched", delivery_mode="poll")
    worker = axme.AxmeClient(axme.AxmeClientConfig(api_key=agent.api_key, base_url=server.base_url))
    env = {
        **os.environ,
        "AXME_API_KEY": alice,
        "AXME_BASE_URL": server.base_url,
        "AXME_CONFIG_DIR": str(tmp_path),
    }
    watch = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "axme.cli.main",
            "tasks",
            "watch",
            "--json",
            "--interval",
            "0.2",
            "--timeout",
            "4",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        ids = []
        for n in range(2):
            intent_id = admin.send_intent(
                {
                    "intent_type": "intent.test.watch.v1",
                    "to_agent": "watched",
                    "payload": {"n": n},
                    "human_task": {"title": f"Sign {n}", "assignees": ["alice"]},
                }
            )
            delivery = worker.poll_agent_deliveries(agent.agent.address, wait_seconds=5).deliveries[
                0
            ]
            worker.ack_intent(intent_id, delivery.delivery_id)
            worker.resume_intent(intent_id, {"ok": True}, delivery_id=delivery.delivery_id)
            ids.append(intent_id)
            assert watch.stdout is not None
            started = time.monotonic()
            line = watch.stdout.readline()  # the new task, within a few looks
            assert time.monotonic() - started < 5
            assert json.loads(line)["intent_id"] == intent_id
            assert json.loads(line)["human_task"]["title"] == f"Sign {n}"
        out, err = watch.communicate(timeout=20)
        assert watch.returncode == 0, err
        assert out == ""  # nothing printed twice
    finally:
        if watch.poll() is None:
            watch.kill()
