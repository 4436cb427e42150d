"""Start the reference server (`python -m axme_server`) on 127.0.0.1 for tests."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import httpx

READY = "AXME_SERVER_READY "


@dataclass
class RunningServer:
    base_url: str
    admin_api_key: str
    process: subprocess.Popen[str]

    def new_namespace(self) -> tuple[str, str]:
        """A fresh workspace: (namespace, its admin key)."""
        body = httpx.post(f"{self.base_url}/_testing/namespaces", timeout=10).json()
        return body["namespace"], body["admin_api_key"]

    def testing(self, method: str, path: str, **kwargs: Any) -> Any:
        response = httpx.request(method, f"{self.base_url}{path}", timeout=10, **kwargs)
        response.raise_for_status()
        return response.json()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def _read_lines(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    for line in stream:
        lines.put(line)
    lines.put(None)


def start_server(
    data_dir: Path,
    *,
    startup_timeout: float = 30.0,
    extra_args: list[str] | None = None,
    testing: bool = True,
) -> RunningServer:
    """`testing=False` starts it as a user would (no /_testing endpoints)."""
    cmd = [
        sys.executable,
        "-m",
        "axme_server",
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--data-dir",
        str(data_dir),
        *(["--testing"] if testing else []),
        *(extra_args or []),
    ]
    log = open(data_dir.parent / f"{data_dir.name}.server.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    threading.Thread(target=_read_lines, args=(process.stdout, lines), daemon=True).start()
    deadline = time.monotonic() + startup_timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            process.kill()
            raise RuntimeError(
                f"axme_server did not print {READY.strip()} within {startup_timeout}s"
            )
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            continue
        if line is None:
            raise RuntimeError(f"axme_server exited with {process.wait()}; see {log.name}")
        if line.startswith(READY):
            info = json.loads(line[len(READY) :])
            admin = info.get("admin_api_key") or (data_dir / "admin.key").read_text().strip()
            return RunningServer(info["base_url"], admin, process)
