"""(b) closed loop for each kind of client in one run, and the table that compares them.

Kinds: raw (rawhttp.py: the cheapest client, what the server alone can do), raw-keyed (the
same with the Idempotency-Key and X-Trace-Id the SDKs send on every POST: the server's cost
of those), sdk (the
Python SDK as users write it, sdkclient.py, with the HTTP library `AsyncAxmeClient(config)`
picks), sdk-aiohttp / sdk-httpx (the SDK with that library passed as `http_client`), and
httpx / aiohttp (the SDK's calls with the plain library, httpxclient.py: the baselines of
the SDK's client CPU per call; issue 16's target is against plain httpx). Every kind makes the same 5 calls per cycle: create, one intent stream (the
decision is sent when the task is assigned; the stream ends after the terminal event),
the decision, and the agent's ack and resume."""

from __future__ import annotations

import time
from dataclasses import dataclass


@dataclass
class LoopResult:
    kind: str
    cycles: int
    elapsed: float
    requests: int
    client_cpu: float
    server_cpu: float
    server_user: float
    server_sys: float
    threads: dict[str, float]
    latencies: list[float]

    def __add__(self, other: LoopResult) -> LoopResult:
        """Two runs of the same kind as one (cycles and times summed)."""
        return LoopResult(
            self.kind,
            self.cycles + other.cycles,
            self.elapsed + other.elapsed,
            self.requests + other.requests,
            self.client_cpu + other.client_cpu,
            self.server_cpu + other.server_cpu,
            self.server_user + other.server_user,
            self.server_sys + other.server_sys,
            {
                k: self.threads.get(k, 0.0) + other.threads.get(k, 0.0)
                for k in {*self.threads, *other.threads}
            },
            self.latencies + other.latencies,
        )

    @property
    def rate(self) -> float:
        return self.cycles / self.elapsed

    @property
    def calls_per_cycle(self) -> float:
        return self.requests / max(self.cycles, 1)

    @property
    def client_us_per_call(self) -> float:
        return self.client_cpu * 1e6 / max(self.requests, 1)

    @property
    def server_us_per_cycle(self) -> float:
        return self.server_cpu * 1e6 / max(self.cycles, 1)


def proc_for(kind: str):
    """The per-process closed loop of a kind, and the extra argument it takes."""
    if kind.startswith("sdk"):
        from sdkclient import sdk_client_proc

        return sdk_client_proc, (kind.partition("-")[2] or "default",)
    if kind in ("httpx", "aiohttp"):
        from httpxclient import plain_client_proc

        return plain_client_proc, (kind,)
    from run import client_proc

    return client_proc, ("keyed",) if kind == "raw-keyed" else ()


def proc_args(srv, keys, args, duration: float, max_cycles: int, ack: bool, start_at: float, extra: tuple):
    """One argument tuple per client process (its own agent), as the *_client_main take them."""
    return [
        (
            srv.base_url,
            srv.admin_key,
            keys[i][0],
            keys[i][1],
            args.concurrency,
            duration,
            max_cycles,
            ack,
            start_at,
            *extra,
        )
        for i in range(args.clients)
    ]


def interleaved(procs, srv, api, keys, kinds: list[str], args, ack: bool) -> list[LoopResult]:
    """Each kind for half of --duration in order, then the other half in reverse order, summed:
    other processes' load drifts during a run, and this way no kind gets only its start or end."""
    half = args.duration / 2
    first = [closed_loop(procs, srv, api, keys, kind, args, ack, half) for kind in kinds]
    second = [closed_loop(procs, srv, api, keys, kind, args, ack, half) for kind in reversed(kinds)]
    return [a + b for a, b in zip(first, reversed(second))]


def closed_loop(procs, srv, api, keys, kind: str, args, ack: bool, duration: float) -> LoopResult:
    """One closed-loop run of `kind` on the running server; server CPU and requests from
    /proc and /metrics around it."""
    from run import http_requests, server_cpu, thread_cpu

    fn, extra = proc_for(kind)
    start_at = time.time() + 1.0
    cpu_before = server_cpu(srv.proc.pid)
    threads_before = thread_cpu(srv.proc.pid)
    requests_before = http_requests(api)
    res = procs.map(fn, proc_args(srv, keys, args, duration, args.max_cycles, ack, start_at, extra))
    cpu_after = server_cpu(srv.proc.pid)
    threads = {k: v - threads_before.get(k, 0.0) for k, v in thread_cpu(srv.proc.pid).items()}
    user_s, sys_s = cpu_after[0] - cpu_before[0], cpu_after[1] - cpu_before[1]
    return LoopResult(
        kind=kind,
        cycles=sum(r[0] for r in res),
        elapsed=max(r[2] for r in res),
        requests=http_requests(api) - requests_before - 1,  # less the /metrics read before
        client_cpu=sum(r[3] for r in res),
        server_cpu=user_s + sys_s,
        server_user=user_s,
        server_sys=sys_s,
        threads=threads,
        latencies=[x for r in res for x in r[1]],
    )


