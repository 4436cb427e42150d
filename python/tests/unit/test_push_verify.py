"""verify_delivery against the shared push vectors (conformance/vectors/push-signature.json),
plus the replay window, the tolerance and the seen-set's TTL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from axme import (
    AxmeError,
    InMemorySeenDeliveries,
    SignatureError,
    sign_delivery,
    verify_delivery,
)

REPO = Path(__file__).resolve().parents[3]
VECTORS_FILE = REPO / "conformance" / "vectors" / "push-signature.json"
VECTORS: dict[str, Any] = json.loads(VECTORS_FILE.read_text(encoding="utf-8"))
SECRET = "whsec_test_0123456789abcdef"
BODY = b'{"delivery_id":"dlv_a","intent_id":"6f1c2a7e-8a8b-4f5e-9a43-3c0d3b1e2f10"}'
T = 1_795_255_200


@pytest.mark.parametrize("vector", VECTORS["signatures"], ids=lambda v: v["name"])
def test_signature_vector(vector: dict[str, Any]) -> None:
    header = sign_delivery(vector["body"], vector["secret"], vector["timestamp"])
    assert header == f"t={vector['timestamp']},v1={vector['signature']}"


@pytest.mark.parametrize("vector", VECTORS["verifications"], ids=lambda v: v["name"])
def test_verification_vector(vector: dict[str, Any]) -> None:
    seen = InMemorySeenDeliveries()
    for delivery_id in vector["seen"]:
        assert seen.add(delivery_id)
    expect = vector["expect"]

    def verify() -> Any:
        return verify_delivery(
            vector["body"].encode("utf-8"),
            vector["headers"],
            vector["secrets"],
            tolerance=vector["tolerance_s"],
            seen=seen,
            now=vector["now"],
        )

    if expect["ok"]:
        delivery = verify()
        assert delivery.delivery_id == expect["delivery_id"]
        assert delivery.intent_id == expect["intent_id"]
        if "attempt" in expect:
            assert delivery.attempt == expect["attempt"]
    else:
        with pytest.raises(SignatureError) as raised:
            verify()
        assert raised.value.reason == expect["reason"]


def headers(
    body: bytes, t: int, secret: str = SECRET, delivery_id: str = "dlv_a"
) -> dict[str, str]:
    return {"X-Axme-Signature": sign_delivery(body, secret, t), "X-Axme-Delivery-Id": delivery_id}


def test_the_same_delivery_is_accepted_once() -> None:
    seen = InMemorySeenDeliveries()
    verify_delivery(BODY, headers(BODY, T), SECRET, seen=seen, now=T)
    with pytest.raises(SignatureError) as raised:  # re-signed with a fresh timestamp: still refused
        verify_delivery(BODY, headers(BODY, T + 5), SECRET, seen=seen, now=T + 5)
    assert raised.value.reason == "replayed_delivery"


def test_a_rejected_push_does_not_mark_the_id_as_seen() -> None:
    seen = InMemorySeenDeliveries()
    with pytest.raises(SignatureError):
        verify_delivery(BODY, headers(BODY, T, secret="whsec_wrong"), SECRET, seen=seen, now=T)
    assert verify_delivery(BODY, headers(BODY, T), SECRET, seen=seen, now=T).delivery_id == "dlv_a"


def test_seen_ids_expire_after_the_replay_window() -> None:
    clock = [0.0]
    seen = InMemorySeenDeliveries(clock=lambda: clock[0])
    assert seen.add("dlv_a")
    clock[0] = 599.0
    assert not seen.add("dlv_a")
    clock[0] = 600.0  # ten minutes after it was accepted
    assert seen.add("dlv_a")
    assert len(seen._seen) == 1  # the expired entry was dropped, not kept alongside


def test_default_seen_set_is_process_wide() -> None:
    body = b'{"delivery_id":"dlv_process_wide","intent_id":"i"}'
    hdrs = headers(body, T, delivery_id="dlv_process_wide")
    verify_delivery(body, hdrs, SECRET, now=T)
    with pytest.raises(SignatureError, match="already accepted"):
        verify_delivery(body, hdrs, SECRET, now=T)


def test_a_replaceable_seen_store() -> None:
    class SharedStore:
        def __init__(self) -> None:
            self.ids: set[str] = set()

        def add(self, delivery_id: str) -> bool:
            fresh = delivery_id not in self.ids
            self.ids.add(delivery_id)
            return fresh

    store = SharedStore()
    verify_delivery(BODY, headers(BODY, T), SECRET, seen=store, now=T)
    assert store.ids == {"dlv_a"}


@pytest.mark.parametrize(
    ("offset", "tolerance", "ok"),
    [
        (0, 300, True),
        (300, 300, True),
        (-300, 300, True),
        (301, 300, False),
        (11, 10, False),
        (10, 10, True),
    ],
)
def test_tolerance(offset: int, tolerance: float, ok: bool) -> None:
    hdrs = headers(BODY, T)
    seen = InMemorySeenDeliveries()
    if ok:
        verify_delivery(BODY, hdrs, SECRET, tolerance=tolerance, seen=seen, now=T + offset)
    else:
        with pytest.raises(SignatureError, match="outside"):
            verify_delivery(BODY, hdrs, SECRET, tolerance=tolerance, seen=seen, now=T + offset)


def test_rotated_secret_either_verifies() -> None:
    old, new = "whsec_old", "whsec_new"
    both = f"{sign_delivery(BODY, old, T)},v1={sign_delivery(BODY, new, T).split('v1=')[1]}"
    hdrs = {"X-Axme-Signature": both, "X-Axme-Delivery-Id": "dlv_a"}
    for secrets in ([old], [new], [new, old]):
        verify_delivery(BODY, hdrs, secrets, seen=InMemorySeenDeliveries(), now=T)


def test_signature_error_is_an_axme_error() -> None:
    assert issubclass(SignatureError, AxmeError)
    assert SignatureError("stale_timestamp", "x").error_type == "Signature"


def test_signature_compare_is_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    import hmac

    calls: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", spy)  # push.py calls it through the module
    verify_delivery(BODY, headers(BODY, T), SECRET, seen=InMemorySeenDeliveries(), now=T)
    assert calls
