"""Start the reference server as a child process and wait for its ready line."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from axme_conformance import pg_database

READY_PREFIX = "AXME_SERVER_READY "


class ServerStartError(RuntimeError):
    pass


@dataclass
class ServerInfo:
    base_url: str
    admin_api_key: str | None


class ReferenceServer:
    """``with ReferenceServer(testing=True) as srv: srv.info.base_url``."""

    def __init__(
        self,
        *,
        testing: bool = True,
        data_dir: Path | None = None,
        log_path: Path | None = None,
        extra_args: list[str] | None = None,
        python: str | None = None,
        startup_timeout_s: float = 60.0,
    ) -> None:
        self.testing = testing
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        if data_dir is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="axme-conformance-")
            data_dir = Path(self._tmp.name)
        self.data_dir = data_dir
        self.log_path = log_path
        self.extra_args = extra_args or []
        self.python = python or sys.executable
        self.startup_timeout_s = startup_timeout_s
        self._proc: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None
        self.info: ServerInfo | None = None

    def start(self) -> ServerInfo:
        cmd = [
            self.python,
            "-m",
            "axme_server",
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--data-dir",
            str(self.data_dir),
        ]
        if self.testing:
            cmd.append("--testing")
        cmd += self.extra_args
        stderr: IO[str] | int = subprocess.DEVNULL
        if self.log_path is not None:
            self.log_path.parent.mkdir(parents=True, exist_ok=True)
            self._log = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115
            stderr = self._log
        env = {**os.environ, **pg_database.server_env()}  # (a fresh schema on a --postgres run)
        self._proc = subprocess.Popen(
            cmd, stdout=subprocess.PIPE, stderr=stderr, text=True, env=env
        )
        self.info = self._await_ready()
        return self.info

    def _await_ready(self) -> ServerInfo:
        assert self._proc is not None and self._proc.stdout is not None
        deadline = time.monotonic() + self.startup_timeout_s
        selector = selectors.DefaultSelector()
        selector.register(self._proc.stdout, selectors.EVENT_READ)
        try:
            while time.monotonic() < deadline:
                if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                    continue
                line = self._proc.stdout.readline()
                if not line:
                    self._proc.wait(timeout=5)
                    raise ServerStartError(
                        f"axme-server exited (code {self._proc.poll()}) before it was ready"
                        f"{self._log_tail()}"
                    )
                if line.startswith(READY_PREFIX):
                    data = json.loads(line[len(READY_PREFIX) :])
                    return ServerInfo(data["base_url"], data.get("admin_api_key"))
        finally:
            selector.close()
        self.stop()
        raise ServerStartError(f"axme-server not ready within {self.startup_timeout_s}s")

    def _log_tail(self) -> str:
        if self.log_path is None or not self.log_path.is_file():
            return ""
        lines = self.log_path.read_text(errors="replace").splitlines()[-8:]
        return "; server log:\n  " + "\n  ".join(lines)

    def kill(self) -> None:
        """SIGKILL, as a crash: nothing gets to finish (then ``stop`` releases the rest)."""
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(timeout=10)

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.send_signal(signal.SIGTERM)
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(timeout=10)
        if self._proc is not None and self._proc.stdout is not None:
            self._proc.stdout.close()
        if self._log is not None:
            self._log.close()
            self._log = None
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> ReferenceServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