LABELS = {
    "raw": "raw HTTP (rawhttp.py)",
    "raw-keyed": "raw HTTP + Idempotency-Key, X-Trace-Id",
    "sdk": "Python SDK, AsyncAxmeClient(config)",
    "sdk-aiohttp": "Python SDK, http_client=AiohttpTransport()",
    "sdk-httpx": "Python SDK, http_client=httpx.AsyncClient()",
    "httpx": "plain httpx, same calls",
    "aiohttp": "plain aiohttp, same calls",
}

TARGET_SDK_RATIO = 0.7  # issue 16: SDK closed loop >= 0.7 x raw
TARGET_CPU_RATIO = 1.2  # issue 16: SDK client CPU per call <= 1.2 x plain httpx


def compare(results: list[LoopResult], sdk_default: str) -> list[tuple[str, str, str, str]]:
    """Print the side-by-side table; return summary rows (figure, measured, baseline, ratio)."""
    from run import pct

    by = {r.kind: r for r in results}
    print(
        f"\n(b) closed loop side by side (same server, same run; `AsyncAxmeClient(config)` "
        f"uses {sdk_default})"
    )
    head = ("client", "cycles/s", "calls/cycle", "client CPU/call", "server CPU/cycle", "p50", "p99")
    rows = [
        (
            LABELS.get(r.kind, r.kind),
            f"{r.rate:.0f}",
            f"{r.calls_per_cycle:.2f}",
            f"{r.client_us_per_call:.0f} us",
            f"{r.server_us_per_cycle:.0f} us",
            f"{pct(r.latencies, 50) * 1000:.1f} ms",
            f"{pct(r.latencies, 99) * 1000:.1f} ms",
        )
        for r in results
    ]
    widths = [max(len(x[i]) for x in [head, *rows]) for i in range(len(head))]
    for row in [head, *rows]:
        print("    " + "  ".join(c.ljust(w) for c, w in zip(row, widths)))
    out: list[tuple[str, str, str, str]] = []
    raw, plain, plain_aiohttp = by.get("raw"), by.get("httpx"), by.get("aiohttp")
    keyed = by.get("raw-keyed")
    if raw and keyed:
        out.append(
            (
                "(b) server CPU per cycle, keyed POSTs",
                f"{keyed.server_us_per_cycle:.0f} us",
                f"raw HTTP without keys {raw.server_us_per_cycle:.0f} us",
                f"{keyed.server_us_per_cycle / raw.server_us_per_cycle:.2f}x",
            )
        )
    for kind in ("sdk", "sdk-aiohttp", "sdk-httpx"):
        sdk = by.get(kind)
        if sdk is None:
            continue
        name = f"{kind} ({sdk_default})" if kind == "sdk" else kind
        if raw:
            ratio = sdk.rate / raw.rate
            out.append(
                (f"(b) {name} cycles/s", f"{sdk.rate:.0f}/s", f"raw HTTP {raw.rate:.0f}/s", f"{ratio:.2f}x")
            )
            out.append(
                (
                    f"(b) {name} HTTP calls per cycle",
                    f"{sdk.calls_per_cycle:.2f}",
                    f"raw HTTP {raw.calls_per_cycle:.2f}",
                    f"{sdk.calls_per_cycle / raw.calls_per_cycle:.2f}x",
                )
            )
            if keyed:  # the same server work: what the client library alone costs
                out.append(
                    (
                        f"(b) {name} cycles/s vs keyed raw",
                        f"{sdk.rate:.0f}/s",
                        f"raw HTTP + keys {keyed.rate:.0f}/s",
                        f"{sdk.rate / keyed.rate:.2f}x",
                    )
                )
            verdict = "MET" if ratio >= TARGET_SDK_RATIO else "NOT MET"
            print(f"    {name}: {verdict}: cycles/s >= {TARGET_SDK_RATIO} x raw ({ratio:.2f})")
        if plain:
            ratio = sdk.client_us_per_call / plain.client_us_per_call
            out.append(
                (
                    f"(b) {name} client CPU per call",
                    f"{sdk.client_us_per_call:.0f} us",
                    f"plain httpx {plain.client_us_per_call:.0f} us",
                    f"{ratio:.2f}x",
                )
            )
            verdict = "MET" if ratio <= TARGET_CPU_RATIO else "NOT MET"
            print(
                f"    {name}: {verdict}: client CPU per call <= {TARGET_CPU_RATIO} x plain httpx ({ratio:.2f})"
            )
        library = sdk_default if kind == "sdk" else kind.partition("-")[2]
        if plain_aiohttp and library == "aiohttp":  # the SDK's own cost over the library it uses
            out.append(
                (
                    f"(b) {name} client CPU per call",
                    f"{sdk.client_us_per_call:.0f} us",
                    f"plain aiohttp {plain_aiohttp.client_us_per_call:.0f} us",
                    f"{sdk.client_us_per_call / plain_aiohttp.client_us_per_call:.2f}x",
                )
            )
    return out
