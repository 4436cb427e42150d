"""The scale bench's seeder writes real intents through the store: after a
restart the server lists them by status, offers the seeded SUBMITTED ones to
their agent (lanes rebuilt from the store) and loads none of the far deadlines."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from helpers import Api, start_server

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))

from scale import make_templates, seed


def count(api: Api, **params: str) -> int:
    n, cursor = 0, None
    while True:
        page = api.ok(
            api.get("/v1/intents", params={**params, "limit": 100, **({"cursor": cursor} if cursor else {})})
        )
        n += len(page["intents"])
        cursor = page.get("next_cursor")
        if not cursor:
            return n


def test_seeded_intents_are_served(tmp_path) -> None:
    data = tmp_path / "seeded"
    srv = start_server(data, "--testing")
    api = Api(srv.base_url, srv.admin_key)
    templates = make_templates(api)
    srv.stop()
    seed(data / "axme.db", templates, 400)
    srv = start_server(data, "--testing")
    try:
        api = Api(srv.base_url, api.key)
        submitted, waiting = count(api, status="SUBMITTED"), count(api, status="WAITING")
        completed = count(api, status="COMPLETED")
        assert submitted + waiting + completed == 403 and min(submitted, waiting, completed) > 1
        metrics = api.get("/metrics").text
        assert re.search(r"^axme_timers_pending 0$", metrics, re.MULTILINE)  # deadlines >= 1 h out
        assert re.search(r"^axme_active_intents_cached 0$", metrics, re.MULTILINE)
        key = api.ok(api.post("/v1/agents/seed-idle/keys", {}))["api_key"]
        agent = api.with_key(key)
        got: set[str] = set()
        while len(got) < submitted:
            got |= {d["intent_id"] for d in agent.poll("seed-idle", limit=100)}
        assert len(got) == submitted
    finally:
        srv.stop()
