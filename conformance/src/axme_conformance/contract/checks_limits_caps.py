"""Contract checks: the caps a server reaches only under load (REQ-LIMIT-002, 003, 006).
Under --reference they run on a server started with small limits (server_limits.SMALL);
elsewhere against the spec's defaults, which may take up to 1,100 connections or 12 s."""

from __future__ import annotations

import re
import resource
import secrets
import selectors
import time
from contextlib import ExitStack
from urllib.parse import quote

from axme_conformance.contract.client import CheckFailed, CheckSkipped, ContractClient, expect
from axme_conformance.contract.rawhttp import RawConnection, RawResponse, request_head
from axme_conformance.contract.registry import check

# Beyond this many connections a check would be a load test, not a contract check (and
# the harness needs file descriptors for them: 64 spare for everything else).
MOST_CONNECTIONS = min(1100, resource.getrlimit(resource.RLIMIT_NOFILE)[0] - 64)


@check("limits/header-timeout-408", requirements=["REQ-LIMIT-002"], small_limits=True)
def header_timeout(c: ContractClient) -> None:
    limit = c.limits.header_timeout
    head = request_head("GET", "/health")
    first, later = RawConnection(c.base_url), RawConnection(c.base_url)
    try:
        opened = time.monotonic()
        first.send(head[:-2])  # one header line short of the end, never finished
        later.send(head)
        expect(later.response().status == 200, "a complete head is served")
        time.sleep(min(0.3, limit / 3))
        later_started = time.monotonic()
        later.send(head[:20])  # the second request's head starts, then stalls
        for conn, since, what in (
            (first, opened, "a first request"),
            (later, later_started, "a kept-alive connection's next request"),
        ):
            try:
                response = conn.response(timeout_s=limit + 2)
            except TimeoutError:
                raise CheckFailed(f"no 408 within {limit + 2:g}s for {what}") from None
            waited = time.monotonic() - since
            response.envelope(408, "request_timeout")
            expect(
                waited >= limit - 0.15,
                f"408 after {waited:.2f}s for {what}, before the {limit:g}s header timeout",
            )
            expect(conn.closed_by_server(timeout_s=1.0), f"408 must close the connection ({what})")
    finally:
        first.close()
        later.close()


@check("limits/connection-cap-503", requirements=["REQ-LIMIT-003"], small_limits=True)
def connection_cap(c: ContractClient) -> None:
    limit = c.limits.max_connections
    if limit + 8 > MOST_CONNECTIONS:
        raise CheckSkipped(f"a cap of {limit} connections is too many to open here")
    refused: list[RawResponse] = []
    with ExitStack() as stack:
        conns = [RawConnection(c.base_url, timeout_s=2.0) for _ in range(limit + 8)]
        for conn in conns:
            stack.callback(conn.close)
        # A refused connection is answered at once, before it sends anything; wait for the
        # answers, but not into the header timeout (its 408s are not refusals).
        deadline = time.monotonic() + min(2.0, 0.8 * c.limits.header_timeout)
        # selectors (epoll here), not select.select: a harness process with many files open
        # gets socket numbers beyond select()'s FD_SETSIZE of 1024.
        poller = stack.enter_context(selectors.DefaultSelector())
        for conn in conns:
            poller.register(conn.sock, selectors.EVENT_READ, conn)
        while poller.get_map() and time.monotonic() < deadline:
            ready = poller.select(0.1)
            if not ready and refused:
                break  # the refusals are in
            for key, _ in ready:
                poller.unregister(key.fileobj)
                answer = key.data.response(timeout_s=1.0)
                if answer.status != 408:
                    refused.append(answer)
        expect(bool(refused), f"{limit + 8} open connections, none refused beyond a cap of {limit}")
        for response in refused:
            response.envelope(503, "unavailable")
            expect(
                response.headers.get("retry-after") == "1",
                f"503 at the connection cap must carry Retry-After: 1: {response.headers}",
            )
    # The cap counts open connections: once they are closed the server serves again.
    deadline = time.monotonic() + 1.5
    while True:
        conn = RawConnection(c.base_url)
        try:
            conn.send(request_head("GET", "/health"))
            if conn.response(timeout_s=1.0).status == 200:
                return
        finally:
            conn.close()
        expect(time.monotonic() < deadline, "still refused 1.5 s after the connections closed")
        time.sleep(0.05)


