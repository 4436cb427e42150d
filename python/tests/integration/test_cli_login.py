"""`axme login`: flags, the interactive key prompt (getpass), --api-key-stdin."""

from __future__ import annotations

import io
import json
import os
import select
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from axme.cli import login as commands

from .server import RunningServer

pytestmark = pytest.mark.integration
AXME = Path(sys.executable).parent / "axme"


def test_login_stores_a_private_config(
    cli: Any,
    tmp_path: Path,
    server: RunningServer,
    namespace: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, _ = cli("login", "--api-key", namespace[1], "--base-url", server.base_url)
    assert code == 0 and "Logged in" in out and namespace[1] not in out
    config = tmp_path / "cfg" / "config.json"
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert json.loads(config.read_text()) == {"api_key": namespace[1], "base_url": server.base_url}
    monkeypatch.delenv("AXME_API_KEY")
    monkeypatch.delenv("AXME_BASE_URL")
    code, out, _ = cli("agents", "list", "--json")  # uses the stored settings
    assert code == 0 and json.loads(out)["ok"] is True


def test_login_with_a_bad_key_fails_and_stores_nothing(
    cli: Any, tmp_path: Path, server: RunningServer
) -> None:
    code, _, err = cli("login", "--api-key", "axme_admin_bad_bad", "--base-url", server.base_url)
    assert code == 1 and "401" in err
    assert not (tmp_path / "cfg" / "config.json").exists()


class Terminal(io.StringIO):
    """Standard input that says it is a terminal (the prompt is only shown on one)."""

    def isatty(self) -> bool:
        return True


class Typist:
    """Stands in for getpass: answers from `answers` in order, records each prompt."""

    def __init__(self) -> None:
        self.answers: list[str | type[BaseException]] = []
        self.prompts: list[str] = []

    def getpass(self, prompt: str = "Password: ", stream: Any = None) -> str:
        self.prompts.append(prompt)
        answer = self.answers.pop(0)
        if isinstance(answer, str):
            return answer
        raise answer


@pytest.fixture
def typed(monkeypatch: pytest.MonkeyPatch) -> Typist:
    typist = Typist()
    monkeypatch.setattr(commands.getpass, "getpass", typist.getpass)
    monkeypatch.setattr(sys, "stdin", Terminal())
    return typist


def stored(tmp_path: Path) -> dict[str, Any]:
    return dict(json.loads((tmp_path / "cfg" / "config.json").read_text()))


def test_prompt_asks_for_the_key_and_stores_it(
    cli: Any,
    typed: Typist,
    tmp_path: Path,
    server: RunningServer,
    namespace: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AXME_API_KEY")
    typed.answers.append(f"  {namespace[1]}  ")  # pasted with stray blanks
    code, out, _ = cli("login", "--base-url", server.base_url)
    assert code == 0 and namespace[1] not in out
    assert typed.prompts == ["API key: "]
    assert stored(tmp_path) == {"api_key": namespace[1], "base_url": server.base_url}


def test_prompt_enter_keeps_the_environment_key(
    cli: Any, typed: Typist, tmp_path: Path, server: RunningServer, namespace: tuple[str, str]
) -> None:
    typed.answers.append("")
    code, _, _ = cli("login", "--base-url", server.base_url)
    assert code == 0
    [prompt] = typed.prompts
    assert prompt.startswith("API key [axme_admin_…]") and namespace[1] not in prompt
    assert stored(tmp_path)["api_key"] == namespace[1]


@pytest.mark.parametrize("answer", ["", EOFError])
def test_prompt_without_any_key_is_a_clear_error(
    cli: Any,
    typed: Typist,
    tmp_path: Path,
    server: RunningServer,
    monkeypatch: pytest.MonkeyPatch,
    answer: str | type[BaseException],
) -> None:
    monkeypatch.delenv("AXME_API_KEY")
    typed.answers.append(answer)
    code, _, err = cli("login", "--base-url", server.base_url)
    assert code == 1 and "--api-key" in err
    assert not (tmp_path / "cfg" / "config.json").exists()


def test_prompt_with_a_wrong_key_stores_nothing(
    cli: Any, typed: Typist, tmp_path: Path, server: RunningServer
) -> None:
    typed.answers.append("axme_admin_nope_nope")
    code, _, err = cli("login", "--base-url", server.base_url)
    assert code == 1 and "401" in err
    assert not (tmp_path / "cfg" / "config.json").exists()


def test_no_prompt_when_the_key_is_a_flag_or_stdin_is_not_a_terminal(
    cli: Any,
    typed: Typist,
    server: RunningServer,
    namespace: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert cli("login", "--api-key", namespace[1], "--base-url", server.base_url)[0] == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO())
    assert cli("login", "--base-url", server.base_url)[0] == 0  # AXME_API_KEY, no prompt
    assert typed.prompts == []


def test_api_key_stdin(
    cli: Any,
    tmp_path: Path,
    server: RunningServer,
    namespace: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AXME_API_KEY", "axme_admin_from_env")  # stdin wins over the environment
    monkeypatch.setattr(sys, "stdin", io.StringIO(namespace[1] + "\n"))
    code, out, _ = cli("login", "--api-key-stdin", "--base-url", server.base_url)
    assert code == 0 and namespace[1] not in out
    assert stored(tmp_path)["api_key"] == namespace[1]


@pytest.mark.parametrize(
    ("stdin", "extra", "message"),
    [
        ("", [], "standard input has no API key"),
        ("\n", [], "standard input has no API key"),
        ("axme_admin_x_y\n", ["--api-key", "axme_admin_x_y"], "not both"),
    ],
)
def test_api_key_stdin_errors(
    cli: Any,
    tmp_path: Path,
    server: RunningServer,
    monkeypatch: pytest.MonkeyPatch,
    stdin: str,
    extra: list[str],
    message: str,
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code, _, err = cli("login", "--api-key-stdin", "--base-url", server.base_url, *extra)
    assert code == 1 and message in err
    assert not (tmp_path / "cfg" / "config.json").exists()


def read_until(fd: int, wanted: bytes, deadline: float) -> bytes:
    """Bytes from a pty until `wanted` shows up (or the other side closes), bounded in time."""
    seen = b""
    while wanted not in seen:
        left = deadline - time.monotonic()
        assert left > 0, f"timed out waiting for {wanted!r}; got {seen!r}"
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    return seen


def test_real_terminal_prompt_does_not_echo_the_key(
    server: RunningServer, namespace: tuple[str, str], tmp_path: Path
) -> None:
    """The installed `axme login` on a pseudo-terminal: the real getpass, no stubs."""
    import fcntl
    import pty
    import termios

    env = {k: v for k, v in os.environ.items() if not k.startswith("AXME_")}
    env["AXME_CONFIG_DIR"] = str(tmp_path / "cfg")
    controller, terminal = pty.openpty()

    def take_the_terminal() -> None:  # getpass talks to the controlling terminal
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(
        [str(AXME), "login", "--base-url", server.base_url],
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
        env=env,
        preexec_fn=take_the_terminal,  # setsid + ioctl only: safe before exec
    )
    os.close(terminal)
    try:
        deadline = time.monotonic() + 30
        shown = read_until(controller, b"API key: ", deadline)
        os.write(controller, namespace[1].encode() + b"\n")
        shown += read_until(controller, b"Logged in", deadline)
        shown += read_until(controller, b"\n", deadline)
        assert process.wait(timeout=30) == 0, shown
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=5)
        os.close(controller)
    assert namespace[1].encode() not in shown  # not echoed, not printed
    saved = json.loads((tmp_path / "cfg" / "config.json").read_text())
    assert saved == {"api_key": namespace[1], "base_url": server.base_url}
