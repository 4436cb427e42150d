"""Console pages at scale (issue 19: a page at 100k intents renders in under 100 ms): signs in
with the admin key and times the console's list, search, intent and inbox pages, as `measure`
times the API lists. Client-side time bounds the server's time from above."""

from __future__ import annotations

import time
from typing import Any

import httpx


def measure_console(base_url: str, admin_key: str, repeat: int, pcts: Any) -> list[tuple[str, float, float]]:
    client = httpx.Client(base_url=base_url, timeout=30)
    assert client.post("/console/sign-in", data={"api_key": admin_key}).status_code == 303
    newest = httpx.get(base_url + "/v1/intents?limit=1", headers={"x-api-key": admin_key}).json()["intents"][
        0
    ]
    paths = [
        ("console list", "/console/intents"),
        ("console status=WAITING", "/console/intents?status=WAITING"),
        ("console search corr. id", f"/console/intents?q={newest['correlation_id']}"),
        ("console one intent", f"/console/intents/{newest['intent_id']}"),
        ("console inbox (admin)", "/console/inbox"),
    ]
    out = []
    for name, path in paths:
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            resp = client.get(path)
            times.append(time.perf_counter() - t)
            assert resp.status_code == 200, (path, resp.text[:200])
        p50, p99 = pcts(times)
        out.append((name, p50 * 1000, p99 * 1000))
    client.close()
    return out
