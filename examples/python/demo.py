"""`make demo`: the human-approval workflow end to end, on a fresh local server.

1. start a local SMTP sink (aiosmtpd) as the on-call SRE's mailbox, and axme-server on
   SQLite in a temporary data directory, sending email through it;
2. apply the approval scenario with the `axme` CLI (provisions the agent);
3. watch the intent's lifecycle live (`axme intents watch`, i.e. observe);
4. run the agent as its own process (Python SDK `serve`): it validates the change;
5. once the intent waits for a human, print the email the SRE received and its decision
   link, and wait for a person to open it and decide (or run `axme tasks approve`);
   `--auto` (`make demo AUTO=1`, for CI) follows the link and approves as the SRE would;
6. wait for COMPLETED, print the audit trail, shut everything down.

Every wait has a deadline (a person gets DEMO_TIMEOUT_S, default 600 s); the script exits
non-zero if any step fails.
"""

from __future__ import annotations

import email
import email.policy
import html
import json
import os
import queue
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from email.message import EmailMessage
from pathlib import Path
from typing import IO, Any

import httpx
from aiosmtpd.controller import Controller
from axme import AxmeClient, AxmeClientConfig
from axme.errors import WaitTimeoutError

HERE = Path(__file__).resolve().parent
BUNDLE = HERE.parent / "approval" / "scenario.json"
READY = "AXME_SERVER_READY "
STEP_TIMEOUT_S = 60.0
PERSON_TIMEOUT_S = float(os.environ.get("DEMO_TIMEOUT_S", "600"))


class DemoError(RuntimeError):
    pass


def say(text: str) -> None:
    print(text, flush=True)


def relay(
    stream: IO[str], prefix: str, first_line: threading.Event | None = None
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


class Mailbox:
    """The on-call SRE's mailbox: an SMTP server on 127.0.0.1 that keeps every message."""

    def __init__(self) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.messages: queue.Queue[bytes] = queue.Queue()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.put(envelope.content)
        return "250 OK"

    def next(self) -> EmailMessage:
        try:
            raw = self.messages.get(timeout=STEP_TIMEOUT_S)
        except queue.Empty:
            raise DemoError("no email reached the SRE's mailbox") from None
        return email.message_from_bytes(raw, policy=email.policy.default)  # type: ignore[return-value]


def start_server(data_dir: Path, smtp_port: int) -> tuple[subprocess.Popen[str], str, str]:
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "axme_server",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--data-dir",
            str(data_dir),
            "--smtp-url",
            f"smtp://127.0.0.1:{smtp_port}",
            "--smtp-from",
            "axme@localhost",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    deadline = time.monotonic() + STEP_TIMEOUT_S
    while time.monotonic() < deadline:
        line = server.stdout.readline()
        if not line:
            raise DemoError(f"axme-server exited with {server.wait()} before it was ready")
        if line.startswith(READY):
            info = json.loads(line[len(READY) :])
            return server, info["base_url"], info["admin_api_key"]
    raise DemoError("axme-server did not report ready in time")


def axme(env: dict[str, str], *args: str) -> str:
    """Run the `axme` CLI (the same one users run) and return its stdout."""
    done = subprocess.run(
        [sys.executable, "-m", "axme.cli.main", *args],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=STEP_TIMEOUT_S,
    )
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


def decide_as_the_sre(link: str) -> None:
    """--auto: what the SRE does in a browser: open the page, then submit Approve with a comment."""
    page = httpx.get(link, timeout=STEP_TIMEOUT_S)
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    if page.status_code != 200 or token is None:
        raise DemoError(f"the decision page answered {page.status_code}")
    form = {
        "token": html.unescape(token.group(1)),
        "outcome": "approved",
        "comment": "plan reviewed",
    }
    done = httpx.post(link.rsplit("/t/", 1)[0] + "/t", data=form, timeout=STEP_TIMEOUT_S)
    if done.status_code != 200:
        raise DemoError(f"the decision was not recorded ({done.status_code})")


def run(workdir: Path, auto: bool) -> None:
    say("== 1. starting the SRE's mailbox (aiosmtpd) and axme-server (SQLite, temporary data dir)")
    mailbox = Mailbox()
    server, base_url, admin_key = start_server(workdir / "data", mailbox.port)
    watcher = agent = None
    try:
        say(f"   server ready at {base_url}")
        env = {
            **os.environ,
            "AXME_BASE_URL": base_url,
            "AXME_API_KEY": admin_key,
            "AXME_CONFIG_DIR": str(workdir / "cli"),
            "PYTHONUNBUFFERED": "1",
        }

        say("== 2. axme scenarios apply examples/approval/scenario.json")
        applied = json.loads(axme(env, "scenarios", "apply", str(BUNDLE), "--json"))
        intent_id = applied["intent_id"]
        agent_info = applied["agents"][0]
        say(f"   intent {intent_id} created; agent {agent_info['address']} provisioned")

        say("== 3. watching the lifecycle (axme intents watch, live)")
        watcher = subprocess.Popen(
            [sys.executable, "-m", "axme.cli.main", "intents", "watch", intent_id],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert watcher.stdout is not None
        watching = threading.Event()
        watch_thread = relay(watcher.stdout, "   [lifecycle] ", watching)
        if not watching.wait(STEP_TIMEOUT_S):  # the stream is open: nothing will be missed
            raise DemoError("axme intents watch printed nothing")

        say("== 4. starting the agent process (Python SDK serve)")
        agent_env = {**env, "AXME_API_KEY": agent_info["api_key"]}
        agent = subprocess.Popen(
            [sys.executable, str(HERE / "approval_agent.py"), agent_info["address"]],
            env=agent_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert agent.stdout is not None
        relay(agent.stdout, "")

        client = AxmeClient(AxmeClientConfig(api_key=admin_key, base_url=base_url))
        waiting = wait_for_status(client, intent_id, "WAITING")
        say(
            f"== 5. the workflow waits for a human ({waiting['waiting_reason']}); "
            "the SRE got this email:"
        )
        message = mailbox.next()
        say(f"   To: {message['To']}\n   Subject: {message['Subject']}\n")
        body = message.get_body(("plain",))
        text = body.get_content() if body is not None else ""
        for line in text.splitlines():
            say(f"   | {line}")
        found = re.search(r"https?://\S+/t/\S+", text)
        if found is None:
            raise DemoError("the email carries no decision link")
        link = found.group(0)
        if auto:
            say("   --auto: following the link and approving as the SRE would")
            decide_as_the_sre(link)
        else:
            say(
                f"\n   Open this link to decide (waiting up to {PERSON_TIMEOUT_S:.0f} s):"
                f"\n\n   {link}\n"
            )
            # a key of the SRE's own, so the audit trail names the person who decided, not the admin
            sre = waiting["human_task"]["assignees"][0]
            made = axme(env, "keys", "create-human", sre, "--display-name", "SRE On-Call", "--json")
            sre_key = json.loads(made)["api_key"]
            say(
                "   or, from another shell, as the SRE:\n"
                f"     AXME_BASE_URL={base_url} AXME_API_KEY={sre_key} \\\n"
                f"     axme tasks approve {intent_id} --comment 'plan reviewed'"
            )

        final = client.wait_for(intent_id, timeout=STEP_TIMEOUT_S if auto else PERSON_TIMEOUT_S)
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
        mailbox.controller.stop()
        say("== servers and agents stopped")


def main() -> int:
    auto = "--auto" in sys.argv[1:] or os.environ.get("AUTO") not in (None, "", "0")
    with tempfile.TemporaryDirectory(prefix="axme-demo-") as tmp:
        try:
            run(Path(tmp), auto)
        except (DemoError, subprocess.TimeoutExpired, WaitTimeoutError) as exc:
            print(f"demo failed: {exc}", file=sys.stderr)
            return 1
    say("demo: the human-approval workflow ran end to end")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
