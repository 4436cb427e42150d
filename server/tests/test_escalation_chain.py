"""Escalation chains (REQ-HUMAN-013/016/025) on the controllable clock: A → B → team,
each level `after_seconds` after the previous one (±1 s), reassigning the step,
notifying that level's targets (REQ-NOTIFY-002) and restarting reminders; any member of
the team may decide; `escalation_repeat` runs the chain again; on_timeout escalate moves
one level; bad chains are 422 with the field path."""

from __future__ import annotations

import itertools
from datetime import datetime

import pytest
from helpers import Api
from test_errors import err

NAMES = itertools.count()


def at(ts: str) -> float:
    return datetime.fromisoformat(ts).timestamp()


def waiting(api: Api, **extra) -> str:
    addr, agent = api.register_agent(f"chain-{next(NAMES)}")
    intent_id = api.create(addr, **extra)
    agent.ok(agent.complete(intent_id, {}))
    return intent_id


def escalations(api: Api, intent_id: str) -> list[dict]:
    return [e for e in api.events(intent_id) if e["event_type"] == "intent.escalated"]


def notified(api: Api, intent_id: str) -> list[dict]:
    return api.ok(api.get(f"/v1/intents/{intent_id}/notifications"))["notifications"]


CHAIN = [
    {
        "after_seconds": 60,
        "assignees": ["b@example.com"],
        "notify": [{"channel": "webhook", "to": "https://hooks.example.com/b"}],
    },
    {
        "after_seconds": 120,
        "assignees": ["c1@example.com", "c2@example.com"],
        "notify": [{"channel": "webhook", "to": "https://hooks.example.com/team"}],
    },
]


def test_a_then_b_then_team_at_the_right_times(api: Api) -> None:
    intent_id = waiting(
        api,
        human_task={
            "title": "Page",
            "assignees": ["a@example.com"],
            "notify": [{"channel": "webhook", "to": "https://hooks.example.com/a"}],
        },
        escalation=CHAIN,
        remind_after_seconds=40,
        max_reminders=5,
    )
    start = at(api.events(intent_id)[-1]["at"])  # intent.human_task_assigned
    clock = {"elapsed": 0.0}

    def advance_to(offset: float) -> None:  # the server's clock to start + offset
        api.advance(offset - clock["elapsed"])
        clock["elapsed"] = offset

    for offset in (40.2, 59.8):  # A's reminder; B's level is not due yet
        advance_to(offset)
    assert escalations(api, intent_id) == []
    advance_to(60.2)
    (first,) = escalations(api, intent_id)
    assert abs(at(first["at"]) - (start + 60)) <= 1
    assert first["data"]["level"] == 1 and first["data"]["assignees"] == ["b@example.com"]
    assert (
        first["data"]["previous_assignees"] == ["a@example.com"] and first["data"]["reason"] == "no_response"
    )
    assert api.intent(intent_id)["pending_with"]["ref"] == "b@example.com"
    for offset in (100.2, 140.2, 179.8):  # B's reminders restart from the escalation
        advance_to(offset)
    assert len(escalations(api, intent_id)) == 1
    advance_to(180.2)
    second = escalations(api, intent_id)[1]
    assert abs(at(second["at"]) - (start + 180)) <= 1
    assert second["data"]["level"] == 2 and second["data"]["assignees"] == [
        "c1@example.com",
        "c2@example.com",
    ]
    # who was told what, when: A on assignment and its reminder at +40; B at +60 (and its reminder at
    # +100: reminders restart at each level); the team at +180
    told = [
        (n["to"].rsplit("/", 1)[1], n["reason"], round(at(n["created_at"]) - start))
        for n in notified(api, intent_id)
    ]
    assert told == [
        ("a", "assigned", 0),
        ("a", "reminder", 40),
        ("b", "escalated", 60),
        ("b", "reminder", 100),
        ("b", "reminder", 140),
        ("team", "escalated", 180),
    ]
    b_key = api.human("b@example.com")
    assert (
        b_key.decide(intent_id, outcome="approved").status_code == 404
    )  # B is no assignee: may not even read it
    c2 = api.human("c2@example.com")
    assert c2.ok(c2.decide(intent_id, outcome="approved"))["intent"]["status"] == "COMPLETED"


