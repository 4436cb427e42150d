"""One SDK's conformance driver: a child process speaking JSON lines.

Every line the driver writes is parsed and validated against
driver-protocol.schema.json; anything else is recorded as a protocol
violation (the scenario is then ERROR). Ops can run concurrently: each op has
an ``OpHandle`` that collects its stream items (events, deliveries) and its
final line (``ok``/``error``/``done``).
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import jsonschema

from axme_conformance.paths import DRIVER_SCHEMA_FILE

FINAL_KINDS = ("ok", "error", "done", "exited")

# A driver never inherits these from whoever runs the harness: "no key given" must
# mean no key at all (REQ-CLIENT-001); scenarios set them through `new_client.env`.
SDK_ENV_VARS = ("AXME_API_KEY", "AXME_BASE_URL")


def driver_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SDK_ENV_VARS}
    # Nor the `axme login` profile of whoever runs it (REQ-CLIENT-008): an empty dir.
    env["AXME_CONFIG_DIR"] = _empty_config_dir()
    env.update(extra or {})
    return env


def _empty_config_dir() -> str:
    global _EMPTY_CONFIG_DIR
    if _EMPTY_CONFIG_DIR is None:
        _EMPTY_CONFIG_DIR = tempfile.mkdtemp(prefix="axme-conformance-no-profile-")
    return _EMPTY_CONFIG_DIR


_EMPTY_CONFIG_DIR: str | None = None


class StderrCapture:
    """Everything the driver writes on stderr goes to its log file; what it wrote
    since `new_window()` is also kept in memory, so a scenario can read what the
    SDK logged while it ran (REQ-CLIENT-006)."""

    def __init__(self, log: IO[str]) -> None:
        self._log = log
        self._lines: list[str] = []
        self._lock = threading.Lock()

    def pump(self, stream: IO[str]) -> None:
        for line in stream:
            with self._lock:
                self._lines.append(line)
            try:
                self._log.write(line)
                self._log.flush()
            except ValueError:  # the log was closed after a stop() that timed out
                return

    def new_window(self) -> None:
        """Forget what was captured so far (one scenario at a time per driver)."""
        with self._lock:
            self._lines = []

    def window(self) -> str:
        with self._lock:
            return "".join(self._lines)


class DriverError(Exception):
    """The driver broke the protocol, crashed or did not answer in time."""


@dataclass
class OpHandle:
    op_id: int
    op: str
    started: float = field(default_factory=time.monotonic)
    items: list[tuple[float, str, dict[str, Any]]] = field(default_factory=list)
    final: dict[str, Any] | None = None
    final_kind: str | None = None
    finished_at: float | None = None
    # The process the op runs in (a scenario may use more than one: `new_client.env`).
    driver: DriverProcess | None = field(default=None, repr=False)
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def _add_item(self, kind: str, body: dict[str, Any]) -> None:
        with self._cond:
            self.items.append((time.monotonic() - self.started, kind, body))
            self._cond.notify_all()

    def _finish(self, kind: str, line: dict[str, Any]) -> None:
        with self._cond:
            if self.final_kind is None:
                self.final_kind, self.final = kind, line
                self.finished_at = time.monotonic()
            self._cond.notify_all()

    @property
    def done(self) -> bool:
        return self.final_kind is not None

    def wait(self, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while self.final_kind is None:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._cond.wait(left)
        return True

    def wait_items(self, kind: str, count: int, timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        with self._cond:
            while self.count(kind) < count:
                left = deadline - time.monotonic()
                if left <= 0 or self.final_kind is not None:
                    return self.count(kind) >= count
                self._cond.wait(left)
        return True

    def count(self, kind: str) -> int:
        return sum(1 for _, k, _ in self.items if k == kind)

    def bodies(self, kind: str) -> list[dict[str, Any]]:
        return [body for _, k, body in self.items if k == kind]

    def outcome(self) -> dict[str, Any]:
        """What the scenario's ``expect`` sees."""
        out: dict[str, Any] = {"ok": self.final_kind in ("ok", "done")}
        if self.final_kind == "ok" and self.final is not None:
            out["result"] = self.final.get("result")
        if self.final_kind == "error" and self.final is not None:
            out["error"] = self.final.get("error")
        if self.final_kind == "exited":
            out["ok"] = False
            out["error"] = {"type": "DriverExited", "message": "driver exited"}
        if self.op == "observe" or self.count("event"):
            out["events"] = self.bodies("event")
        if self.op in ("listen", "push_receiver") or self.count("delivery"):
            out["deliveries"] = self.bodies("delivery")
        return out


def _load_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(DRIVER_SCHEMA_FILE.read_text())
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema)


