"""The approval cycle on PostgreSQL with one and two server replicas (issue 14), in one run
(`make -C server bench` runs it after run.py; alone: `python bench/replicas.py`).

Prints, each measured in this run on this machine:
- raw PostgreSQL commits/s: one psycopg connection, BEGIN / INSERT a 400-byte document /
  COMMIT with synchronous_commit on (the store's commit: one transaction per batch, durable);
- SQLite cycles/s: one server on SQLite, the closed loop of run.py (raw HTTP clients, each
  with its own agent listening on an intent stream; create, [ack], complete, approve, the
  initiator's stream sees COMPLETED);
- PostgreSQL cycles/s with one replica, and with two on one database: client i creates and
  approves through replica i % 2 while its agent listens on replica (i // 2) % 2, so half the
  cycles cross replicas (deliveries, stream wake-ups and decisions via LISTEN/NOTIFY); and
  two replicas where every agent listens on both (two streams, as a worker pool behind a load
  balancer has): the replica that creates an intent leases it to a listener there;
- each as a ratio to SQLite and to raw PostgreSQL commits/s, the issue's bar (two replicas
  >= 0.9 x one), and CPU seconds per process: each replica, the PostgreSQL backends of the
  bench's database, other PostgreSQL processes (WAL writer, checkpointer: shared by the
  machine), and the clients. On a 2-core machine the replicas, PostgreSQL and the clients
  share the cores: the CPU split says what more cores would buy.

Needs PostgreSQL (AXME_TEST_POSTGRES_URL as .ci/run exports; AXME_TEST_POSTGRES=0 skips)."""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))

from drive import in_process
from rawhttp import Pool
from run import agent_loop, run_cycle, server_cpu

ADMIN_URL = "postgresql://axme_test:axme_test@127.0.0.1:5432/postgres"  # what ensure_postgres.sh makes
TARGET_TWO_OVER_ONE = 0.9  # issue 14: two replicas >= 0.9 x one on this machine
SQLITE, ONE = "SQLite, 1 server", "PostgreSQL, 1 replica"
TWO = "PostgreSQL, 2 replicas, each agent on one (half the cycles cross)"
TWO_BOTH = "PostgreSQL, 2 replicas, each agent on both"


