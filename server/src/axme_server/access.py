"""Who may do what: the auth table of spec/behavior/auth.md (REQ-AUTH-006,
REQ-AUTH-007). An intent the key may not read looks absent (404
intent_not_found), whether it lives in another workspace or is just not the
key's business, so ids cannot be probed (REQ-AUTH-007); a write the key may
not make to an intent it can read is 403.

Order inside a write: invisible (404), then what the key's kind may never do
(403), then conflicts (409), then rights that depend on the intent's state
(403), e.g. holding its current step.

Every 403 carries `details.reason`, the permission the key lacks (REQ-AUTH-006):
`admin_required`, `agent_or_admin_required`, `human_or_admin_required`,
`own_agent_required`, `current_handler_required`, `assignee_required`,
`initiator_required`, `same_workspace_required`, `human_required`, `operator_required`."""

from __future__ import annotations

from typing import Any

from axme_server.auth import Principal
from axme_server.errors import ApiError


def forbidden(reason: str, message: str, **details: Any) -> ApiError:
    return ApiError("forbidden", message, {"reason": reason, **details})


def require_admin(p: Principal) -> None:
    if p.kind != "admin":
        raise forbidden("admin_required", "this operation needs a workspace admin key")


def require_not_human(p: Principal, what: str, reason: str = "agent_or_admin_required") -> None:
    """createIntent, listAgents, getAgent (and resolve): admin and agent keys only."""
    if p.kind == "human":
        raise forbidden(reason, f"human keys may not {what}")


def require_own_agent(p: Principal, address: str, what: str) -> None:
    """Deliveries and keys of agent X: an admin key, or an agent key of X itself."""
    if p.kind == "admin" or (p.kind == "agent" and p.agent_address == address):
        return
    raise forbidden("own_agent_required", f"only the agent itself (or an admin) may {what}")


def _tasked_human_steps(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Human steps that have been entered, so they have a task."""
    return [s for s in doc.get("_steps") or [] if s["kind"] == "human" and s.get("task") is not None]


def human_names(p: Principal) -> list[str]:
    """What an assignee list may name this human by: its id or its contact (REQ-HUMAN-018)."""
    return [n for n in (p.human_id, p.human_contact) if n]


def is_assignee(p: Principal, step: dict[str, Any]) -> bool:
    """Empty assignees: any human of the workspace (REQ-HUMAN-020)."""
    if p.kind != "human" or p.human_id is None:
        return False
    assignees = step.get("assignees") or []
    return not assignees or any(n in assignees for n in human_names(p))


def involved_agent(address: str | None, doc: dict[str, Any]) -> bool:
    """From A, to A, or any step assigned to A (reply_to alone is no read right)."""
    if address is None:
        return False
    if address in (doc["from_agent"], doc["to_agent"]):
        return True
    return any(s.get("assigned_to") == address for s in doc.get("_steps") or [])


def can_read_intent(p: Principal, doc: dict[str, Any]) -> bool:
    if p.kind == "admin":
        return True
    if p.kind == "agent":
        return involved_agent(p.agent_address, doc)
    return any(is_assignee(p, s) for s in _tasked_human_steps(doc))


def check_read(p: Principal, doc: dict[str, Any] | None) -> dict[str, Any]:
    """The intent if `p` may read it; otherwise 404, exactly as for an unknown id (REQ-AUTH-007)."""
    if doc is None or doc["_ws"] != p.workspace_id or not can_read_intent(p, doc):
        raise ApiError("intent_not_found", "intent not found")
    return doc


def current_step(doc: dict[str, Any]) -> dict[str, Any] | None:
    idx = doc.get("_step")
    if idx is None:
        return None
    step: dict[str, Any] = doc["_steps"][idx]
    return step


def require_agent_writer(p: Principal) -> None:
    """ack, progress and agent results: never from a human key."""
    if p.kind == "human":
        raise forbidden(
            "current_handler_required",
            "human keys may not acknowledge, report progress or send agent results; "
            "they decide tasks (POST /v1/tasks/{intent_id}/decision)",
        )


def check_handler(p: Principal, doc: dict[str, Any]) -> None:
    """The current agent handler (or an admin) may ack / progress / resume agent results."""
    if p.kind == "admin":
        return
    step = current_step(doc)
    if (
        p.kind == "agent"
        and step is not None
        and step["kind"] == "agent"
        and step["assigned_to"] == p.agent_address
    ):
        return
    raise forbidden(
        "current_handler_required",
        "only the current handler of this intent (or an admin) may do this",
        handler=step["assigned_to"] if step else None,
    )


def require_controller(p: Principal, approve: bool) -> None:
    """resume control: admin keys; agent keys only to hand off (next_handler); never human keys."""
    if p.kind == "human":
        raise forbidden(
            "current_handler_required",
            "human keys may not send control resumes; assignees decide with decideTask",
        )
    if p.kind == "agent" and approve:
        raise forbidden(
            "admin_required",
            "agent keys may only hand off their step (next_handler); approve_current_step needs an admin key",
        )


def require_decider_kind(p: Principal) -> None:
    if p.kind == "agent":
        raise forbidden("assignee_required", "agent keys may not decide human tasks")


def check_decider(p: Principal, doc: dict[str, Any]) -> None:
    """An assignee of the current human step (or an admin) may decide."""
    if p.kind == "admin":
        return
    step = current_step(doc)
    if p.kind == "human" and step is not None and step["kind"] == "human" and is_assignee(p, step):
        return
    raise forbidden(
        "assignee_required", "only an assignee of the current human task (or an admin) may decide"
    )


def principal_address(p: Principal) -> str:
    """What `from_agent` says for intents this principal creates (REQ-API-012)."""
    if p.kind == "agent":
        return p.agent_address or ""
    if p.kind == "human":
        return f"human://{p.human_id}"
    return f"admin://{p.key_id}"


def check_resolver(p: Principal, doc: dict[str, Any]) -> None:
    """Only the initiator or an admin may resolve / cancel (REQ-RESOLVE-002)."""
    if p.kind == "admin" or (p.kind == "agent" and p.agent_address == doc["from_agent"]):
        return
    raise forbidden(
        "initiator_required", "only the initiator or an admin may resolve this intent (the handler resumes)"
    )
