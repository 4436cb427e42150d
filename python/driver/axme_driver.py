"""Conformance driver for the Python SDK (conformance/driver-protocol.md).

JSON lines on stdin/stdout; each op runs as an asyncio task on `AsyncAxmeClient`
(the public API only), so ops run concurrently and `cancel` is real asyncio
cancellation. stdout carries protocol lines only; logs go to stderr.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Any

import axme
from axme import AsyncAxmeClient, AxmeClientConfig

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import contextlib

from calls import Unsupported, call_method  # noqa: E402
from push_op import run_push_receiver  # noqa: E402

CAPABILITIES = ["retries", "observe", "wait_for", "listen", "cancel", "push"]
log = logging.getLogger("axme.driver")


class ConfigurationRefused(Exception):
    """AxmeClientConfig refused the new_client config: protocol error type Configuration."""


class DriverCrash(BaseException):
    """The `crash` handler: escapes serve() like a dying process (no resume, no fail)."""


#: Ops that have written their final line (ok/error/done).
FINISHED: set[int] = set()


def write(line: dict[str, Any]) -> None:
    if "ok" in line or "done" in line:
        FINISHED.add(line["id"])
    sys.stdout.write(json.dumps(line, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def error_line(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, asyncio.CancelledError):
        return {"type": "Canceled", "message": "cancelled by the harness"}
    if isinstance(exc, Unsupported):
        return {"type": "Unsupported", "message": str(exc)}
    if isinstance(exc, ConfigurationRefused):
        return {
            "type": "Configuration",
            "status": None,
            "code": None,
            "retryable": None,
            "message": str(exc),
        }
    if isinstance(exc, axme.AxmeApiError):
        return {
            "type": exc.error_type,
            "status": exc.status,
            "code": exc.code,
            "retryable": exc.retryable,
            "message": exc.message,
            "retry_after": exc.retry_after,
            "request_id": exc.request_id,
        }
    if isinstance(exc, axme.AxmeError):
        return {
            "type": exc.error_type,
            "status": None,
            "code": None,
            "retryable": None,
            "message": str(exc),
        }
    if isinstance(exc, (ValueError, TypeError)):  # client-side argument validation
        return {
            "type": "Validation",
            "status": None,
            "code": None,
            "retryable": None,
            "message": str(exc),
        }
    return {"type": "DriverError", "message": f"{type(exc).__name__}: {exc}"}


class Driver:
    def __init__(self) -> None:
        self.clients: dict[str, AsyncAxmeClient] = {}
        self.latest: str | None = None
        self.tasks: dict[int, asyncio.Task[None]] = {}

    def client(self, msg: dict[str, Any]) -> AsyncAxmeClient:
        name = msg.get("client") or self.latest
        if name is None or name not in self.clients:
            raise RuntimeError(f"no client {name!r}; send new_client first")
        return self.clients[name]

    @staticmethod
    def params(msg: dict[str, Any]) -> dict[str, Any]:
        merged = dict(msg.get("args") or {})
        merged.update({k: v for k, v in msg.items() if k not in ("id", "op", "args", "client")})
        return merged

    async def dispatch(self, msg: dict[str, Any]) -> None:
        op_id: int = msg["id"]
        try:
            handler = self.handlers()[msg["op"]]
        except KeyError:
            write(
                {
                    "id": op_id,
                    "ok": False,
                    "error": {"type": "Unsupported", "message": f"unknown op {msg.get('op')!r}"},
                }
            )
            return
        try:
            result = await handler(op_id, msg)
        except BaseException as exc:  # noqa: BLE001 - every failure becomes an error line
            write({"id": op_id, "ok": False, "error": error_line(exc)})
            if not isinstance(exc, Exception | asyncio.CancelledError):
                raise
            if not isinstance(
                exc,
                (
                    axme.AxmeError,
                    ValueError,
                    TypeError,
                    Unsupported,
                    ConfigurationRefused,
                    asyncio.CancelledError,
                ),
            ):
                log.exception("op %s failed", op_id)
            return
        if result is not None:
            write({"id": op_id, "ok": True, "result": result})

    def handlers(self) -> dict[str, Callable[[int, dict[str, Any]], Awaitable[Any]]]:
        return {
            "hello": self.hello,
            "new_client": self.new_client,
            "call": self.call,
            "observe": self.observe,
            "wait_for": self.wait_for,
            "listen": self.listen,
            "push_receiver": self.push_receiver,
            "cancel": self.cancel,
        }

    async def hello(self, op_id: int, msg: dict[str, Any]) -> dict[str, Any]:
        return {"sdk": "python", "version": axme.__version__, "capabilities": CAPABILITIES}

    async def new_client(self, op_id: int, msg: dict[str, Any]) -> dict[str, Any]:
        config = msg.get("config") or {}
        # An absent api_key/base_url is left to the SDK: AXME_API_KEY / AXME_BASE_URL.
        settings: dict[str, Any] = {
            k: config[k] for k in ("api_key", "base_url") if config.get(k) is not None
        }
        if config.get("log_level") == "debug":
            # The SDK's own logger; main() routes records to stderr (process-wide).
            logging.getLogger("axme").setLevel(logging.DEBUG)
        if config.get("max_retries") is not None:
            settings["max_retries"] = int(config["max_retries"])
        if config.get("retry_base_ms") is not None:
            settings["retry_base_seconds"] = config["retry_base_ms"] / 1000
        if config.get("timeout_ms") is not None:
            settings["timeout"] = config["timeout_ms"] / 1000
        try:
            client_config = AxmeClientConfig(**settings)
        except ValueError as exc:  # the SDK's configuration error (REQ-CLIENT-001)
            raise ConfigurationRefused(str(exc)) from exc
        name = f"c{len(self.clients) + 1}"
        self.clients[name] = AsyncAxmeClient(client_config)
        self.latest = name
        return {"client": name}

    async def call(self, op_id: int, msg: dict[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = await call_method(
            self.client(msg), msg["method"], dict(msg.get("args") or {})
        )
        return result

    async def observe(self, op_id: int, msg: dict[str, Any]) -> None:
        p = self.params(msg)
        stream = self.client(msg).observe(
            p["intent_id"],
            since=int(p.get("since") or 0),
            until_terminal=bool(p.get("until_terminal", True)),
        )
        async with stream:
            async for event in stream:
                write({"id": op_id, "event": event.to_dict()})
        write({"id": op_id, "done": True})

    async def wait_for(self, op_id: int, msg: dict[str, Any]) -> dict[str, Any]:
        p = self.params(msg)
        timeout_ms = p.get("timeout_ms")
        intent = await self.client(msg).wait_for(
            p["intent_id"], timeout=None if timeout_ms is None else timeout_ms / 1000
        )
        return intent.to_dict()

    async def listen(self, op_id: int, msg: dict[str, Any]) -> None:
        p = self.params(msg)
        client = self.client(msg)
        handler = delivery_handler(op_id, p.get("handler"), client)
        with contextlib.suppress(DriverCrash):
            await client.serve(p["address"], handler, max_deliveries=int(p["max_deliveries"]))
        write({"id": op_id, "done": True})

    async def push_receiver(self, op_id: int, msg: dict[str, Any]) -> None:
        p = self.params(msg)
        client = self.client(msg)
        handler = delivery_handler(op_id, p.get("handler"), client)
        await run_push_receiver(op_id, p, client, handler, write)

    async def cancel(self, op_id: int, msg: dict[str, Any]) -> dict[str, Any]:
        target = int(self.params(msg)["target_id"])
        task = self.tasks.get(target)
        cancelled = task is not None and not task.done()
        if task is not None:
            task.cancel()
        return {"cancelled": cancelled}

    async def close(self) -> None:
        pending = dict(self.tasks)
        for task in pending.values():
            task.cancel()
        await asyncio.gather(*pending.values(), return_exceptions=True)
        for op_id in sorted(set(pending) - FINISHED):  # cancelled before it even started
            write({"id": op_id, "ok": False, "error": error_line(asyncio.CancelledError())})
        for c in self.clients.values():
            await c.aclose()


def delivery_handler(
    op_id: int, spec: dict[str, Any] | None, client: AsyncAxmeClient
) -> Callable[[axme.Delivery], Awaitable[Any]]:
    """The handler `listen` and `push_receiver` run: writes the delivery line, then acts."""
    spec = spec or {"action": "complete"}

    async def handler(delivery: axme.Delivery) -> Any:
        write({"id": op_id, "delivery": delivery.to_dict()})
        action = spec.get("action")
        if action == "complete":
            return spec.get("result") or {}
        if action == "fail":
            error = spec.get("error") or {"code": "agent_error", "message": "failed"}
            raise HandlerFailure(error)
        if action == "crash":
            raise DriverCrash()
        if action == "progress_then_complete":
            for n in range(int(spec.get("progress_count", 1))):
                await asyncio.sleep(int(spec.get("delay_ms", 0)) / 1000)
                await client.report_progress(
                    delivery.intent_id, {"step": n + 1}, delivery_id=delivery.delivery_id
                )
            return spec.get("result") or {}
        raise ValueError(f"unknown handler action {action!r}")

    return handler


class HandlerFailure(Exception):
    """The `fail` handler action: its message is the error text serve() reports."""

    def __init__(self, error: dict[str, Any]) -> None:
        super().__init__(str(error.get("message") or "failed"))
        self.error = error


async def main() -> int:
    logging.basicConfig(stream=sys.stderr, level=os.environ.get("AXME_DRIVER_LOG", "INFO"))
    # httpx's own request lines are not the SDK's log: a scenario reading the driver's
    # stderr (log_level: debug) must see only what the SDK logs.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=16 * 1024 * 1024)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    driver = Driver()
    while True:
        raw = await reader.readline()
        if not raw:
            break
        try:
            msg = json.loads(raw)
            op_id = int(msg["id"])
        except (ValueError, KeyError, TypeError):
            log.error("ignoring a line that is not a protocol message: %r", raw[:200])
            continue
        if msg.get("op") == "shutdown":
            await driver.close()
            write({"id": op_id, "ok": True, "result": {}})
            return 0
        task = asyncio.create_task(driver.dispatch(msg))
        driver.tasks[op_id] = task
        task.add_done_callback(lambda t, i=op_id: driver.tasks.pop(i, None))
    await driver.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
