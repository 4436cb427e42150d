"""Assertions on the wire traffic the server recorded for a scenario's namespace.

Each assertion selects the SDK's requests (the harness's own are excluded)
with ``filter`` (a pattern over the record) and then checks any of:

``count`` (int or pattern), ``all`` (every selected record matches),
``items`` (the selected records, in order, match this list), ``first``/``last``,
``same`` (these dotted fields are equal on every selected record),
``distinct`` (pairwise different), ``min_gap_ms`` (consecutive records at least
this far apart, by the server's ``at``), ``max_gap_ms``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import parse_qsl

from axme_conformance.matchers import dig, match
from axme_conformance.testing_api import is_harness_request


def sdk_requests(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if not is_harness_request(r)]


def with_params(record: dict[str, Any]) -> dict[str, Any]:
    """Add ``params``: the query as a dict of strings, whatever form ``query`` has."""
    query = record.get("query")
    if isinstance(query, dict):
        params = {str(k): v if isinstance(v, str) else str(v) for k, v in query.items()}
    else:
        params = dict(parse_qsl(str(query or "").lstrip("?"), keep_blank_values=True))
    return {**record, "params": params}


def _at(record: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(record["at"]).replace("Z", "+00:00"))


def check_traffic(assertion: dict[str, Any], records: list[dict[str, Any]]) -> list[str]:
    where = assertion.get("name") or f"traffic {assertion.get('filter', {})}"
    selected = [
        r
        for r in map(with_params, sdk_requests(records))
        if not match(assertion.get("filter", {}), r)
    ]
    problems: list[str] = []

    def fail(text: str) -> None:
        problems.append(f"{where}: {text}")

    if "count" in assertion:
        for p in match(assertion["count"], len(selected), "count"):
            fail(f"{p} (requests: {summarize(selected)})")
    if "all" in assertion:
        for i, record in enumerate(selected):
            for p in match(assertion["all"], record, f"request[{i}]"):
                fail(p)
    if "items" in assertion:
        for p in match(assertion["items"], selected, "requests"):
            fail(p)
    for edge in ("first", "last"):
        if edge in assertion:
            if not selected:
                fail(f"no request for {edge}")
            else:
                record = selected[0] if edge == "first" else selected[-1]
                for p in match(assertion[edge], record, edge):
                    fail(p)
    for field in assertion.get("same", []):
        values = [dig(r, field) for r in selected]
        if len({repr(v) for v in values}) > 1 or (values and values[0] is None):
            fail(f"{field} differs or is missing across requests: {values}")
    for field in assertion.get("distinct", []):
        values = [dig(r, field) for r in selected]
        if len({repr(v) for v in values}) != len(values) or None in values:
            fail(f"{field} not distinct across requests: {values}")
    for bound in ("min_gap_ms", "max_gap_ms"):
        if bound in assertion:
            limit = float(assertion[bound])
            for a, b in zip(selected, selected[1:], strict=False):
                gap = (_at(b) - _at(a)).total_seconds() * 1000
                if (bound == "min_gap_ms" and gap < limit) or (
                    bound == "max_gap_ms" and gap > limit
                ):
                    fail(
                        f"gap {gap:.0f} ms between requests {a.get('seq')} and "
                        f"{b.get('seq')} breaks {bound}={limit:.0f}"
                    )
    return problems


def summarize(records: list[dict[str, Any]]) -> str:
    return ", ".join(
        f"{r.get('method')} {r.get('path')}→{r.get('status')}" for r in records[:12]
    ) + (" …" if len(records) > 12 else "")


TRANSCRIPT_HEADERS = ("idempotency-key", "x-trace-id", "x-axme-client", "user-agent")
# Query parameters whose value the spec leaves to each SDK (long-poll windows).
UNCOMPARED_QUERY = frozenset({"wait_seconds"})
# The server records a request when it ends, so whether (and where) a stream that
# the SDK closed at the end of a scenario appears depends on timing. Streams are
# judged by explicit expectations (count, since, Last-Event-ID) instead.
UNCOMPARED_OPS = frozenset({"streamIntentEvents", "streamAgentDeliveries"})
# Parameters equal to the spec's default mean the same as leaving them out
# (REQ-API-017: since defaults to 0), so both spellings compare equal.
DEFAULT_PARAMS = frozenset({("since", "0")})


def transcript_view(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The part of the traffic that must be identical across SDKs.

    Header values are reduced to presence (user-agent keeps its shape),
    consecutive identical entries collapse into one (so the number of polls a
    timing-dependent loop made does not count as a difference), and stream
    connections are left out (see UNCOMPARED_OPS).
    """
    view: list[dict[str, Any]] = []
    for r in sdk_requests(records):
        if r.get("op") in UNCOMPARED_OPS:
            continue
        headers = r.get("headers") or {}
        query = {
            k: v
            for k, v in sorted(with_params(r)["params"].items())
            if k not in UNCOMPARED_QUERY and (k, v) not in DEFAULT_PARAMS
        }
        entry = {
            "request": f"{r.get('method')} {r.get('path')}",
            "query": query,
            "body": r.get("body"),
            "status": r.get("status"),
            "headers": {
                h: (headers[h] if h == "user-agent" else "<present>")
                for h in TRANSCRIPT_HEADERS
                if h in headers
            },
        }
        if not view or view[-1] != entry:
            view.append(entry)
    return view
