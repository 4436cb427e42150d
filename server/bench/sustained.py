"""Sustained closed loop (`run.py --seconds N`): the same approval cycle as (b),
run for N seconds with the first `--client` kind (raw unless named); prints cycles/s per
interval (default a minute) with the server's timer heap (entries, and live timers when the
server exports `axme_timers_live`), RSS and CPU per cycle sampled at the end of each, then
the last interval's rate as a ratio to the first's (issue 16: >= 0.95).

The same-run baseline of the machine itself: a canary process times a fixed piece of
Python work (its own CPU time) once a second. On a shared VM the same work's CPU time
changes from minute to minute, and the server's and the clients' CPU per cycle move with
it; the canary's median per interval says how much of a change between two minutes is the
machine's."""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

from closedloop import proc_args, proc_for
from run import client_kinds

SAMPLE_EVERY = 2.0  # seconds between /metrics samples
CANARY_EVERY = 1.0  # seconds between the canary's timings


def canary_work() -> float:
    """CPU seconds this process spends on a fixed mix of JSON, dicts and strings (~10 ms)."""
    doc = {f"k{i}": {"a": i, "b": "x" * 20, "c": [1, 2, 3]} for i in range(60)}
    t = time.process_time()
    for _ in range(100):
        json.loads(json.dumps(doc))
        {str(i): i for i in range(300)}
    return time.process_time() - t


def canary(seconds: float, start_at: float) -> list[tuple[float, float]]:
    """(wall time, CPU ms of canary_work) once a second for the run."""
    time.sleep(max(0.0, start_at - time.time()))
    out: list[tuple[float, float]] = []
    while time.time() < start_at + seconds:
        out.append((time.time(), canary_work() * 1e3))
        time.sleep(CANARY_EVERY)
    return out


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def gauge(text: str, name: str) -> int:
    m = re.search(rf"^{name} (\d+)$", text, re.MULTILINE)
    return int(m.group(1)) if m else -1


def sustained(args, ack: bool) -> None:
    from helpers import Api, start_server
    from run import server_cpu

    kind = client_kinds(args.client)[0]
    with tempfile.TemporaryDirectory() as data:
        srv = start_server(Path(data), "--http-server", args.http_server)
        try:
            api = Api(srv.base_url, srv.admin_key)
            keys = [
                (a.rsplit("/", 1)[1], cli.key)
                for a, cli in (api.register_agent(f"bench-{i}") for i in range(args.clients))
            ]
            print(
                f"axme-server sustained bench ({kind} clients): {os.cpu_count()} cores, "
                f"{args.clients} client processes x "
                f"{args.concurrency} in flight for {args.seconds:.0f} s, intervals of {args.interval:.0f} s, "
                f"load average before start {os.getloadavg()[0]:.1f}"
            )
            # (time, heap entries, live timers or -1, rss MB, server cpu s)
            samples: list[tuple[float, int, int, float, float]] = []
            stop = threading.Event()

            def sample() -> None:
                while True:
                    text = api.get("/metrics").text
                    heap, live = gauge(text, "axme_timers_pending"), gauge(text, "axme_timers_live")
                    samples.append(
                        (time.time(), heap, live, rss_mb(srv.proc.pid), sum(server_cpu(srv.proc.pid)))
                    )
                    if stop.wait(SAMPLE_EVERY):
                        return

            sampler = threading.Thread(target=sample, daemon=True)
            start_at = time.time() + 1.5
            with mp.get_context("spawn").Pool(args.clients + 1) as procs:
                sampler.start()
                fn, extra = proc_for(kind)
                timings = procs.apply_async(canary, (args.seconds, start_at))
                res = procs.map(fn, proc_args(srv, keys, args, args.seconds, 10**9, ack, start_at, extra))
                machine = timings.get()
            stop.set()
            sampler.join()
        finally:
            srv.stop()
    finished = sorted(t for r in res for t in r[4])
    rates, canary_ms = report(finished, samples, machine, start_at, args.interval, args.seconds)
    if len(rates) >= 2:
        ratio = rates[-1] / rates[0]
        print(
            f"the canary's CPU for the same work, last interval / first: "
            f"{canary_ms[-1] / canary_ms[0]:.3f} (above 1: the machine itself was slower at the end)"
        )
        print(
            f"last interval / first interval: {rates[-1]:.0f} / {rates[0]:.0f} cycles/s = {ratio:.3f} "
            f"({'MET' if ratio >= 0.95 else 'NOT MET'}: >= 0.95); peak timer heap "
            f"{max(s[1] for s in samples)} entries, "
            + (
                f"peak live timers {max(s[2] for s in samples)}"
                if max(s[2] for s in samples) >= 0
                else "live timers not exported by this server (no axme_timers_live gauge)"
            )
            + f", with {args.clients * args.concurrency} cycles in flight"
        )


def report(
    finished: list[float],
    samples: list[tuple[float, int, int, float, float]],
    machine: list[tuple[float, float]],
    start: float,
    interval: float,
    seconds: float,
) -> tuple[list[float], list[float]]:
    """Prints a row per interval; returns its cycles/s and the canary's median ms."""
    rates: list[float] = []
    canary_ms: list[float] = []
    cpu_prev = next((s[4] for s in samples), 0.0)
    print(
        f"{'interval':>10}  {'cycles/s':>9}  {'heap entries':>12}  {'live timers':>11}  {'RSS MB':>7}  "
        f"{'server us/cycle':>15}  {'canary ms':>9}"
    )
    t = start
    i = 0
    while t + interval <= start + seconds + 1e-6:
        end = t + interval
        count = 0
        while i < len(finished) and finished[i] < end:
            count += 1
            i += 1
        at_end = [s for s in samples if s[0] <= end] or samples[:1]
        heap, live, rss, cpu = at_end[-1][1:] if at_end else (-1, -1, 0.0, cpu_prev)
        rates.append(count / interval)
        canary_ms.append(statistics.median([ms for at, ms in machine if t <= at < end] or [float("nan")]))
        print(
            f"{t - start:>4.0f}-{end - start:<4.0f}s  {count / interval:>9.0f}  {heap:>12}  "
            f"{live if live >= 0 else 'n/a':>11}  {rss:>7.0f}  {(cpu - cpu_prev) * 1e6 / max(count, 1):>15.0f}"
            f"  {canary_ms[-1]:>9.1f}"
        )
        cpu_prev, t = cpu, end
    return rates, canary_ms
