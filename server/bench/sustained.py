"""Sustained closed loop (`run.py --seconds N`): the same approval cycle as (b),
run for N seconds with the first `--client` kind (raw unless named); prints cycles/s per
interval (default a minute) with the server's timer heap (entries, and live timers when the
server exports `axme_timers_live`), RSS and CPU per cycle sampled at the end of each, then
the last interval's rate as a ratio to the first's (issue 16: >= 0.95)."""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import tempfile
import threading
import time
from pathlib import Path

from closedloop import proc_args, proc_for
from run import client_kinds

SAMPLE_EVERY = 2.0  # seconds between /metrics samples


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
            with mp.get_context("spawn").Pool(args.clients) as procs:
                sampler.start()
                fn, extra = proc_for(kind)
                res = procs.map(fn, proc_args(srv, keys, args, args.seconds, 10**9, ack, start_at, extra))
            stop.set()
            sampler.join()
        finally:
            srv.stop()
    finished = sorted(t for r in res for t in r[4])
    rates = report(finished, samples, start_at, args.interval, args.seconds)
    if len(rates) >= 2:
        ratio = rates[-1] / rates[0]
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
    start: float,
    interval: float,
    seconds: float,
) -> list[float]:
    rates: list[float] = []
    cpu_prev = next((s[4] for s in samples), 0.0)
    print(
        f"{'interval':>10}  {'cycles/s':>9}  {'heap entries':>12}  {'live timers':>11}  {'RSS MB':>7}  "
        f"{'server us/cycle':>15}"
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
        print(
            f"{t - start:>4.0f}-{end - start:<4.0f}s  {count / interval:>9.0f}  {heap:>12}  "
            f"{live if live >= 0 else 'n/a':>11}  {rss:>7.0f}  {(cpu - cpu_prev) * 1e6 / max(count, 1):>15.0f}"
        )
        cpu_prev, t = cpu, end
    return rates
