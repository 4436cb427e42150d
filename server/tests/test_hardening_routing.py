"""Routing picks the most specific template (issue 15 item 14, REQ-API-016): a path that also
matches the catch-all `{address}` form answers for its own operation, and 405's Allow lists the
methods of that path only."""

from __future__ import annotations

from helpers import Api


def test_sub_resources_route_to_their_own_operation(api: Api) -> None:
    address, _ = api.register_agent("a1")
    keys = api.get("/v1/agents/a1/keys")
    assert keys.status_code == 200 and "keys" in keys.json(), keys.text
    resp = api.http.put("/v1/agents/a1/keys", headers=api.headers())
    assert resp.status_code == 405
    assert resp.headers["allow"] == "GET, POST"
    assert resp.json()["error"]["details"]["allowed"] == ["GET", "POST"]
    resp = api.http.post("/v1/agents/a1/intents/stream", headers=api.headers())
    assert resp.status_code == 405 and resp.headers["allow"] == "GET"
    resp = api.http.put(f"/v1/agents/{address}", headers=api.headers())
    assert resp.status_code == 405 and resp.headers["allow"] == "DELETE, GET"
