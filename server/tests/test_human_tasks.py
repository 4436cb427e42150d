"""The 8 task types, default outcomes, required comment, evidence and form_schema."""

from __future__ import annotations

import pytest
from helpers import Api
from test_errors import err

DEFAULTS = {
    "approval": ("approved", "rejected"),
    "confirmation": ("confirmed", "rejected"),
    "review": ("approved", "rejected"),
    "assignment": ("assigned", "declined"),
    "form": ("submitted", "rejected"),
    "clarification": ("provided", "rejected"),
    "manual_action": ("completed", "failed"),
    "override": ("override_approved", "rejected"),
}


def waiting(api: Api, task: dict) -> str:
    addr, agent = api.register_agent("w") if not hasattr(api, "_w") else api._w  # type: ignore[attr-defined]
    api._w = (addr, agent)  # type: ignore[attr-defined]
    iid = api.create(addr, human_task=task)
    agent.ok(agent.complete(iid, {"agent": "done"}))
    return iid


@pytest.mark.parametrize("task_type", sorted(DEFAULTS))
def test_each_task_type_default_outcomes(api: Api, task_type: str) -> None:
    positive, negative = DEFAULTS[task_type]
    extra = {"comment": "because"} if task_type == "override" else {}
    a = waiting(api, {"title": "t", "task_type": task_type})
    e = err(api.decide(a, outcome="nonsense", **extra), 422, "task_validation_failed")
    assert e["details"]["field"] == "outcome"
    assert api.ok(api.decide(a, outcome=positive, **extra))["intent"]["status"] == "COMPLETED"
    b = waiting(api, {"title": "t", "task_type": task_type})
    out = api.ok(api.decide(b, outcome=negative, **extra))["intent"]
    assert out["status"] == "FAILED" and out["error"]["code"] == "rejected"


def test_custom_outcomes_and_required_comment(api: Api) -> None:
    iid = waiting(api, {"title": "t", "allowed_outcomes": ["approved", "deferred"], "required_comment": True})
    assert (
        err(api.decide(iid, outcome="approved"), 422, "task_validation_failed")["details"]["field"]
        == "comment"
    )
    err(api.decide(iid, outcome="approved", comment="   "), 422, "task_validation_failed")
    err(api.decide(iid, outcome="rejected", comment="x"), 422, "task_validation_failed")
    assert api.intent(iid)["status"] == "WAITING"
    assert api.ok(api.decide(iid, outcome="deferred", comment="later"))["intent"]["status"] == "COMPLETED"


def test_override_requires_comment_by_default(api: Api) -> None:
    iid = waiting(api, {"title": "t", "task_type": "override"})
    err(api.decide(iid, outcome="override_approved"), 422, "task_validation_failed")


def test_evidence_required(api: Api) -> None:
    iid = waiting(api, {"title": "t", "task_type": "manual_action", "evidence_required": True})
    assert (
        err(api.decide(iid, outcome="completed"), 422, "task_validation_failed")["details"]["field"]
        == "evidence"
    )
    err(api.decide(iid, outcome="completed", evidence=[]), 422, "task_validation_failed")
    out = api.ok(api.decide(iid, outcome="completed", evidence=[{"description": "photo of the rack"}]))
    assert out["intent"]["status"] == "COMPLETED"
    assert api.events(iid)[-1]["data"]["evidence"] == [{"description": "photo of the rack"}]


def test_form_schema(api: Api) -> None:
    schema = {
        "type": "object",
        "required": ["days", "scope_confirmed"],
        "properties": {
            "days": {"type": "integer", "minimum": 1, "maximum": 30},
            "scope_confirmed": {"type": "boolean"},
        },
    }
    iid = waiting(api, {"title": "grant", "task_type": "form", "form_schema": schema})
    assert api.intent(iid)["human_task"]["task_type"] == "form"
    e = err(api.decide(iid, outcome="submitted", data={"days": 99}), 422, "task_validation_failed")
    assert e["details"]["field"] == "data" and len(e["details"]["errors"]) == 2
    assert {x["path"] for x in e["details"]["errors"]} == {"/data/days", "/data"}
    err(api.decide(iid, outcome="submitted"), 422, "task_validation_failed")
    err(api.decide(iid, outcome="submitted", data="yes"), 422, "validation_error")
    out = api.ok(api.decide(iid, outcome="submitted", data={"days": 7, "scope_confirmed": True}))
    assert out["intent"]["status"] == "COMPLETED" and out["intent"]["result"] == {"agent": "done"}
    assert api.events(iid)[-1]["data"]["data"] == {"days": 7, "scope_confirmed": True}


def test_decision_unknown_fields_and_audit(api: Api) -> None:
    iid = waiting(api, {"title": "t"})
    err(api.decide(iid, outcome="approved", mood="happy"), 422, "validation_error")
    api.ok(
        api.post(
            f"/v1/tasks/{iid}/decision",
            {"outcome": "approved", "comment": "fine"},
            headers={"X-Axme-Channel": "slack"},
        )
    )
    audit = api.ok(api.get(f"/v1/intents/{iid}/audit"))["audit"]
    assert audit[-1]["channel"] == "slack" and audit[-1]["outcome"] == "approved"
    assert [a["seq"] for a in audit] == list(range(1, len(audit) + 1))
