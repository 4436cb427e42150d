"""Processes, the reference server and workspaces for the examples' end-to-end test."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from axme import AxmeClient, AxmeClientConfig

READY = "AXME_SERVER_READY "
EXAMPLES = Path(__file__).resolve().parent.parent


class ExampleFailed(AssertionError):
    pass


class Proc:
    """A child process whose combined output is collected line by line as it happens."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.name = name
        self.lines: list[str] = []
        self._changed = threading.Condition()
        self.popen = subprocess.Popen(
            argv,
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._pump = threading.Thread(target=self._read, daemon=True)
        self._pump.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            with self._changed:
                self.lines.append(line.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_line(self, predicate: Callable[[str], bool], timeout: float) -> str:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for line in self.lines:
                    if predicate(line):
                        return line
                left = deadline - time.monotonic()
                if left <= 0 or (self.popen.poll() is not None and not self._pump.is_alive()):
                    raise ExampleFailed(
                        f"{self.name}: no such line within {timeout:.0f}s:\n{self.output}"
                    )
                self._changed.wait(min(left, 0.5))

    def wait(self, timeout: float) -> int:
        try:
            rc = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise ExampleFailed(
                f"{self.name} still running after {timeout:.0f}s:\n{self.output}"
            ) from None
        self._pump.join(timeout=5)
        return rc

    def terminate(self, within: float, dump_threads: bool = False) -> int | None:
        """SIGTERM; the exit status if it exits by itself within `within` seconds, else None
        (it is then killed, after a thread dump into its output if `dump_threads`)."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=within)
            except subprocess.TimeoutExpired:
                if dump_threads:
                    self._dump_threads()
                with contextlib.suppress(ProcessLookupError):  # Go ends on SIGQUIT
                    os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(timeout=5)
                self._pump.join(timeout=5)
                return None
        self._pump.join(timeout=5)
        return self.popen.returncode

    def _dump_threads(self) -> None:
        """SIGQUIT before the kill: Mono and the JVM print every thread's stack to stdout
        (Go its goroutines), so the output of a process that did not exit says where it hung."""
        os.killpg(self.popen.pid, signal.SIGQUIT)
        try:
            self.popen.wait(timeout=2)
        except subprocess.TimeoutExpired:
            pass

    def stop(self) -> None:
        """Clean-up: SIGTERM, then SIGKILL after 5 s."""
        self.terminate(5)


class Server:
    """A fresh reference server on a free port with a short lease, so redelivery takes seconds."""

    def __init__(self, data_dir: Path, lease_seconds: float) -> None:
        self.popen = subprocess.Popen(
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
                "--lease-seconds",
                str(lease_seconds),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.popen.stdout is not None
        line = self.popen.stdout.readline()
        if not line.startswith(READY):
            self.popen.kill()
            raise ExampleFailed(f"axme-server did not start: {line!r}")
        info = json.loads(line[len(READY) :])
        self.base_url: str = info["base_url"]
        self.operator_key: str = info["admin_api_key"]
        self.operator = AxmeClient(
            AxmeClientConfig(api_key=self.operator_key, base_url=self.base_url)
        )
        self._names = 0
        self._lock = threading.Lock()

    def workspace(self, label: str) -> Workspace:
        """A workspace of its own per run: the bundle's agent addresses never collide."""
        with self._lock:
            self._names += 1
            name = f"{label}-{self._names}"
        created = self.operator.create_workspace("local", name)
        return Workspace(self.base_url, created["api_key"])

    def close(self) -> None:
        self.operator.close()
        self.popen.terminate()
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.popen.kill()


class Workspace:
    def __init__(self, base_url: str, admin_key: str) -> None:
        self.base_url = base_url
        self.admin_key = admin_key
        self.admin = AxmeClient(AxmeClientConfig(api_key=admin_key, base_url=base_url))

    def agent_key(self, address: str) -> str:
        return str(self.admin.register_agent(address)["api_key"])

    def env(self, key: str, config_dir: Path, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "AXME_BASE_URL": self.base_url,
            "AXME_API_KEY": key,
            "AXME_CONFIG_DIR": str(config_dir),
            "PYTHONUNBUFFERED": "1",
            **extra,
        }

    def intent(self, intent_id: str) -> Any:
        return self.admin.get_intent(intent_id)

    def axme(self, config_dir: Path, *args: str, key: str | None = None) -> str:
        """The `axme` CLI, with the admin key unless another (e.g. a person's) is given."""
        done = subprocess.run(
            [sys.executable, "-m", "axme.cli.main", *args],
            capture_output=True,
            text=True,
            timeout=60,
            env=self.env(key or self.admin_key, config_dir),
        )
        if done.returncode != 0:
            raise ExampleFailed(f"axme {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout
