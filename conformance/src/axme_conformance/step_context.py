"""What a scenario's steps share: the context of one scenario run against one SDK's
driver (its clients, background ops, variables, transcript) and the two ways a step
ends badly (StepFailure: the SDK's fault; StepError: the scenario could not be judged).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from axme_conformance.driver import DriverError, DriverProcess, OpHandle
from axme_conformance.templating import Variables
from axme_conformance.testing_api import Namespace, TestingApi
from axme_conformance.webhook_steps import WebhookReceiver

DEFAULT_CLIENT_CONFIG = {"max_retries": 2, "retry_base_ms": 20, "timeout_ms": 10000}


class StepFailure(Exception):
    """The SDK did not do what the scenario expects (FAIL)."""


class StepError(Exception):
    """The scenario could not be judged: driver or server trouble (ERROR)."""


@dataclass
class ScenarioContext:
    sdk: str
    driver: DriverProcess
    api: TestingApi
    base_url: str
    namespace: Namespace
    vars: Variables
    client_defaults: dict[str, Any]
    op_timeout_s: float = 30.0
    # name → (the driver process it lives in, the driver's client id)
    clients: dict[str, tuple[DriverProcess, str]] = field(default_factory=dict)
    handles: dict[str, OpHandle] = field(default_factory=dict)
    transcript: list[dict[str, Any]] = field(default_factory=list)
    # Extra driver processes started with `new_client.env` (one per distinct env).
    env_drivers: dict[tuple[tuple[str, str], ...], DriverProcess] = field(default_factory=dict)
    # `webhook_receiver` steps' receivers by name (stopped with the scenario).
    receivers: dict[str, WebhookReceiver] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.driver.stderr is not None:
            self.driver.stderr.new_window()  # expect.driver_log reads this scenario's output

    # -- driver steps ------------------------------------------------------
    def driver_send(self, message: dict[str, Any], client: str | None) -> OpHandle:
        driver = self.driver
        if client is not None:
            if client not in self.clients:
                raise StepError(f"unknown client {client!r}")
            driver, message["client"] = self.clients[client]
        elif self.clients and message["op"] != "new_client":
            driver, message["client"] = self.clients["default"]
        return self.send_to(driver, message)

    def send_to(self, driver: DriverProcess, message: dict[str, Any]) -> OpHandle:
        try:
            return driver.send(message)
        except DriverError as exc:
            raise StepError(str(exc)) from exc

    def finish(self, handle: OpHandle, timeout_s: float, what: str) -> dict[str, Any]:
        if not handle.wait(timeout_s):
            raise StepError(f"{what}: no answer from the {self.sdk} driver within {timeout_s}s")
        if handle.final_kind == "exited":
            raise StepError(f"{what}: the {self.sdk} driver exited")
        return handle.outcome()

    def new_client(
        self, name: str, config: dict[str, Any], env: dict[str, str] | None = None
    ) -> dict[str, Any]:
        """Create a client; `env` runs it in a driver process started with those
        environment variables (Java cannot change its own environment)."""
        merged = {**DEFAULT_CLIENT_CONFIG, **self.client_defaults, **config}
        api_key = merged.pop("key", self.namespace.admin_api_key)
        merged = {"base_url": self.base_url, "api_key": api_key, **merged}
        # null = leave the member out, so the SDK applies its own default (REQ-CLIENT-001).
        merged = {k: v for k, v in merged.items() if v is not None}
        driver = self.driver if env is None else self.env_driver(env)
        handle = self.send_to(driver, {"op": "new_client", "config": merged})
        outcome = self.finish(handle, self.op_timeout_s, "new_client")
        if outcome["ok"]:
            self.clients[name] = (driver, str(outcome["result"].get("client", "")))
        return outcome

    def env_driver(self, env: dict[str, Any]) -> DriverProcess:
        if not all(isinstance(v, str) for v in env.values()):
            raise StepError(f"new_client.env values must be strings: {env}")
        key = tuple(sorted(env.items()))
        if key not in self.env_drivers:
            try:
                self.env_drivers[key] = self.driver.sibling(dict(key))
            except (DriverError, OSError) as exc:
                raise StepError(f"cannot start a driver with env {sorted(env)}: {exc}") from exc
        return self.env_drivers[key]

    def drivers(self) -> list[DriverProcess]:
        return [self.driver, *self.env_drivers.values()]

    def driver_log(self) -> str:
        """What the scenario's driver processes wrote on stderr while it ran."""
        return "".join(d.stderr.window() for d in self.drivers() if d.stderr is not None)

    def stop_env_drivers(self) -> list[str]:
        """Stop the extra drivers; returns their protocol violations."""
        violations = []
        for driver in self.env_drivers.values():
            violations += driver.take_violations()
            driver.stop()
        return violations

    def stop_receivers(self) -> None:
        for receiver in self.receivers.values():
            receiver.stop()

    def ensure_default_client(self) -> None:
        if "default" not in self.clients:
            outcome = self.new_client("default", {})
            if not outcome["ok"]:
                raise StepError(f"new_client failed: {outcome.get('error')}")


def brief(value: Any, limit: int = 600) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[:limit] + "…"
