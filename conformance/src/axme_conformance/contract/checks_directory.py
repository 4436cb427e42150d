"""Contract checks: what clients already in the field send (scheme-less address paths,
`/v1/me/tasks`, a `form_schema` without `task_type`), deregistering agents, an agent's
keys and the server's workspaces."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from axme_conformance.contract.checks_access import new_human_key
from axme_conformance.contract.client import CheckSkipped, ContractClient, expect
from axme_conformance.contract.registry import check


def _schemeless(address: str) -> str:
    return address.removeprefix("agent://")


@check("api/scheme-less-address-paths", requirements=["REQ-API-014"])
def scheme_less_paths(c: ContractClient) -> None:
    address, key = c.new_agent()
    plain = _schemeless(address)
    got = c.ok(c.request("GET", f"/v1/agents/{plain}"))["agent"]
    expect(
        got["address"] == address, f"GET /v1/agents/{plain} named {got['address']}, want {address}"
    )
    intent_id = c.new_intent(address)
    polled = c.ok(
        c.request(
            "GET",
            f"/v1/agents/{plain}/intents",
            key=key,
            params={"status": "pending", "wait_seconds": 5},
        )
    )["deliveries"]
    expect(
        [d["intent_id"] for d in polled] == [intent_id],
        f"poll through the scheme-less path: {polled}",
    )
    second = c.new_intent(address)
    status, text, _ = c.stream(
        f"/v1/agents/{plain}/intents/stream", key=key, until=lambda seen: second in seen
    )
    expect(
        status == 200 and second in text,
        f"stream through the scheme-less path: {status} {text[:200]}",
    )
    keys = c.ok(c.request("GET", f"/v1/agents/{plain}/keys"))["keys"]
    expect(
        keys and all(k["agent_address"] == address for k in keys), f"keys through the path: {keys}"
    )


@check("api/address-route-precedence", requirements=["REQ-API-014"])
def route_precedence(c: ContractClient) -> None:
    address, key = c.new_agent()
    bare = address.rsplit("/", 1)[-1]
    # `/keys` and `/intents` are operations on the address before them, never part of it.
    keys = c.ok(c.request("GET", f"/v1/agents/{bare}/keys"))["keys"]
    expect(all(k["agent_address"] == address for k in keys), f"/{bare}/keys listed {keys}")
    polled = c.ok(
        c.request(
            "GET",
            f"/v1/agents/{bare}/intents",
            key=key,
            params={"status": "pending", "wait_seconds": 0},
        )
    )
    expect(polled["deliveries"] == [], f"/{bare}/intents is the bare agent's poll: {polled}")
    org, ws = _schemeless(address).split("/")[:2]
    c.error(
        c.request("GET", f"/v1/agents/{org}/{ws}/intents", params={"wait_seconds": 0}),
        422,
        "validation_error",
    )


@check("humans/me-tasks-inbox", requirements=["REQ-HUMAN-024", "REQ-API-009"])
def me_tasks(c: ContractClient) -> None:
    human = c.unique("human")
    _, human_key = new_human_key(c, human)
    _, other_key = new_human_key(c, c.unique("other"))
    address, agent_key = c.new_agent()
    ids = []
    for n in range(3):
        intent_id = c.new_intent(
            address, human_task={"title": f"Approve {n}", "assignees": [human]}
        )
        c.complete_agent_step(address, agent_key, intent_id, {"n": n})
        ids.append(intent_id)
    c.ok(
        c.request(
            "POST", f"/v1/tasks/{ids[2]}/decision", key=human_key, body={"outcome": "approved"}
        )
    )
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 1} | ({"cursor": cursor} if cursor else {})
        page = c.ok(c.request("GET", "/v1/me/tasks", key=human_key, params=params))
        seen += [t["intent_id"] for t in page["tasks"] if t["intent_id"] in ids]
        expect(all(t["status"] == "pending" for t in page["tasks"]), f"only pending tasks: {page}")
        cursor = page["next_cursor"]
        if cursor is None:
            break
    expect(
        seen == ids[:2],
        f"the inbox is the human's pending tasks, oldest first: {seen} vs {ids[:2]}",
    )
    others = c.ok(c.request("GET", "/v1/me/tasks", key=other_key))["tasks"]
    expect(
        not any(t["intent_id"] in ids for t in others),
        f"another human's inbox shows them: {others}",
    )
    c.forbidden(c.request("GET", "/v1/me/tasks"), "human_required")
    c.forbidden(c.request("GET", "/v1/me/tasks", key=agent_key), "human_required")
    c.error(
        c.request("GET", "/v1/me/tasks", key=human_key, params={"limit": 0}),
        422,
        "validation_error",
    )
    c.error(c.request("GET", "/v1/me/tasks", key=None), 401, "unauthorized")


@check("humans/form-schema-defaults-to-approval", requirements=["REQ-HUMAN-001", "REQ-HUMAN-007"])
def form_schema_is_approval(c: ContractClient) -> None:
    address, key = c.new_agent()
    schema = {
        "type": "object",
        "required": ["ticket"],
        "properties": {"ticket": {"type": "string"}},
    }
    intent_id = c.new_intent(address, human_task={"title": "Sign", "form_schema": schema})
    c.complete_agent_step(address, key, intent_id, {})
    task = c.intent(intent_id)["human_task"]
    expect(task["task_type"] == "approval", f"no task_type means approval: {task}")
    c.error(
        c.request(
            "POST", f"/v1/tasks/{intent_id}/decision", body={"outcome": "approved", "data": {}}
        ),
        422,
        "task_validation_failed",
    )
    done = c.ok(
        c.request(
            "POST",
            f"/v1/tasks/{intent_id}/decision",
            body={"outcome": "approved", "data": {"ticket": "CHG-1"}},
        )
    )
    expect(done["intent"]["status"] == "COMPLETED", f"approved: {done['intent']['status']}")


@check("api/unknown-agent-details-address", requirements=["REQ-API-011"])
def unknown_agent_address(c: ContractClient) -> None:
    address, _ = c.new_agent()
    missing = address.rsplit("/", 1)[0] + "/" + c.unique("nobody")
    body = c.error(
        c.request(
            "POST",
            "/v1/intents",
            body={
                "intent_type": "intent.contract.check.v1",
                "to_agent": missing.rsplit("/", 1)[-1],
                "payload": {},
            },
        ),
        404,
        "agent_not_found",
    )
    expect(
        body["error"]["details"].get("address") == missing,
        f"details.address must be the canonical address tried: {body['error']['details']}",
    )


@check("agents/delete-agent", requirements=["REQ-AUTH-015", "REQ-AUTH-011"])
def delete_agent(c: ContractClient) -> None:
    address, key = c.new_agent()
    path = f"/v1/agents/{quote(address, safe='')}"
    second = c.ok(c.request("POST", f"{path}/keys", body={}))
    c.forbidden(c.request("DELETE", path, key=key), "admin_required")
    gone = c.ok(c.request("DELETE", path))
    expect(gone["agent"]["address"] == address, f"the removed agent: {gone}")
    expect(
        set(gone["revoked_key_ids"]) == {second["key"]["key_id"], key.split("_")[2]},
        f"both agent keys revoked: {gone['revoked_key_ids']}",
    )
    c.error(c.request("GET", path, key=key), 401, "unauthorized")
    c.error(c.request("GET", path), 404, "agent_not_found")
    c.error(c.request("DELETE", path), 404, "agent_not_found")
    c.error(
        c.request(
            "POST",
            "/v1/intents",
            body={"intent_type": "intent.contract.check.v1", "to_agent": address, "payload": {}},
        ),
        404,
        "agent_not_found",
    )
    again = c.ok(c.request("POST", "/v1/agents", body={"address": address}))
    expect(again["agent"]["address"] == address, "a deleted address may be registered again")


@check("agents/list-agent-keys", requirements=["REQ-AUTH-016", "REQ-AUTH-004"])
def list_agent_keys(c: ContractClient) -> None:
    address, key = c.new_agent()
    _, other_key = c.new_agent("other")
    path = f"/v1/agents/{quote(address, safe='')}/keys"
    created = c.ok(c.request("POST", path, body={}))
    c.ok(c.request("DELETE", f"/v1/admin/keys/{created['key']['key_id']}"))
    keys = c.ok(c.request("GET", path))["keys"]
    expect(
        [k["key_id"] for k in keys] == [key.split("_")[2], created["key"]["key_id"]],
        f"every key of the agent, oldest first: {keys}",
    )
    expect(keys[1]["revoked_at"] is not None, f"a revoked key shows revoked_at: {keys[1]}")
    expect(not any("api_key" in k or "secret_hash" in k for k in keys), "keys carry no secrets")
    expect(c.ok(c.request("GET", path, key=key))["keys"] == keys, "the agent may list its own keys")
    c.forbidden(c.request("GET", path, key=other_key), "own_agent_required")


@check("admin/workspaces", requirements=["REQ-AUTH-017", "REQ-API-019"])
def workspaces(c: ContractClient) -> None:
    listed = c.request("GET", "/v1/admin/workspaces")
    if listed.status_code == 403:
        raise CheckSkipped("the suite's admin key is not an operator key")
    before = c.ok(listed)["workspaces"]
    org = c.unique("org")
    created = c.ok(
        c.request("POST", "/v1/admin/workspaces", body={"org": org, "name": "production"})
    )
    ws, admin = created["workspace"], created["api_key"]
    expect((ws["org"], ws["name"]) == (org, "production"), f"{ws}")
    after = c.ok(c.request("GET", "/v1/admin/workspaces"))["workspaces"]
    expect(
        after[: len(before)] == before and after[-1] == ws,
        f"oldest first, the new one last: {after[-2:]}",
    )
    c.error(
        c.request("POST", "/v1/admin/workspaces", body={"org": org, "name": "production"}),
        409,
        "workspace_exists",
    )
    c.error(
        c.request("POST", "/v1/admin/workspaces", body={"org": "a/b", "name": "x"}),
        422,
        "validation_error",
    )
    c.error(
        c.request("POST", "/v1/admin/workspaces", body={"org": org, "name": "x", "extra": 1}),
        422,
        "validation_error",
    )
    agent = c.ok(c.request("POST", "/v1/agents", key=admin, body={"address": "infra-validator"}))[
        "agent"
    ]
    expect(agent["address"] == f"agent://{org}/production/infra-validator", f"{agent}")
    mine = c.ok(c.request("GET", "/v1/agents", key=admin))["agents"]
    expect([a["address"] for a in mine] == [agent["address"]], f"a new workspace is empty: {mine}")
    c.forbidden(c.request("GET", "/v1/admin/workspaces", key=admin), "operator_required")
    c.forbidden(
        c.request("POST", "/v1/admin/workspaces", key=admin, body={"org": org, "name": "y"}),
        "operator_required",
    )
