"""Escalation chains (REQ-HUMAN-013/016/025): `escalation: [{after_seconds, assignees,
notify?}, …]` with `escalation_repeat`, a step field or the intent's. Level k fires
`after_seconds` after level k−1 (level 1: after the step started) on its own timer
(`escalate_level`), independent of the reminder cycle, which restarts at each level.
`escalate_to` alone stays the one-level chain fired after the last reminder."""

from __future__ import annotations

import re
from typing import Any

from axme_server.engine import Change
from axme_server.errors import ApiError
from axme_server.notify.ops import step_deadline
from axme_server.notify.targets import target_problems

MAX_LEVELS, MAX_ASSIGNEES, MAX_REPEAT = 10, 20, 10


def chain_problems(body: dict[str, Any], prefix: str = "") -> list[dict[str, str]]:
    """Problems of `escalation` / `escalation_repeat` in a create body or a scenario step."""
    out: list[dict[str, str]] = []

    def add(path: str, code: str, message: str) -> None:
        out.append({"path": prefix + path, "code": code, "message": message})

    chain, repeat = body.get("escalation"), body.get("escalation_repeat")
    if chain is not None:
        if body.get("escalate_to") is not None:
            add("escalation", "conflict", "give escalation or escalate_to, not both")
        if not isinstance(chain, list) or not 1 <= len(chain) <= MAX_LEVELS:
            add("escalation", "type", f"escalation must be a list of 1 to {MAX_LEVELS} levels")
            chain = []
        for i, level in enumerate(chain):
            at = f"escalation[{i}]"
            if not isinstance(level, dict):
                add(at, "type", f"{at} must be an object {{after_seconds, assignees, notify?}}")
                continue
            for k in level:
                if k not in ("after_seconds", "assignees", "notify"):
                    add(f"{at}.{k}", "unknown_field", f"unknown field {at}.{k}")
            after = level.get("after_seconds")
            if isinstance(after, bool) or not isinstance(after, int) or after < 1:
                add(f"{at}.after_seconds", "type", f"{at}.after_seconds must be an integer >= 1")
            who = level.get("assignees")
            if (
                not isinstance(who, list)
                or not 1 <= len(who) <= MAX_ASSIGNEES
                or not all(isinstance(a, str) and a for a in who)
            ):
                add(
                    f"{at}.assignees",
                    "type",
                    f"{at}.assignees must be 1 to {MAX_ASSIGNEES} non-empty strings",
                )
            notify = level.get("notify")
            if notify is not None:
                if not isinstance(notify, list):
                    add(f"{at}.notify", "type", f"{at}.notify must be a list")
                else:
                    out.extend(
                        dict(p, path=prefix + p["path"])
                        for n, item in enumerate(notify)
                        for p in target_problems(item, f"{at}.notify[{n}]")
                    )
    if repeat is not None and (
        isinstance(repeat, bool) or not isinstance(repeat, int) or not 0 <= repeat <= MAX_REPEAT
    ):
        add("escalation_repeat", "type", f"escalation_repeat must be an integer from 0 to {MAX_REPEAT}")
    return out


def pointer(path: str) -> str:
    """`escalation[1].notify[0].to` -> `escalation/1/notify/0/to` (a scenario problem's path)."""
    return re.sub(r"\[(\d+)\]", r"/\1", path).replace(".", "/")


def check_chain(body: dict[str, Any]) -> None:
    problems = chain_problems(body)
    if problems:
        raise ApiError(
            "validation_error", problems[0]["message"], {"field": problems[0]["path"], "errors": problems}
        )


def step_policy(ch: Change, step: dict[str, Any], name: str) -> Any:
    """A policy field of the step, else the intent's."""
    value = step.get(name)
    return value if value is not None else ch.intent["_policy"].get(name)


def _chain(ch: Change, step: dict[str, Any]) -> tuple[list[dict[str, Any]] | None, int]:
    policy = ch.intent["_policy"]
    levels = step.get("escalation") if step.get("escalation") is not None else policy.get("escalation")
    repeat = step.get("escalation_repeat")
    if repeat is None:
        repeat = policy.get("escalation_repeat") or 0
    return levels or None, int(repeat)


def can_escalate(ch: Change, step: dict[str, Any]) -> bool:
    levels, repeat = _chain(ch, step)
    if levels:
        fired: int = step.get("escalation_fired", 0)
        return fired < len(levels) * (repeat + 1)
    return bool(step_policy(ch, step, "escalate_to")) and not step["escalated"]


def next_escalation_level(ch: Change, step: dict[str, Any]) -> dict[str, Any]:
    """The level firing now: {assignees, notify (None: the task's targets), level}."""
    levels, _ = _chain(ch, step)
    fired = step.get("escalation_fired", 0)
    step["escalation_fired"] = fired + 1
    if levels:
        level = levels[fired % len(levels)]
        step["notify_targets"] = level.get("notify")  # reminders now tell this level (None: the task's)
        return {"assignees": list(level["assignees"]), "notify": level.get("notify"), "level": fired + 1}
    return {"assignees": [step_policy(ch, step, "escalate_to")], "notify": None, "level": fired + 1}


def schedule_escalation(ch: Change, step: dict[str, Any], base: float) -> None:
    """The next chain level's timer, `after_seconds` from `base` (never at or past the deadline)."""
    timers = ch.intent["_timers"]
    timers.pop("escalate_level", None)
    step.pop("escalation_due", None)
    levels, _ = _chain(ch, step)
    if not levels or not can_escalate(ch, step):
        return
    due = base + float(levels[step.get("escalation_fired", 0) % len(levels)]["after_seconds"])
    deadline = step_deadline(ch.intent)
    if deadline is None or due < deadline:
        timers["escalate_level"] = step["escalation_due"] = due