def _open_stream(c: ContractClient, path: str, key: str) -> tuple[RawConnection, RawResponse]:
    conn = RawConnection(c.base_url)
    conn.send(
        request_head(
            "GET", f"{path}?wait_seconds=30", {"x-api-key": key, "accept": "text/event-stream"}
        )
    )
    response = conn.response(read_body=False)
    if response.status != 200:
        response = RawResponse(response.status, response.headers, conn._answer.read())
    return conn, response


def _refused_stream(response: RawResponse, limit: int) -> None:
    details = response.envelope(429, "rate_limited")
    expect(
        response.headers.get("retry-after") == "1",
        f"429 must carry Retry-After: 1: {response.headers}",
    )
    expect(
        details.get("limit_streams") == limit, f"details.limit_streams must be {limit}: {details}"
    )


def _agent_stream(c: ContractClient) -> tuple[str, str]:
    address, key = c.new_agent()
    return f"/v1/agents/{quote(address, safe='')}/intents/stream", key


@check("limits/streams-per-key-429", requirements=["REQ-LIMIT-006"], small_limits=True)
def streams_per_key(c: ContractClient) -> None:
    limit = c.limits.max_streams_per_key
    if limit + 2 > MOST_CONNECTIONS:
        raise CheckSkipped(f"{limit} streams per key are too many to open here")
    path, key = _agent_stream(c)
    other_path, other_key = _agent_stream(c)
    with ExitStack() as stack:
        for n in range(limit):
            conn, response = _open_stream(c, path, key)
            stack.callback(conn.close)
            expect(
                response.status == 200,
                f"stream {n + 1} of {limit} refused: {response.status} {response.body!r}",
            )
        conn, response = _open_stream(c, path, key)
        stack.callback(conn.close)
        _refused_stream(response, limit)
        # The cap is per key: another key still streams.
        conn, response = _open_stream(c, other_path, other_key)
        stack.callback(conn.close)
        expect(
            response.status == 200,
            f"another key's stream refused: {response.status} {response.body!r}",
        )


@check("limits/streams-total-429", requirements=["REQ-LIMIT-006"], small_limits=True)
def streams_total(c: ContractClient) -> None:
    limit, per_key = c.limits.max_streams, c.limits.max_streams_per_key
    if limit + per_key > MOST_CONNECTIONS:
        raise CheckSkipped(f"{limit} streams are too many to open here")
    opened = 0
    with ExitStack() as stack:
        # Fewer than per_key streams per key, so only the server-wide cap can refuse.
        while opened <= limit:
            path, key = _agent_stream(c)
            for _ in range(max(1, per_key - 1)):
                conn, response = _open_stream(c, path, key)
                stack.callback(conn.close)
                if response.status != 200:
                    _refused_stream(response, limit)
                    return
                opened += 1
        expect(False, f"{opened} streams open, none refused beyond the server's cap of {limit}")


def _cache_gauges(c: ContractClient) -> dict[str, int]:
    text = c.request("GET", "/metrics").text
    return {
        m.group(1): int(float(m.group(2)))
        for m in re.finditer(r'^axme_cache_entries\{cache="([^"]+)"\} (\S+)$', text, re.M)
    }


@check(
    "limits/caches-keyed-by-input-stay-bounded", requirements=["REQ-LIMIT-012"], small_limits=True
)
def bounded_caches(c: ContractClient) -> None:
    """Unknown key ids and agent addresses, each looked up once, must not grow a cache past
    its cap. Only the reference server reports its caches (axme_cache_entries in /metrics);
    another server SKIPs."""
    cap = c.limits.cache_entries
    if cap > 500:
        raise CheckSkipped(f"{cap} cache entries are too many to fill here")
    for _ in range(cap * 3):
        key = f"axme_agent_{secrets.token_hex(6)}_{secrets.token_urlsafe(24)}"
        c.error(c.request("GET", "/v1/intents", key=key), 401, "unauthorized")
        address = quote(f"agent://nobody/none/{secrets.token_hex(6)}", safe="")
        expect(c.request("GET", f"/v1/agents/{address}").status_code in (403, 404), "unknown agent")
    gauges = _cache_gauges(c)
    if not gauges:
        if c.data_dir is None:
            raise CheckSkipped("the server reports no axme_cache_entries in /metrics")
        raise CheckFailed("the reference server must report axme_cache_entries in /metrics")
    over = {name: n for name, n in gauges.items() if n > cap}
    expect(
        not over, f"caches past their cap of {cap} after {cap * 3} unknown keys/addresses: {over}"
    )