class DriverProcess:
    def __init__(
        self,
        sdk: str,
        command: list[str],
        cwd: Path,
        log_path: Path,
        env: dict[str, str] | None = None,
    ) -> None:
        self.sdk = sdk
        self.command = command
        self.cwd = cwd
        self.log_path = log_path
        # Added to the driver's environment (minus SDK_ENV_VARS), e.g. AXME_API_KEY.
        self.env = dict(env or {})
        self.startup_timeout_s = 30.0
        self.stderr: StderrCapture | None = None
        self._stderr_thread: threading.Thread | None = None
        self.violations: list[str] = []
        self._validator = _load_validator()
        self._handles: dict[int, OpHandle] = {}
        self._next_id = 1
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._proc: subprocess.Popen[str] | None = None
        self._log: IO[str] | None = None
        self.hello: dict[str, Any] = {}
        self._stdout_closed = False

    # -- lifecycle ---------------------------------------------------------
    def start(self, startup_timeout_s: float) -> dict[str, Any]:
        self.startup_timeout_s = startup_timeout_s
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "a", encoding="utf-8")  # noqa: SIM115
        self._log.write(f"--- start {self.command} env {sorted(self.env)}\n")
        self._log.flush()
        self._proc = subprocess.Popen(
            self.command,
            cwd=self.cwd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            bufsize=1,
            env=driver_environment(self.env),
        )
        self.stderr = StderrCapture(self._log)
        assert self._proc.stderr is not None
        self._stderr_thread = threading.Thread(
            target=self.stderr.pump,
            args=(self._proc.stderr,),
            name=f"driver-{self.sdk}-stderr",
            daemon=True,
        )
        self._stderr_thread.start()
        threading.Thread(target=self._read_loop, name=f"driver-{self.sdk}", daemon=True).start()
        handle = self.send({"op": "hello"})
        if not handle.wait(startup_timeout_s):
            raise DriverError(f"{self.sdk}: no answer to hello within {startup_timeout_s}s")
        if handle.final_kind == "exited":
            raise DriverError(
                f"{self.sdk}: the driver exited before answering hello (see {self.log_path})"
            )
        if handle.final_kind != "ok" or handle.final is None:
            raise DriverError(f"{self.sdk}: hello failed: {handle.final}")
        self.hello = handle.final["result"]
        return self.hello

    def sibling(self, env: dict[str, str]) -> DriverProcess:
        """Another process of the same driver with `env` added to its environment, started."""
        other = DriverProcess(self.sdk, self.command, self.cwd, self.log_path, env)
        other.start(self.startup_timeout_s)
        return other

    @property
    def alive(self) -> bool:
        return self._proc is not None and not self._stdout_closed and self._proc.poll() is None

    @property
    def capabilities(self) -> set[str]:
        return set(self.hello.get("capabilities", []))

    def stop(self, timeout_s: float = 5.0) -> None:
        if self._proc is None:
            return
        if self.alive:
            try:
                handle = self.send({"op": "shutdown"})
                handle.wait(timeout_s)
                self._proc.wait(timeout=timeout_s)
            except (DriverError, subprocess.TimeoutExpired, OSError):
                pass
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait(timeout=timeout_s)
        if self._stderr_thread is not None:
            self._stderr_thread.join(timeout_s)  # the rest of the log, up to EOF
        if self._log:
            self._log.close()
            self._log = None

    # -- ops ---------------------------------------------------------------
    def send(self, message: dict[str, Any]) -> OpHandle:
        if not self.alive or self._proc is None or self._proc.stdin is None:
            raise DriverError(f"{self.sdk}: driver is not running")
        with self._lock:
            op_id = self._next_id
            self._next_id += 1
            handle = OpHandle(op_id=op_id, op=message["op"], driver=self)
            self._handles[op_id] = handle
        line = json.dumps({"id": op_id, **message}, separators=(",", ":"))
        try:
            with self._write_lock:
                self._proc.stdin.write(line + "\n")
                self._proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise DriverError(f"{self.sdk}: cannot write to driver: {exc}") from exc
        return handle

    def pending(self) -> list[OpHandle]:
        with self._lock:
            return [h for h in self._handles.values() if not h.done]

    def take_violations(self) -> list[str]:
        with self._lock:
            found, self.violations = self.violations, []
        return found

    # -- reader ------------------------------------------------------------
    def _violation(self, text: str) -> None:
        with self._lock:
            self.violations.append(text)

    def _read_loop(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for raw in self._proc.stdout:
            self._dispatch(raw.rstrip("\n"))
        self._stdout_closed = True
        with self._lock:
            handles = list(self._handles.values())
        for handle in handles:
            handle._finish("exited", {})

    def _dispatch(self, raw: str) -> None:
        if not raw.strip():
            self._violation("blank line on stdout")
            return
        try:
            line = json.loads(raw)
        except ValueError:
            self._violation(f"not JSON on stdout: {raw[:200]!r}")
            return
        errors = sorted(self._validator.iter_errors(line), key=lambda e: e.path)
        if errors:
            self._violation(f"line violates the schema ({errors[0].message}): {raw[:300]}")
            return
        with self._lock:
            handle = self._handles.get(line["id"])
        if handle is None:
            self._violation(f"line for unknown op id {line['id']}: {raw[:200]}")
            return
        if handle.done:
            self._violation(f"line after op {line['id']} finished: {raw[:200]}")
            return
        if "event" in line:
            handle._add_item("event", line["event"])
        elif "delivery" in line:
            handle._add_item("delivery", line["delivery"])
        elif "receiver" in line:
            handle._add_item("receiver", line["receiver"])
        elif "done" in line:
            handle._finish("done", line)
        else:
            handle._finish("ok" if line["ok"] else "error", line)