def test_repeat_runs_the_chain_again_then_stops(api: Api) -> None:
    intent_id = waiting(
        api,
        human_task={"title": "t", "assignees": ["a@example.com"]},
        escalation=[
            {"after_seconds": 10, "assignees": ["b@example.com"]},
            {"after_seconds": 10, "assignees": ["c@example.com"]},
        ],
        escalation_repeat=1,
    )
    for _ in range(6):
        api.advance(10.5)
    levels = [(e["data"]["level"], e["data"]["escalated_to"]) for e in escalations(api, intent_id)]
    assert levels == [(1, "b@example.com"), (2, "c@example.com"), (3, "b@example.com"), (4, "c@example.com")]


def test_on_timeout_escalate_moves_one_level_then_fails(api: Api) -> None:
    bundle = {
        "scenario_id": "chain.timeout",
        "agents": [{"role": "w", "address": f"w{next(NAMES)}", "create_if_missing": True}],
        "workflow": {
            "steps": [
                {
                    "step_id": "ok",
                    "tool_id": "tool.human",
                    "requires_approval": True,
                    "step_deadline_seconds": 100,
                    "on_timeout": "escalate",
                    "escalation": [
                        {"after_seconds": 1000, "assignees": ["b@example.com"]},
                        {"after_seconds": 1000, "assignees": ["c@example.com"]},
                    ],
                    "human_task": {"title": "t", "assignees": ["a@example.com"]},
                }
            ]
        },
        "intent": {"type": "intent.test.chain.v1"},
    }
    intent_id = api.ok(api.post("/v1/scenarios/apply", bundle))["intent_id"]
    api.advance(101)
    api.advance(101)
    assert [(e["data"]["escalated_to"], e["data"]["reason"]) for e in escalations(api, intent_id)] == [
        ("b@example.com", "timeout"),
        ("c@example.com", "timeout"),
    ]
    api.advance(101)
    assert api.intent(intent_id)["status"] == "TIMED_OUT"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"escalation": [], "human_task": {"title": "t"}}, "escalation"),
        ({"escalation": [{"after_seconds": 0, "assignees": ["b"]}]}, "escalation"),
        (
            {"escalation": [{"after_seconds": 5, "assignees": ["b"]}, {"after_seconds": 5, "assignees": []}]},
            "escalation",
        ),
        ({"escalation": [{"after_seconds": 5, "assignees": ["b"]}], "escalate_to": "c"}, "escalation"),
        (
            {
                "escalation": [
                    {"after_seconds": 5, "assignees": ["b"], "notify": [{"channel": "email", "to": "x"}]}
                ]
            },
            "escalation[0].notify[0].to",
        ),
        ({"escalation_repeat": 11}, "escalation_repeat"),
    ],
)
def test_bad_chains_are_422(api: Api, extra: dict, field: str) -> None:
    addr, _ = api.register_agent(f"chain-bad-{next(NAMES)}")
    body = {
        "intent_type": "intent.test.thing.v1",
        "to_agent": addr,
        "payload": {},
        "human_task": {"title": "t"},
        **extra,
    }
    assert err(api.post("/v1/intents", body), 422, "validation_error")["details"]["field"].startswith(field)


def test_bad_chain_in_a_scenario_step_names_its_path(api: Api) -> None:
    step = {
        "step_id": "ok",
        "tool_id": "tool.human",
        "requires_approval": True,
        "human_task": {"title": "t"},
        "escalation": [
            {"after_seconds": 5, "assignees": ["b"], "notify": [{"channel": "webhook", "to": "/relative"}]}
        ],
    }
    bundle = {
        "scenario_id": "chain.bad",
        "workflow": {"steps": [step]},
        "intent": {"type": "intent.test.chain.v1"},
    }
    problems = api.ok(api.post("/v1/scenarios/validate", bundle))["problems"]
    assert [p["path"] for p in problems] == ["/workflow/steps/0/escalation/0/notify/0/to"]
    both = dict(step, escalation=[{"after_seconds": 5, "assignees": ["b"]}], escalate_to="c")
    problems = api.ok(api.post("/v1/scenarios/validate", dict(bundle, workflow={"steps": [both]})))[
        "problems"
    ]
    assert [p["path"] for p in problems] == ["/workflow/steps/0/escalation"]
