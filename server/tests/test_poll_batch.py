"""A long poll that finds a backlog answers with every lease it claimed (REQ-DELIVERY-*), also
when those leases commit in several writer batches: on PostgreSQL a poll on one replica that
leases intents another replica created reads each one first, and the writer commits the leases
one by one. None may be handed back as consumer_gone (issue 14: a flake of the conformance
matrix on PostgreSQL; the wait for the claimed leases returned at once once one was buffered).

Once B has the agent's lane (round 1 on), an intent made on A reaches it by A's notification,
which may arrive just after B answered a poll: that intent comes with the next poll. So a
round polls until it has all 4, and each must have been leased exactly once."""

from __future__ import annotations

from pathlib import Path

from helpers import Api, start_server
from pg.databases import fresh_database


def test_a_poll_answers_every_lease_it_claimed(tmp_path: Path) -> None:
    with fresh_database() as url:
        env = {"AXME_DATABASE_URL": url}
        a = start_server(tmp_path / "data", env=env)
        b = start_server(tmp_path / "data", env=env)
        try:
            on_a, on_b = Api(a.base_url, a.admin_key), Api(b.base_url, a.admin_key)
            address, agent = on_a.register_agent("backlog")
            name = address.rsplit("/", 1)[1]
            agent_on_b = Api(b.base_url, agent.key)
            for round_ in range(5):
                made = [on_a.create(address) for _ in range(4)]  # made on A: B's cache is cold
                got: list[str] = []
                for _ in range(3):  # each poll waits up to 5 s for the first delivery
                    body = agent_on_b.ok(
                        agent_on_b.get(f"/v1/agents/{name}/intents", params={"wait_seconds": 5, "limit": 10})
                    )
                    got += [d["intent_id"] for d in body["deliveries"]]
                    if round_ == 0 or len(got) >= len(made):  # a cold lane reads all 4 from the store
                        break
                assert sorted(got) == sorted(made), f"round {round_}: {len(got)} of {len(made)}"
                for iid in made:  # leased once each: nothing was handed back
                    kinds = [e["event_type"] for e in on_b.events(iid)]
                    assert kinds == ["intent.submitted", "intent.delivered"], kinds
                    agent_on_b.ok(agent_on_b.complete(iid, {}))
        finally:
            assert a.stop() == 0 and b.stop() == 0
