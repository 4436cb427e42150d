"""Contract checks: key kinds, formats, revocation, expiry, storage, who may do what."""

from __future__ import annotations

import hashlib
import re
import stat
import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import httpx

from axme_conformance.contract.client import CheckSkipped, ContractClient, expect
from axme_conformance.contract.registry import check

KEY_FORMAT = re.compile(r"^axme_(admin|agent|human)_([a-z0-9]{8,32})_([A-Za-z0-9]{16,128})$")
# 128 bits of entropy need at least 22 base62 characters (62^22 > 2^128).
MIN_SECRET_CHARS = 22


def _rfc3339(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def new_human_key(c: ContractClient, human_id: str, **extra: object) -> tuple[str, str]:
    body = c.ok(
        c.request(
            "POST",
            "/v1/admin/keys",
            body={
                "kind": "human",
                "name": human_id,
                "human": {"id": human_id, "display_name": human_id},
                **extra,
            },
        )
    )
    return body["key"]["key_id"], body["api_key"]


def _poll(c: ContractClient, address: str, key: str | bool) -> httpx.Response:
    return c.request(
        "GET",
        f"/v1/agents/{quote(address, safe='')}/intents",
        key=key,
        params={"status": "pending", "wait_seconds": 0},
    )


@check("auth/key-format-per-kind", requirements=["REQ-AUTH-002"])
def key_format(c: ContractClient) -> None:
    _, agent_key = c.new_agent()
    human_key_id, human_key = new_human_key(c, c.unique("human"))
    admin = c.ok(c.request("POST", "/v1/admin/keys", body={"kind": "admin", "name": "second"}))
    seen = set()
    for kind, key, key_id in (
        ("agent", agent_key, None),
        ("human", human_key, human_key_id),
        ("admin", admin["api_key"], admin["key"]["key_id"]),
        ("admin", c.admin_key, None),
    ):
        m = KEY_FORMAT.match(key)
        expect(m is not None, f"{kind} key does not match axme_<kind>_<id>_<secret>: {key[:20]}…")
        assert m is not None
        expect(m.group(1) == kind, f"key kind {m.group(1)} for a {kind} key")
        expect(
            len(m.group(3)) >= MIN_SECRET_CHARS,
            f"a {len(m.group(3))}-character secret cannot hold 128 bits",
        )
        if key_id is not None:
            expect(m.group(2) == key_id, f"the key's <id> must be its key_id {key_id}")
        seen.add(m.group(3))
    expect(len(seen) == 4, "every key needs its own secret")


@check("auth/credentials-headers-must-agree", requirements=["REQ-AUTH-001"])
def both_headers(c: ContractClient) -> None:
    _, agent_key = c.new_agent()
    same = {"authorization": f"Bearer {c.admin_key}"}
    c.ok(c.request("GET", "/v1/intents", headers=same))
    differ = {"authorization": f"Bearer {agent_key}"}
    c.error(c.request("GET", "/v1/intents", headers=differ), 401, "unauthorized")


@check("auth/malformed-and-expired-keys-401", requirements=["REQ-AUTH-005"])
def expired_key(c: ContractClient) -> None:
    for bad in ("garbage", "axme_admin_", "axme_root_abcdefgh_" + "x" * 30):
        c.error(c.request("GET", "/v1/intents", key=bad), 401, "unauthorized")
    expires = datetime.now(UTC) + timedelta(seconds=1.5)
    body = c.ok(
        c.request(
            "POST",
            "/v1/admin/keys",
            body={"kind": "admin", "name": "short-lived", "expires_at": _rfc3339(expires)},
        )
    )
    c.ok(c.request("GET", "/v1/intents", key=body["api_key"]))
    deadline = time.monotonic() + 10
    while True:
        response = c.request("GET", "/v1/intents", key=body["api_key"])
        if response.status_code == 401:
            c.error(response, 401, "unauthorized")
            break
        expect(time.monotonic() < deadline, "a key past expires_at still works after 10 s")
        expect(
            datetime.now(UTC) < expires + timedelta(seconds=1),
            f"key still accepted {datetime.now(UTC) - expires} after expires_at",
        )
        time.sleep(0.1)


@check("keys/create-list-revoke", requirements=["REQ-AUTH-004", "REQ-AUTH-011"])
def keys_lifecycle(c: ContractClient) -> None:
    address, _ = c.new_agent()
    created = c.ok(c.request("POST", f"/v1/agents/{quote(address, safe='')}/keys"))
    secret, key_id = created["api_key"], created["key"]["key_id"]
    c.ok(_poll(c, address, secret))
    listed = c.ok(c.request("GET", "/v1/admin/keys"))
    expect(
        secret not in str(listed) and "api_key" not in str(listed),
        "listKeys must never return secrets",
    )
    expect(any(k["key_id"] == key_id for k in listed["keys"]), "new key not listed")
    revoked = c.ok(c.request("DELETE", f"/v1/admin/keys/{key_id}"))
    expect(bool(revoked["key"].get("revoked_at")), f"{revoked}")
    expect(secret not in str(revoked), "revokeKey must not return the secret")
    c.error(_poll(c, address, secret), 401, "unauthorized")
    again = c.ok(c.request("DELETE", f"/v1/admin/keys/{key_id}"))
    expect(
        again["key"]["revoked_at"] == revoked["key"]["revoked_at"],
        f"a second revoke must keep the original revoked_at: {again['key']}",
    )


@check("keys/create-key-rules", requirements=["REQ-AUTH-012"])
def create_key_rules(c: ContractClient) -> None:
    c.error(
        c.request(
            "POST",
            "/v1/admin/keys",
            body={"kind": "agent", "name": "x", "agent_address": c.unique("ghost")},
        ),
        404,
        "agent_not_found",
    )
    body = c.error(
        c.request("POST", "/v1/admin/keys", body={"kind": "human", "name": "x"}),
        422,
        "validation_error",
    )
    expect(body["error"]["details"].get("field") == "human", f"{body['error']}")


@check("auth/secrets-stored-hashed", requirements=["REQ-AUTH-003"])
def stored_hashed(c: ContractClient) -> None:
    if c.data_dir is None:
        raise CheckSkipped("needs the server's data directory (--reference)")
    _, key = c.new_agent()
    secret = key.rsplit("_", 1)[1]
    digest = hashlib.sha256(secret.encode()).hexdigest()
    found_digest = False
    for path in c.data_dir.rglob("*"):
        if not path.is_file() or path.name == "admin.key":
            continue
        data = path.read_bytes()
        expect(secret.encode() not in data, f"{path.name} holds a key secret in plain text")
        found_digest |= digest.encode() in data
    expect(found_digest, "no file holds sha256(secret) of a new key")


@check("auth/first-admin-key", requirements=["REQ-AUTH-014"])
def first_admin_key(c: ContractClient) -> None:
    if c.data_dir is None:
        raise CheckSkipped("needs the server's data directory (--reference)")
    path = c.data_dir / "admin.key"
    expect(path.is_file(), "no admin.key in the data directory")
    mode = stat.S_IMODE(path.stat().st_mode)
    expect(mode == 0o600, f"admin.key mode {oct(mode)}, must be 0600")
    expect(path.read_text().strip() == c.admin_key, "admin.key must hold the printed key")
    address, _ = c.new_agent()
    expect(
        address.startswith("agent://local/default/"),
        f"the first workspace must be local/default: {address}",
    )


@check("access/agent-key-forbidden-403", requirements=["REQ-AUTH-006"])
def agent_forbidden(c: ContractClient) -> None:
    address, agent_key = c.new_agent("agent")
    before = len(c.ok(c.request("GET", "/v1/admin/keys"))["keys"])
    for method, path, body, reason in (
        ("POST", "/v1/admin/keys", {"kind": "admin", "name": "x"}, "admin_required"),
        ("GET", "/v1/admin/keys", None, "admin_required"),
        ("POST", "/v1/agents", {"address": c.unique("other")}, "admin_required"),
        ("GET", "/v1/tasks", None, "human_or_admin_required"),
    ):
        c.forbidden(c.request(method, path, key=agent_key, body=body), reason)
    after = len(c.ok(c.request("GET", "/v1/admin/keys"))["keys"])
    expect(before == after, "a forbidden createKey must create nothing")
    c.ok(c.request("GET", f"/v1/agents/{quote(address, safe='')}", key=agent_key))


@check("access/human-key-forbidden-403", requirements=["REQ-AUTH-006", "REQ-AUTH-010"])
def human_forbidden(c: ContractClient) -> None:
    address, _ = c.new_agent("target")
    _, human_key = new_human_key(c, c.unique("human"))
    for method, path, body, reason in (
        (
            "POST",
            "/v1/intents",
            {"intent_type": "intent.contract.check.v1", "to_agent": address, "payload": {}},
            "agent_or_admin_required",
        ),
        ("GET", "/v1/agents", None, "agent_or_admin_required"),
        ("POST", "/v1/agents", {"address": c.unique("other")}, "admin_required"),
        ("GET", "/v1/admin/keys", None, "admin_required"),
    ):
        c.forbidden(c.request(method, path, key=human_key, body=body), reason)
    sent = c.ok(c.request("GET", "/v1/intents", params={"to_agent": address}))["intents"]
    expect(sent == [], f"a forbidden createIntent must create nothing: {sent}")
    c.ok(c.request("GET", "/v1/tasks", key=human_key))


@check("access/handler-may-not-resolve-403", requirements=["REQ-RESOLVE-002"])
def handler_resolve(c: ContractClient) -> None:
    sender, sender_key = c.new_agent("sender")
    handler, handler_key = c.new_agent("handler")
    intent_id = c.new_intent(handler, key=sender_key)
    c.forbidden(
        c.request(
            "POST",
            f"/v1/intents/{intent_id}/resolve",
            key=handler_key,
            body={"status": "COMPLETED", "result": {}},
        ),
        "initiator_required",
    )
    expect(c.intent(intent_id)["status"] == "SUBMITTED", "a forbidden resolve changed the intent")
    done = c.ok(
        c.request(
            "POST",
            f"/v1/intents/{intent_id}/resolve",
            key=sender_key,
            body={"status": "CANCELED", "reason": "initiator"},
        )
    )
    expect(done["intent"]["status"] == "CANCELED", f"{done['intent']}")
    expect(c.intent(intent_id)["from_agent"] == sender, "from_agent is the initiator")


@check("delivery/only-the-agent-listens-403", requirements=["REQ-DELIVERY-014"])
def only_agent_listens(c: ContractClient) -> None:
    address, own_key = c.new_agent("listener")
    _, other_key = c.new_agent("other")
    c.ok(_poll(c, address, own_key))
    c.ok(_poll(c, address, True))
    c.forbidden(_poll(c, address, other_key), "own_agent_required")
    # A 403 is a plain JSON answer, not a stream (wait_seconds bounds a wrong 200).
    c.forbidden(
        c.request(
            "GET",
            f"/v1/agents/{quote(address, safe='')}/intents/stream",
            key=other_key,
            params={"wait_seconds": 1},
            headers={"accept": "text/event-stream"},
        ),
        "own_agent_required",
    )


@check("scenarios/admin-only-403", requirements=["REQ-SCEN-012"])
def scenarios_admin_only(c: ContractClient) -> None:
    _, agent_key = c.new_agent()
    _, human_key = new_human_key(c, c.unique("human"))
    bundle = {
        "scenario_id": "contract.forbidden.v1",
        "agents": [],
        "humans": [],
        "workflow": {"steps": []},
        "intent": {"type": "intent.contract.check.v1"},
    }
    for key in (agent_key, human_key):
        for op in ("apply", "validate"):
            c.forbidden(
                c.request("POST", f"/v1/scenarios/{op}", key=key, body=bundle), "admin_required"
            )


@check("auth/admin-key-may-do-everything", requirements=["REQ-AUTH-008"])
def admin_everything(c: ContractClient) -> None:
    address, agent_key = c.new_agent()
    intent_id = c.new_intent(address, key=agent_key, human_task={"title": "Sign"})
    delivery = c.take_delivery(address, True, intent_id)
    path = f"/v1/intents/{intent_id}"
    c.ok(c.request("POST", f"{path}/ack", body={"delivery_id": delivery["delivery_id"]}))
    c.resume(intent_id, {"kind": "progress", "delivery_id": delivery["delivery_id"]})
    c.resume(intent_id, {"kind": "agent_result", "outcome": "complete", "result": {"by": "admin"}})
    for read in (
        path,
        f"{path}/events",
        f"{path}/audit",
        "/v1/tasks",
        "/v1/agents",
        "/v1/admin/keys",
        f"/v1/agents/{quote(address, safe='')}",
    ):
        c.ok(c.request("GET", read))
    c.ok(c.request("POST", f"/v1/agents/{quote(address, safe='')}/keys"))
    done = c.ok(c.request("POST", f"/v1/tasks/{intent_id}/decision", body={"outcome": "approved"}))
    expect(done["intent"]["status"] == "COMPLETED", f"{done['intent']}")
    other = c.new_intent(address, key=agent_key)
    c.ok(c.request("POST", f"/v1/intents/{other}/resolve", body={"status": "CANCELED"}))
