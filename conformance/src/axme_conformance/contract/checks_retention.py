"""Contract check: retention of terminal intents when it is configured (REQ-LIFECYCLE-015),
on a reference server of its own started with --retain-intents-days 1 and --testing (its
clock moves the intents' age)."""

from __future__ import annotations

import time

from axme_conformance.contract.client import ContractClient, expect
from axme_conformance.contract.private import private_server
from axme_conformance.contract.registry import check

DAY = 86400


def _advance(c: ContractClient, seconds: float) -> None:
    c.ok(c.request("POST", "/_testing/clock", key=None, body={"advance_seconds": seconds}))


@check(
    "lifecycle/retention-deletes-terminal-intents-when-configured",
    requirements=["REQ-LIFECYCLE-015"],
)
def retention(c: ContractClient) -> None:
    with private_server(
        c, "--retain-intents-days", "1", "--retention-interval-seconds", "0.1", testing=True
    ) as s:
        address, _ = s.new_agent()
        ended, active = s.new_intent(address), s.new_intent(address)
        s.ok(s.request("POST", f"/v1/intents/{ended}/resolve", body={"status": "CANCELED"}))
        _advance(s, DAY / 2)
        time.sleep(0.3)  # a few retention passes
        expect(s.intent(ended)["status"] == "CANCELED", "deleted before its retention window")
        _advance(s, DAY)
        deadline = time.monotonic() + 2
        while s.request("GET", f"/v1/intents/{ended}").status_code != 404:
            expect(time.monotonic() < deadline, "a terminal intent past its window still there")
            time.sleep(0.05)
        s.not_found(s.request("GET", f"/v1/intents/{ended}"))
        s.not_found(s.request("GET", f"/v1/intents/{ended}/events"))
        s.not_found(s.request("GET", f"/v1/intents/{ended}/audit"))
        listed = [i["intent_id"] for i in s.ok(s.request("GET", "/v1/intents"))["intents"]]
        expect(ended not in listed, "a deleted intent is still listed")
        expect(
            s.intent(active)["status"] not in ("CANCELED", "COMPLETED", "FAILED"),
            "the active intent changed",
        )
        expect(active in listed, "an active intent is never deleted")
