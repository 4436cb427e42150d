"""JSON limits and fidelity (REQ-LIMIT-004, -009, -010): nesting depth refused at the door,
strict timestamps, integers beyond 2^53 stored and returned exactly."""

from __future__ import annotations

import pytest
from helpers import Api


def nested(depth: int) -> object:
    value: object = "leaf"
    for _ in range(depth - 1):
        value = {"n": value}
    return value


def raw_post(api: Api, path: str, text: str):  # type: ignore[no-untyped-def]
    return api.post(path, content=text.encode(), headers={"content-type": "application/json"})


@pytest.mark.parametrize("levels", [66, 256, 300, 1100, 5000])
def test_too_deep_bodies_are_400_never_500(api: Api, levels: int) -> None:
    address, _ = api.register_agent(f"deep-{levels}")
    # payload at depth 2 inside the body: body depth = levels + 1
    payload = '{"n":' * (levels - 1) + '"leaf"' + "}" * (levels - 1)
    text = f'{{"intent_type":"intent.t.deep.v1","to_agent":"{address}","payload":{payload}}}'
    resp = raw_post(api, "/v1/intents", text)
    assert resp.status_code == 400, resp.text[:300]
    err = resp.json()["error"]
    assert err["code"] == "invalid_json"
    if levels < 1024:
        assert err["details"] == {"limit_depth": 64}


def test_the_deepest_allowed_payload_round_trips(api: Api) -> None:
    """Body depth 64 (payload 63): stored, read back, listed and delivered intact."""
    address, agent = api.register_agent("deep-ok")
    payload = nested(63)
    intent_id = api.create(address, payload=payload)
    assert api.intent(intent_id)["payload"] == payload
    assert api.ok(api.get("/v1/intents"))["intents"][0]["intent_id"] == intent_id
    assert agent.poll_one(address, wait=2)["intent"]["payload"] == payload


def test_integers_beyond_2_53_round_trip_exactly(api: Api) -> None:
    address, agent = api.register_agent("bigint")
    text = (
        '{"intent_type":"intent.t.big.v1","to_agent":"' + address + '","payload":{"u64":18446744073709551615,'
        '"two64":18446744073709551616,"neg":-9223372036854775809,"huge":123456789012345678901234567890,'
        '"f":1.5,"s":"12345678901234567890"}}'
    )
    resp = raw_post(api, "/v1/intents", text)
    assert resp.status_code == 200, resp.text
    intent_id = resp.json()["intent_id"]
    got = api.get(f"/v1/intents/{intent_id}")
    assert b'"two64":18446744073709551616' in got.content
    assert b'"huge":123456789012345678901234567890' in got.content
    assert b'"neg":-9223372036854775809' in got.content
    assert b'"u64":18446744073709551615' in got.content
    payload = got.json()["intent"]["payload"]
    assert payload["two64"] == 2**64 and payload["f"] == 1.5 and payload["s"] == "12345678901234567890"
    delivery = agent.poll_one(address, wait=2)
    assert delivery["intent"]["payload"]["huge"] == 123456789012345678901234567890
    # the same body with the same Idempotency-Key replays (the body hash copes with big integers)
    h = {"content-type": "application/json", "Idempotency-Key": "big-1"}
    first = api.post("/v1/intents", content=text.encode(), headers=h)
    again = api.post("/v1/intents", content=text.encode(), headers=h)
    assert first.status_code == again.status_code == 200 and again.headers["idempotent-replayed"] == "true"


@pytest.mark.parametrize(
    "stamp",
    [
        "884-10-02T00:10:02.000Z",
        "10000-01-01T00:00:00.000Z",
        "0000-01-01T00:00:00Z",
        "2026-11-21",
        "2026-11-21T10:00:00",
        "20261121T100000Z",
        "2026-11-21 10:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-11-21T10:00:00.123+0100",
        "９９９９-01-01T00:00:00Z",
    ],
)
def test_timestamps_outside_rfc3339_are_422(api: Api, stamp: str) -> None:
    address, _ = api.register_agent("stamps")
    resp = api.post(
        "/v1/intents",
        {"intent_type": "intent.t.ts.v1", "to_agent": address, "payload": {}, "deadline_at": stamp},
    )
    assert resp.status_code == 422, (stamp, resp.text)
    assert resp.json()["error"]["details"]["field"] == "deadline_at"
    resp = api.post("/v1/admin/keys", {"kind": "admin", "name": "k", "expires_at": stamp})
    assert resp.status_code == 422, (stamp, resp.text)


def test_edge_years_are_accepted_and_emitted_with_four_digits(api: Api) -> None:
    resp = api.ok(
        api.post("/v1/admin/keys", {"kind": "admin", "name": "far", "expires_at": "9999-12-31T23:59:59Z"})
    )
    assert resp["key"]["expires_at"] == "9999-12-31T23:59:59.000Z"
    resp = api.ok(
        api.post("/v1/admin/keys", {"kind": "admin", "name": "old", "expires_at": "0001-01-01T00:00:00Z"})
    )
    assert resp["key"]["expires_at"] == "0001-01-01T00:00:00.000Z"
