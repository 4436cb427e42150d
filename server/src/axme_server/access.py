"""Who may do what (PROTOCOL.md §3, INTERFACES §6, spec/behavior/auth.md). An
intent the key may not read looks absent (404 intent_not_found), whether it
lives in another workspace or is just not the key's business, so ids cannot be
probed (REQ-AUTH-007); a write the key may not make to an intent it can read
is 403."""

from __future__ import annotations

from typing import Any

from axme_server.auth import Principal
from axme_server.errors import ApiError


def require_admin(p: Principal) -> None:
    if p.kind != "admin":
        raise ApiError("forbidden", "this operation needs a workspace admin key", {"required": "admin"})


def same_workspace(p: Principal, doc: dict[str, Any], code: str, what: str) -> None:
    if doc.get("_ws", doc.get("workspace_id")) != p.workspace_id:
        raise ApiError(code, f"{what} not found")


def _human_steps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in doc.get("_steps") or [] if s["kind"] == "human"]


def is_assignee(p: Principal, step: dict[str, Any]) -> bool:
    assignees = step.get("assignees") or []
    return p.human_id is not None and (not assignees or p.human_id in assignees)


def involved_agent(address: str | None, doc: dict[str, Any]) -> bool:
    if address is None:
        return False
    if address in (doc["from_agent"], doc["to_agent"], doc.get("reply_to")):
        return True
    return any(s.get("assigned_to") == address for s in doc.get("_steps") or [])


def can_read_intent(p: Principal, doc: dict[str, Any]) -> bool:
    if p.kind == "admin":
        return True
    if p.kind == "agent":
        return involved_agent(p.agent_address, doc)
    return principal_address(p) == doc["from_agent"] or any(is_assignee(p, s) for s in _human_steps(doc))


def check_read(p: Principal, doc: dict[str, Any] | None) -> dict[str, Any]:
    """The intent if `p` may read it; otherwise 404, exactly as for an unknown id (REQ-AUTH-007)."""
    if doc is None or doc["_ws"] != p.workspace_id or not can_read_intent(p, doc):
        raise ApiError("intent_not_found", "intent not found")
    return doc


def current_step(doc: dict[str, Any]) -> dict[str, Any] | None:
    idx = doc.get("_step")
    if idx is None:
        return None
    return doc["_steps"][idx]


def check_handler(p: Principal, doc: dict[str, Any]) -> None:
    """The current agent handler (or an admin) may ack / progress / resume agent results."""
    if p.kind == "admin":
        return
    step = current_step(doc)
    if p.kind == "agent" and step is not None and step["kind"] == "agent" and step["assigned_to"] == p.agent_address:
        return
    raise ApiError("forbidden", "only the current handler of this intent (or an admin) may do this",
                   {"handler": step["assigned_to"] if step else None})


def check_decider(p: Principal, doc: dict[str, Any]) -> None:
    """An assignee of the current human step (or an admin) may decide."""
    if p.kind == "admin":
        return
    step = current_step(doc)
    if p.kind == "human" and step is not None and step["kind"] == "human" and is_assignee(p, step):
        return
    raise ApiError("forbidden", "only an assignee of the current human task (or an admin) may decide")


def principal_address(p: Principal) -> str:
    """What `from_agent` says for intents this principal creates (REQ-API-012)."""
    if p.kind == "agent":
        return p.agent_address or ""
    if p.kind == "human":
        return f"human://{p.human_id}"
    return f"admin://{p.key_id}"


def check_resolver(p: Principal, doc: dict[str, Any]) -> None:
    """Only the initiator or an admin may resolve / cancel (REQ-RESOLVE-002)."""
    if p.kind == "admin" or principal_address(p) == doc["from_agent"]:
        return
    raise ApiError("forbidden", "only the initiator or an admin may resolve this intent (the handler resumes)")
