"""Command line: `axme-server --host 127.0.0.1 --port 8787 --data-dir DIR [--testing]`.

Prints exactly one line to stdout when ready (docs/architecture.md#the-reference-server-process):
`AXME_SERVER_READY {"base_url": …, "admin_api_key": …|null}`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import os
import signal
import socket
import ssl
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from axme_server import cluster, limits
from axme_server.addresses import is_segment
from axme_server.app import App
from axme_server.clock import Clock, TestingClock
from axme_server.engine import Settings
from axme_server.jsonutil import dumps
from axme_server.notify import ops as notify_ops
from axme_server.outbound import OutboundSettings
from axme_server.service import Engine
from axme_server.store import operate
from axme_server.testing import Testing

log = logging.getLogger("axme_server")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="axme-server", description="The reference AXP server.")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=8787, help="0 picks a free port")
    ap.add_argument("--data-dir", default="./.axme-data", help="SQLite lives at DIR/axme.db")
    ap.add_argument(
        "--testing",
        action="store_true",
        help="enable /_testing endpoints (faults, recording, controllable clock)",
    )
    ap.add_argument(
        "--org",
        default=os.environ.get("AXME_ORG"),
        help="org of the workspace to serve: created on the first start of a data dir (default "
        "local), or later when no such workspace exists yet (its admin key is printed)",
    )
    ap.add_argument(
        "--workspace",
        default=os.environ.get("AXME_WORKSPACE"),
        help="name of that workspace (default: default on a fresh data dir)",
    )
    ap.add_argument("--keepalive-seconds", type=float, default=15.0)
    ap.add_argument("--lease-seconds", type=float, default=60.0)
    ap.add_argument(
        "--outbound-timeout-seconds",
        type=float,
        default=10.0,
        help="the most one push may take, 0.1..10 (REQ-PUSH-006, REQ-PUSH-009)",
    )
    ap.add_argument(
        "--outbound-concurrency", type=int, default=64, help="pushes in flight at once, at least 1"
    )
    ap.add_argument(
        "--active-cache-size",
        type=int,
        default=Settings.active_cache_size,
        help="active intents kept in memory; the rest load from the store when used",
    )
    ap.add_argument(
        "--terminal-cache-size",
        type=int,
        default=Settings.terminal_cache_size,
        help="finished intents kept in memory (serialized) for reads right after they end",
    )
    ap.add_argument(
        "--sqlite-synchronous",
        choices=("FULL", "NORMAL"),
        default="FULL",
        help="FULL (default): a commit survives power loss; NORMAL: survives a process crash only",
    )
    ap.add_argument(
        "--http-server",
        choices=("builtin", "uvicorn"),
        default="builtin",
        help="builtin (default): the lean httptools server in httpserver.py; uvicorn: the fallback "
        "(also used when httptools cannot be imported)",
    )
    ap.add_argument("--log-level", default=os.environ.get("AXME_LOG_LEVEL", "warning"))
    ap.add_argument("--tls-cert", help="PEM certificate (chain): serve HTTPS directly (with --tls-key)")
    ap.add_argument("--tls-key", help="PEM private key of --tls-cert")
    limits.add_flags(ap)
    notify_ops.add_flags(ap)
    ap.add_argument(
        "--console-session-hours",
        type=float,
        default=12.0,
        help="lifetime of a /console sign-in session (REQ-CONSOLE-001), more than 0 and at most 720",
    )
    operate.add_retention_flags(ap)
    operate.add_database_flags(ap)
    args = ap.parse_args(argv)
    if not 0 < args.console_session_hours <= 720:
        ap.error("--console-session-hours must be more than 0 and at most 720")
    if bool(args.tls_cert) != bool(args.tls_key):
        ap.error("--tls-cert and --tls-key go together")
    for flag in ("org", "workspace"):
        if getattr(args, flag) is not None and not is_segment(getattr(args, flag)):
            ap.error(f"--{flag} must be one address segment (lower-case letters, digits, '_', '-')")
    return args


def _uvicorn_server() -> type:
    import uvicorn

    return uvicorn.Server


class _Server(_uvicorn_server()):  # type: ignore[misc]
    """uvicorn.Server that prints the READY line once it listens."""

    ready_line: str = ""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn re-raises SIGTERM after shutting down (exit status -15); a clean
        # stop here exits 0 once everything is closed.
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.handle_exit, sig, None)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.should_exit:
            _print_ready(self.ready_line)


def _tune_gc() -> None:
    """Fewer cyclic-GC passes (the bench measured about 15% of the server's CPU in them by default).

    A request allocates many short-lived containers but leaves few cycles, and the
    intent cache keeps many long-lived ones that every older-generation pass walks
    again. Startup objects (spec, validators, routes) move to the permanent generation.
    """
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 20, 20)


async def serve(args: argparse.Namespace) -> None:
    data_dir = Path(args.data_dir).resolve()
    operate.secure_data_dir(data_dir)  # 0700: it holds the database and admin.key
    store = operate.open_database(data_dir, args)
    if hasattr(store, "synchronous"):
        store.synchronous = args.sqlite_synchronous
    store.open()
    clock = TestingClock() if args.testing else Clock()
    settings = Settings(
        lease_seconds=args.lease_seconds,
        keepalive_seconds=args.keepalive_seconds,
        active_cache_size=max(1, args.active_cache_size),
        terminal_cache_size=max(0, args.terminal_cache_size),
        testing=args.testing,
    )
    outbound_settings = OutboundSettings(
        timeout_seconds=min(10.0, max(0.1, args.outbound_timeout_seconds)),
        concurrency=max(1, args.outbound_concurrency),
    )
    engine = Engine(store, clock, settings, outbound_settings=outbound_settings)
    admin_key = await engine.start(data_dir, org=args.org, workspace=args.workspace)
    cluster.start(engine.core)  # other server processes' writes (a shared store only)
    retention = operate.start_retention(store, clock.now, args, on_pruned=engine.core.forget_intents)
    server_limits = limits.from_args(args)
    tls = _tls_context(args.tls_cert, args.tls_key) if args.tls_cert else None
    app = App(engine, Testing(engine) if args.testing else None, server_limits)
    app.console.lifetime = args.console_session_hours * 3600
    _tune_gc()

    sock = socket.socket(socket.AF_INET6 if ":" in args.host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((args.host, args.port))
    sock.listen(2048)
    sock.set_inheritable(True)
    port = sock.getsockname()[1]
    host = f"[{args.host}]" if ":" in args.host else args.host
    base_url = f"{'https' if tls else 'http'}://{host}:{port}"
    engine.notify.settings = notify_ops.settings_from_args(
        args, base_url
    )  # links, SMTP, Slack (REQ-NOTIFY-*)
    ready_line = "AXME_SERVER_READY " + dumps({"base_url": base_url, "admin_api_key": admin_key}).decode()
    try:
        if args.http_server == "builtin" and _builtin_available():
            await _serve_builtin(app, sock, ready_line, server_limits, tls)
        else:
            await _serve_uvicorn(app, sock, ready_line, args)
    finally:
        if retention is not None:
            retention.cancel()
        await engine.stop()
        store.close()


def _builtin_available() -> bool:
    try:
        import httptools  # noqa: F401
    except ImportError:
        log.warning("httptools is not installed: serving with uvicorn")
        return False
    return True


def _print_ready(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _tls_context(cert: str, key: str) -> ssl.SSLContext:
    """HTTPS served directly (TLS 1.2+); a bad file stops the start with a clear message."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        ctx.load_cert_chain(cert, key)
    except (OSError, ssl.SSLError) as exc:
        raise ValueError(f"cannot load --tls-cert/--tls-key: {exc}") from None
    return ctx


async def _serve_builtin(
    app: App, sock: socket.socket, ready_line: str, server_limits: limits.Limits, tls: ssl.SSLContext | None
) -> None:
    from axme_server.httpserver import serve as serve_http

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await serve_http(
            app,
            sock,
            stop,
            keepalive_timeout=server_limits.idle_timeout,
            limits=server_limits,
            ssl=tls,
            on_ready=lambda: _print_ready(ready_line),
        )
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


async def _serve_uvicorn(app: App, sock: socket.socket, ready_line: str, args: argparse.Namespace) -> None:
    import uvicorn

    http = "httptools" if _builtin_available() else "h11"
    config = uvicorn.Config(
        app,
        log_level=args.log_level.lower(),
        access_log=False,
        lifespan="off",
        loop="none",
        http=http,
        timeout_keep_alive=int(args.idle_timeout),
        backlog=2048,
        limit_concurrency=args.max_connections,
        h11_max_incomplete_event_size=args.max_header_bytes,
        ssl_certfile=args.tls_cert,
        ssl_keyfile=args.tls_key,
    )
    server = _Server(config)
    server.ready_line = ready_line
    await server.serve(sockets=[sock])


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["migrate"]:  # `axme-server migrate`: apply schema migrations and exit
        sys.exit(operate.migrate_main(argv[1:]))
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is a dependency where available
        pass
    profile_path = os.environ.get("AXME_PROFILE", "")  # cProfile of the event loop thread, for tuning
    profiler = None
    if profile_path:
        import cProfile

        profiler = cProfile.Profile(
            time.thread_time
        )  # CPU time: wall time would charge preemption to syscalls
        profiler.enable()
    try:
        asyncio.run(serve(args))
    except ValueError as exc:
        print(f"axme-server: {exc}", file=sys.stderr)
        sys.exit(2)
    finally:
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(profile_path)


if __name__ == "__main__":
    main()