def pg_commits(url: str, seconds: float = 1.0) -> float:
    """Durable single-row commits/s on one connection (the store's commit shape)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_commits (id BIGSERIAL PRIMARY KEY, doc TEXT)")
        n, t0 = 0, time.perf_counter()
        while time.perf_counter() - t0 < seconds:
            with conn.transaction():
                conn.execute("INSERT INTO bench_commits(doc) VALUES(%s)", ("x" * 400,))
            n += 1
        rate = n / (time.perf_counter() - t0)
        conn.execute("DROP TABLE bench_commits")
    return rate


async def client_main(
    init_base: str, agent_bases: list[str], admin_key: str, name: str, key: str, args: tuple, start_at: float
) -> tuple[int, float, float]:
    """run.py's closed loop with the initiator on one replica and the agent listening on
    `agent_bases` (one stream on each; each stream's deliveries are answered on its replica)."""
    concurrency, duration, ack = args
    init = urlparse(init_base)
    pool = Pool(init.hostname, init.port, concurrency * 2 + 2)
    admin = {"x-api-key": admin_key}
    stop = asyncio.Event()
    listeners = []
    for base in agent_bases:
        agent = urlparse(base)
        agent_pool = Pool(agent.hostname, agent.port, concurrency + 2)
        listeners.append(
            asyncio.ensure_future(agent_loop(agent.hostname, agent.port, name, key, agent_pool, ack, stop))
        )
    await asyncio.sleep(max(0.0, start_at - time.time()))
    done, t_start = 0, time.perf_counter()
    deadline = t_start + duration

    async def loop() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await run_cycle(pool, init.hostname, init.port, admin, name)
            done += 1

    cpu0 = time.process_time()
    await asyncio.gather(*(loop() for _ in range(concurrency)))
    elapsed = time.perf_counter() - t_start
    stop.set()
    for listener in listeners:
        listener.cancel()
    return done, elapsed, time.process_time() - cpu0


def client_proc(a: tuple) -> tuple[int, float, float]:
    return in_process(client_main(*a))


def process_cpu(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += sum(server_cpu(pid))
        except OSError:  # (a backend that ended meanwhile)
            pass
    return total


def postgres_pids(url: str, dbname: str) -> tuple[list[int], list[int]]:
    """(backends of `dbname`, every other postgres process) by pid."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        ours = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (dbname,))]
    others = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit() and int(p.name) not in ours:
            try:
                if (p / "comm").read_text().strip() == "postgres":
                    others.append(int(p.name))
            except OSError:
                pass
    return ours, others


class Setup:
    """`replicas` servers on one store (SQLite: one; PostgreSQL: a fresh database), with one agent per client."""

    def __init__(
        self, stack: ExitStack, data: Path, database: str | None, replicas: int, clients: int
    ) -> None:
        from helpers import Api, start_server

        env = {"AXME_DATABASE_URL": database} if database else {}
        self.servers = []
        for _ in range(replicas):
            srv = start_server(data, env=env)
            stack.callback(srv.stop)
            self.servers.append(srv)
        self.admin_key = self.servers[0].admin_key
        api = Api(self.servers[0].base_url, self.admin_key)
        agents = [api.register_agent(f"bench-{i}") for i in range(clients)]
        self.keys = [(address.rsplit("/", 1)[1], agent.key) for address, agent in agents]

    def run(
        self, procs: Any, args: argparse.Namespace, pg: tuple[str, str] | None, both: bool = False
    ) -> dict[str, Any]:
        """`both`: every agent listens on every replica; else client i's agent on replica (i // 2) % n."""
        n = len(self.servers)
        start_at = time.time() + 1.5
        jobs = [
            (
                self.servers[i % n].base_url,
                [s.base_url for s in self.servers] if both else [self.servers[(i // 2) % n].base_url],
                self.admin_key,
                *self.keys[i],
                (args.concurrency, args.duration, True),
                start_at,
            )
            for i in range(args.clients)
        ]
        pids = [s.proc.pid for s in self.servers]
        before = [process_cpu([p]) for p in pids]
        backends, others = postgres_pids(*pg) if pg else ([], [])
        backends_before = {p: process_cpu([p]) for p in backends}
        others_before = process_cpu(others)
        try:
            results = procs.map(client_proc, jobs)
        except AssertionError:  # a server answered an error: say what its log says
            for srv in self.servers:
                print(f"--- {srv.base_url} log (last 3000 bytes):", file=sys.stderr)
                print(srv.stderr_path.read_text(errors="replace")[-3000:], file=sys.stderr)
            raise
        out = {
            "rate": sum(r[0] for r in results) / max(r[1] for r in results),
            "replicas": [process_cpu([p]) - b for p, b in zip(pids, before)],
            "clients": sum(r[2] for r in results),
            "elapsed": max(r[1] for r in results),
        }
        if pg:  # (a backend opened during the run counts from 0; one closed meanwhile is lost)
            backends_now, _ = postgres_pids(*pg)
            out["pg_backends"] = sum(process_cpu([p]) - backends_before.get(p, 0.0) for p in backends_now)
            out["pg_other"] = process_cpu(others) - others_before
        return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--clients", type=int, default=4, help="client processes (each with its agent)")
    ap.add_argument("--concurrency", type=int, default=4, help="in-flight cycles per client process")
    ap.add_argument("--duration", type=float, default=6.0, help="seconds per configuration and round")
    ap.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="the configurations run in turn this many times (the median is reported): other load on "
        "the machine then hits all of them alike",
    )
    args = ap.parse_args()
    if os.environ.get("AXME_TEST_POSTGRES") == "0":
        print("bench replicas: SKIPPED (AXME_TEST_POSTGRES=0: no PostgreSQL on this machine)")
        return
    admin_url = os.environ.get("AXME_TEST_POSTGRES_URL") or ADMIN_URL
    figures: dict[str, list[dict[str, Any]]] = {}
    commits: list[float] = []
    with ExitStack() as stack, mp.get_context("fork").Pool(args.clients) as procs:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="axme-bench-replicas-")))
        for n in range(args.rounds):
            one, two = new_database(stack, admin_url), new_database(stack, admin_url)
            commits.append(pg_commits(one[0]))
            print(f"round {n + 1}: raw PostgreSQL commits/s {commits[-1]:.0f}", end="", flush=True)
            three = new_database(stack, admin_url)
            plan = [
                (SQLITE, None, 1, False),
                (ONE, one, 1, False),
                (TWO, two, 2, False),
                (TWO_BOTH, three, 2, True),
            ]
            for label, database, replicas, both in plan:
                with ExitStack() as servers:
                    data = tmp / f"{label.split(',')[0].replace(' ', '')}-{uuid.uuid4().hex[:6]}"
                    setup = Setup(servers, data, database[0] if database else None, replicas, args.clients)
                    got = setup.run(procs, args, (admin_url, database[1]) if database else None, both)
                figures.setdefault(label, []).append(got)
                print(f"; {label} {got['rate']:.0f} cycles/s", end="", flush=True)
            print()
    report({label: median_run(runs) for label, runs in figures.items()}, statistics.median(commits), args)


def new_database(stack: ExitStack, admin_url: str) -> tuple[str, str]:
    """A fresh database (its URL and name), dropped when `stack` closes."""
    import psycopg

    dbname = f"axme_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'CREATE DATABASE "{dbname}"')
    stack.callback(_drop, admin_url, dbname)
    return f"{admin_url.rpartition('/')[0]}/{dbname}", dbname


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median rate (its CPU figures belong to it)."""
    return sorted(runs, key=lambda r: r["rate"])[len(runs) // 2]


def _drop(admin_url: str, dbname: str) -> None:
    from pg.databases import drop_database

    drop_database(admin_url, dbname)


def report(figures: dict[str, dict[str, Any]], commits: float, args: argparse.Namespace) -> None:
    sqlite, one = figures[SQLITE]["rate"], figures[ONE]["rate"]
    print(
        f"\nreplicas (issue 14): {args.clients} client processes x {args.concurrency} cycles in flight, "
        f"{args.duration:g} s each, median of {args.rounds} rounds, on {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    head = (
        "configuration",
        "cycles/s",
        "x SQLite",
        "x raw PG commits/s",
        "CPU s: replicas",
        "PG backends",
        "PG other",
        "clients",
    )
    rows = [head]
    for label, f in figures.items():
        rows.append(
            (
                label,
                f"{f['rate']:.0f}",
                f"{f['rate'] / sqlite:.2f}",
                f"{f['rate'] / commits:.3f}",
                " + ".join(f"{c:.1f}" for c in f["replicas"]),
                f"{f['pg_backends']:.1f}" if "pg_backends" in f else "-",
                f"{f['pg_other']:.1f}" if "pg_other" in f else "-",
                f"{f['clients']:.1f}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        print("    " + "  ".join(c.ljust(w) for c, w in zip(r, widths)))
    print(f"    raw PostgreSQL commits/s (median): {commits:.0f}")
    for label in (TWO, TWO_BOTH):
        ratio = figures[label]["rate"] / one
        verdict = "MET" if ratio >= TARGET_TWO_OVER_ONE else "NOT MET"
        print(f"issue-14 bar, {label}: {verdict}: >= {TARGET_TWO_OVER_ONE} x 1 replica ({ratio:.2f})")


if __name__ == "__main__":
    main()
