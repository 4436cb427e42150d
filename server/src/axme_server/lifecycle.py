"""The intent lifecycle as data: statuses, the transition table, the event
types, and which operation may start from which status (REQ-LIFECYCLE-004)."""

from __future__ import annotations

SUBMITTED, DELIVERED, ACKNOWLEDGED, IN_PROGRESS, WAITING = (
    "SUBMITTED",
    "DELIVERED",
    "ACKNOWLEDGED",
    "IN_PROGRESS",
    "WAITING",
)
COMPLETED, FAILED, CANCELED, TIMED_OUT = "COMPLETED", "FAILED", "CANCELED", "TIMED_OUT"
CREATED = "CREATED"

STATUSES = (
    CREATED,
    SUBMITTED,
    DELIVERED,
    ACKNOWLEDGED,
    IN_PROGRESS,
    WAITING,
    COMPLETED,
    FAILED,
    CANCELED,
    TIMED_OUT,
)
TERMINAL = frozenset({COMPLETED, FAILED, CANCELED, TIMED_OUT})
WAITING_REASONS = ("WAITING_FOR_HUMAN", "WAITING_FOR_AGENT", "WAITING_FOR_TOOL", "WAITING_FOR_TIME")

_ANY_TERMINAL = {COMPLETED, FAILED, CANCELED, TIMED_OUT}
# from-status -> statuses it may move to. A redelivery returns a leased intent to
# SUBMITTED; a finished agent step moves on to the next step (WAITING for a
# human step, SUBMITTED for the next agent step) or to a terminal status.
TRANSITIONS: dict[str, frozenset[str]] = {
    CREATED: frozenset({SUBMITTED} | _ANY_TERMINAL),
    SUBMITTED: frozenset({DELIVERED, WAITING} | _ANY_TERMINAL),
    DELIVERED: frozenset({ACKNOWLEDGED, IN_PROGRESS, WAITING, SUBMITTED} | _ANY_TERMINAL),
    ACKNOWLEDGED: frozenset({IN_PROGRESS, WAITING, SUBMITTED} | _ANY_TERMINAL),
    IN_PROGRESS: frozenset({IN_PROGRESS, WAITING, SUBMITTED} | _ANY_TERMINAL),
    WAITING: frozenset({IN_PROGRESS, WAITING, SUBMITTED} | _ANY_TERMINAL),
    COMPLETED: frozenset(),
    FAILED: frozenset(),
    CANCELED: frozenset(),
    TIMED_OUT: frozenset(),
}

_LEASED = frozenset({DELIVERED, ACKNOWLEDGED, IN_PROGRESS})
# operation -> statuses it may be applied in (anything else: 409)
OPERATIONS: dict[str, frozenset[str]] = {
    "lease": frozenset({SUBMITTED}),
    "ack": _LEASED,
    "progress": _LEASED,
    "agent_result": frozenset({SUBMITTED}) | _LEASED,
    "task_result": frozenset({WAITING}),
    "control": frozenset({SUBMITTED, DELIVERED, ACKNOWLEDGED, IN_PROGRESS, WAITING}),
    "resolve": frozenset({CREATED, SUBMITTED, DELIVERED, ACKNOWLEDGED, IN_PROGRESS, WAITING}),
    "lease_expired": _LEASED,
    "timeout": frozenset({CREATED, SUBMITTED, DELIVERED, ACKNOWLEDGED, IN_PROGRESS, WAITING}),
}

EVENT_TYPES = (
    "intent.submitted",
    "intent.delivered",
    "intent.acknowledged",
    "intent.progress",
    "intent.waiting",
    "intent.human_task_assigned",
    "intent.reminder",
    "intent.escalated",
    "intent.step_completed",
    "intent.redelivered",
    "intent.completed",
    "intent.failed",
    "intent.canceled",
    "intent.timed_out",
    "intent.delivery_failed",
)

TERMINAL_EVENT = {
    COMPLETED: "intent.completed",
    FAILED: "intent.failed",
    CANCELED: "intent.canceled",
    TIMED_OUT: "intent.timed_out",
}


def can_transition(src: str, dst: str) -> bool:
    return dst in TRANSITIONS.get(src, frozenset())


def operation_allowed(op: str, status: str) -> bool:
    return status in OPERATIONS[op]
