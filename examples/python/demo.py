"""`make demo`: the human-approval workflow end to end, on a fresh local server.

1. start axme-server on SQLite in a temporary data directory;
2. apply the approval scenario with the `axme` CLI (provisions the agent);
3. watch the intent's lifecycle live (`axme intents watch`, i.e. observe);
4. run the agent as its own process (Python SDK `serve`): it validates the change;
5. once the intent waits for a human, approve it with `axme tasks approve`;
6. wait for COMPLETED, print the audit trail, shut everything down.

Every wait has a deadline; the script exits non-zero if any step fails.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO, Any

from axme import AxmeClient, AxmeClientConfig

HERE = Path(__file__).resolve().parent
BUNDLE = HERE.parent / "approval" / "scenario.json"
READY = "AXME_SERVER_READY "
STEP_TIMEOUT_S = 60.0


class DemoError(RuntimeError):
    pass


def say(text: str) -> None:
    print(text, flush=True)


def relay(stream: IO[str], prefix: str, first_line: threading.Event | None = None
          ) -> threading.Thread:
    """Print a child's output line by line, as it happens, with a prefix."""

    def pump() -> None:
        for line in stream:
            print(f"{prefix}{line.rstrip()}", flush=True)
            if first_line is not None:
                first_line.set()

    thread = threading.Thread(target=pump, daemon=True)
    thread.start()
    return thread


def start_server(data_dir: Path) -> tuple[subprocess.Popen[str], str, str]:
    server = subprocess.Popen(
        [sys.executable, "-m", "axme_server", "--host", "127.0.0.1", "--port", "0",
         "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert server.stdout is not None
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            raise DemoError(f"axme-server exited with {server.wait()} before it was ready")
        if line.startswith(READY):
            info = json.loads(line[len(READY):])
            return server, info["base_url"], info["admin_api_key"]
    raise DemoError("axme-server did not report ready in time")


def axme(env: dict[str, str], *args: str) -> str:
    """Run the `axme` CLI (the same one users run) and return its stdout."""
    done = subprocess.run([sys.executable, "-m", "axme.cli.main", *args], check=False, env=env,
                          capture_output=True, text=True, timeout=STEP_TIMEOUT_S)
    if done.returncode != 0:
        raise DemoError(f"axme {' '.join(args)} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def wait_for_status(client: AxmeClient, intent_id: str, status: str) -> Any:
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while time.monotonic() < deadline:
        intent = client.get_intent(intent_id)
        if intent["status"] == status:
            return intent
        if intent["status"] in ("COMPLETED", "FAILED", "CANCELED", "TIMED_OUT"):
            raise DemoError(f"intent ended {intent['status']} while waiting for {status}")
        time.sleep(0.2)
    raise DemoError(f"intent {intent_id} did not reach {status} within {STEP_TIMEOUT_S}s")


def stop(process: subprocess.Popen[str] | None, name: str) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        say(f"  ({name} did not stop on SIGTERM; killing it)")
        process.kill()
        process.wait(timeout=10)


def run(workdir: Path) -> None:
    say("== 1. starting axme-server (SQLite, temporary data directory)")
    server, base_url, admin_key = start_server(workdir / "data")
    watcher = agent = None
    try:
        say(f"   server ready at {base_url}")
        env = {**os.environ, "AXME_BASE_URL": base_url, "AXME_API_KEY": admin_key,
               "AXME_CONFIG_DIR": str(workdir / "cli"), "PYTHONUNBUFFERED": "1"}

        say("== 2. axme scenarios apply examples/approval/scenario.json")
        applied = json.loads(axme(env, "scenarios", "apply", str(BUNDLE), "--json"))
        intent_id = applied["intent_id"]
        agent_info = applied["agents"][0]
        say(f"   intent {intent_id} created; agent {agent_info['address']} provisioned")

        say("== 3. watching the lifecycle (axme intents watch, live)")
        watcher = subprocess.Popen([sys.executable, "-m", "axme.cli.main", "intents", "watch",
                                    intent_id], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        assert watcher.stdout is not None
        watching = threading.Event()
        watch_thread = relay(watcher.stdout, "   [lifecycle] ", watching)
        if not watching.wait(STEP_TIMEOUT_S):  # the stream is open: nothing will be missed
            raise DemoError("axme intents watch printed nothing")

        say("== 4. starting the agent process (Python SDK serve)")
        agent_env = {**env, "AXME_API_KEY": agent_info["api_key"]}
        agent = subprocess.Popen([sys.executable, str(HERE / "approval_agent.py"),
                                  agent_info["address"]], env=agent_env, stdout=subprocess.PIPE,
                                 stderr=subprocess.STDOUT, text=True)
        assert agent.stdout is not None
        relay(agent.stdout, "")

        client = AxmeClient(AxmeClientConfig(api_key=admin_key, base_url=base_url))
        waiting = wait_for_status(client, intent_id, "WAITING")
        say(f"== 5. the workflow waits for a human ({waiting['waiting_reason']}); approving:")
        say(f"   $ axme tasks approve {intent_id} --comment 'plan reviewed'")
        for line in axme(env, "tasks", "approve", intent_id, "--comment",
                         "plan reviewed").splitlines():
            say(f"   {line}")

        final = client.wait_for(intent_id, timeout=STEP_TIMEOUT_S)
        watcher.wait(timeout=STEP_TIMEOUT_S)
        watch_thread.join(timeout=5)
        if agent.wait(timeout=STEP_TIMEOUT_S) != 0:
            raise DemoError(f"the agent process exited with {agent.returncode}")
        say(f"== 6. intent {final['status']}; result: {json.dumps(final['result'])}")
        say("   audit trail:")
        for line in axme(env, "intents", "audit", intent_id).splitlines():
            say(f"   {line}")
        if final["status"] != "COMPLETED":
            raise DemoError(f"expected COMPLETED, got {final['status']}")
        client.close()
    finally:
        stop(agent, "agent")
        stop(watcher, "watcher")
        stop(server, "axme-server")
        say("== servers and agents stopped")


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="axme-demo-") as tmp:
        try:
            run(Path(tmp))
        except (DemoError, subprocess.TimeoutExpired) as exc:
            print(f"demo failed: {exc}", file=sys.stderr)
            return 1
    say("demo: the human-approval workflow ran end to end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
