"""Scale mode (`run.py --intents N`): seed N intents through the store, then
measure the server at that size: start-up to ready, RSS, DB size, and list /
metrics latency p50/p99 per filter.

The seeder makes three template intents over HTTP (COMPLETED; WAITING for a
person with a task row; SUBMITTED to an agent nobody listens to), stops the
server, and writes clones of them through `SqliteStore.write` in batches of
BATCH intents per transaction: 75% COMPLETED, 20% WAITING (a deadline between
an hour and 30 days out, so beyond the start-up timer horizon), 5% SUBMITTED."""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from sustained import rss_mb

from axme_server.jsonutil import dumps, loads, new_time_uuid
from axme_server.store.sqlite import SqliteStore

BATCH = 2000
MIX = (("completed", 0.75), ("waiting", 0.20), ("submitted", 0.05))
REPEAT = 200  # requests per latency figure (p99 of 40 would be the single slowest)


def make_templates(api: Any) -> dict[str, str]:
    addr, agent = api.register_agent("seed-worker")
    idle, _ = api.register_agent("seed-idle")
    done = api.create(addr)
    agent.ok(agent.complete(done, {"ok": True}, delivery_id=agent.poll_one(addr)["delivery_id"]))
    waiting = api.create(addr, human_task={"title": "approve", "assignees": ["ops"]})
    agent.ok(agent.complete(waiting, {"checked": True}, delivery_id=agent.poll_one(addr)["delivery_id"]))
    submitted = api.create(idle)
    return {"completed": done, "waiting": waiting, "submitted": submitted}


def seed(db_path: Path, templates: dict[str, str], n: int) -> float:
    """Write n clones of the templates through the store; returns seconds taken."""
    store = SqliteStore(str(db_path), synchronous="NORMAL")
    store.open()
    try:
        rows = {}
        for kind, iid in templates.items():
            doc = store.get_intent(iid)
            tasks = [
                t
                for _, t in store.list_tasks(
                    doc["_ws"], pending_only=False, assignees=None, limit=1000, cursor=None
                )
                if t["intent_id"] == iid
            ]
            rows[kind] = (
                iid,
                dumps(doc).decode(),
                [dumps(e).decode() for e in store.list_events(iid, 0, 100)],
                [dumps(t).decode() for t in tasks],
            )
        now = time.time()
        rng = random.Random(16)
        kinds = [k for k, share in MIX for _ in range(round(share * 100))]
        t0 = time.perf_counter()

        async def write_all() -> None:
            for start in range(0, n, BATCH):
                ops: list[tuple] = []
                for _ in range(min(BATCH, n - start)):
                    kind = rng.choice(kinds)
                    old, doc_text, events, tasks = rows[kind]
                    new = new_time_uuid()  # what the server makes (ordered by time)
                    doc = loads(doc_text.replace(old, new))
                    if kind == "waiting":
                        due = now + rng.uniform(3600, 30 * 86400)
                        doc["_timers"], doc["_next_timer"] = {"deadline": due}, due
                    ops.append(("intent_new", doc))
                    ops.extend(("event", loads(e.replace(old, new))) for e in events)
                    ops.extend(("task", loads(t.replace(old, new))) for t in tasks)
                await store.write(ops)

        asyncio.run(write_all())
        return time.perf_counter() - t0
    finally:
        store.close()


def pcts(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, round(0.99 * (len(values) - 1)))]


def measure(admin: Any, pid: int) -> list[tuple[str, float, float, float | None]]:
    """p50/p99 client-side ms per path, and the server's CPU ms per request (user + system; waiting
    for a core on a busy machine inflates the latencies but not this)."""
    from run import server_cpu

    paths = [
        ("no filter", "/v1/intents?limit=50"),
        ("status=WAITING", "/v1/intents?status=WAITING&limit=50"),
        ("status=COMPLETED", "/v1/intents?status=COMPLETED&limit=50"),
        ("status=FAILED (no match)", "/v1/intents?status=FAILED&limit=50"),
        ("to_agent=seed-idle", "/v1/intents?to_agent=seed-idle&limit=50"),
        ("to_agent (no match)", "/v1/intents?to_agent=nobody-here&limit=50"),
        ("GET /metrics", "/metrics"),
    ]
    # timed through a plain client: the tests' client checks every response against the spec, which
    # for a 50-intent page took 15-25 ms on the client, several times the server's time
    plain = httpx.Client(base_url=admin.base_url, headers=admin.headers(), timeout=30)
    out = []
    for name, path in paths:
        resp = admin.get(path)  # once through the contract check
        assert resp.status_code == 200, (path, resp.text[:200])
        times = []
        cpu_before = sum(server_cpu(pid))
        for _ in range(REPEAT):
            t = time.perf_counter()
            resp = plain.get(path)
            times.append(time.perf_counter() - t)
            assert resp.status_code == 200, (path, resp.text[:200])
        cpu = (sum(server_cpu(pid)) - cpu_before) / REPEAT
        p50, p99 = pcts(times)
        out.append((name, p50 * 1000, p99 * 1000, cpu * 1000))
    plain.close()
    return out


def scale(args: Any) -> None:
    import contextlib
    import tempfile

    from helpers import Api, start_server

    with contextlib.ExitStack() as stack:
        # --scale-dir keeps the seeded data dir, so another server version can be measured on it
        data_dir = Path(args.scale_dir or stack.enter_context(tempfile.TemporaryDirectory()))
        if not (data_dir / "axme.db").exists():
            srv = start_server(data_dir, "--http-server", args.http_server)
            templates = make_templates(Api(srv.base_url, srv.admin_key))
            srv.stop()
            took = seed(data_dir / "axme.db", templates, args.intents)
            print(
                f"axme-server scale bench: {args.intents} intents seeded through the store in {took:.1f} s "
                f"({args.intents / took:.0f}/s), load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
            )
        else:
            print(f"axme-server scale bench: measuring the data dir {data_dir} as seeded before")
        key = (data_dir / "admin.key").read_text().strip()
        t0 = time.perf_counter()
        srv = start_server(data_dir, "--http-server", args.http_server, timeout=600)
        ready = time.perf_counter() - t0
        try:
            admin = Api(srv.base_url, key)
            db_mb = sum(p.stat().st_size for p in data_dir.glob("axme.db*")) / 2**20
            rss_ready = rss_mb(srv.proc.pid)
            rows = measure(admin, srv.proc.pid)
            from console_pages import measure_console

            rows += [(*row, None) for row in measure_console(srv.base_url, key, REPEAT, pcts)]
            print(
                f"start-up to ready {ready:.2f} s; RSS at ready {rss_ready:.0f} MB, after the lists "
                f"{rss_mb(srv.proc.pid):.0f} MB; DB {db_mb:.0f} MB"
            )
            print(
                f"{'list':<26} {'p50 ms':>8} {'p99 ms':>8} {'server CPU ms':>14}   ({REPEAT} sequential requests each)"
            )
            for name, p50, p99, cpu in rows:
                print(f"{name:<26} {p50:>8.2f} {p99:>8.2f} {'-' if cpu is None else f'{cpu:.2f}':>14}")
        finally:
            srv.stop()
