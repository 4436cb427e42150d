"""The parts of serve() that sync and async share: lease renewal pacing, one renewal
and the write after the handler (as plans, see `_transport`). Only running the handler
next to the renewal loop differs (a thread or an asyncio task)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from . import _operations as ops
from ._transport import CallOptions, Core, Plan
from .errors import AxmeError, ConflictError
from .models import Delivery

logger = logging.getLogger("axme")

#: Renewal interval when the delivery carries no usable lease expiry.
DEFAULT_RENEW_SECONDS = 20.0
MIN_RENEW_SECONDS = 0.5


def renewal_interval(delivery: Delivery, *, now: datetime | None = None) -> float:
    """Renew at a third of the remaining lease, so two renewals can fail before it lapses."""
    expires = parse_time(delivery.lease_expires_at)
    if expires is None:
        return DEFAULT_RENEW_SECONDS
    remaining = (expires - (now or datetime.now(UTC))).total_seconds()
    return max(MIN_RENEW_SECONDS, remaining / 3)


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def handler_result(value: Any) -> Any:
    """What a handler returned, as the intent's result (None means {})."""
    if value is None:
        return {}
    if isinstance(value, Mapping):
        return dict(value)
    return value


def handler_error(exc: Exception) -> dict[str, Any]:
    """The error object a failing handler leaves on the intent (REQ-LISTEN-003)."""
    return {"code": ops.DEFAULT_ERROR_CODE, "message": str(exc) or type(exc).__name__}


def log_write_failure(what: str, delivery: Delivery, exc: Exception) -> None:
    logger.warning(
        "%s for delivery %s of intent %s failed: %s",
        what,
        delivery.delivery_id,
        delivery.intent_id,
        exc,
    )


def renew_lease_plan(core: Core, delivery: Delivery) -> Plan[Delivery | None]:
    """Re-ack while the handler runs (REQ-LISTEN-002): the delivery with its new lease,
    the same one if this renewal failed (try again), None if it is no longer ours."""
    call = ops.ack_intent(delivery.intent_id, delivery.delivery_id, CallOptions())
    try:
        acked = yield from ops.call_plan(core, call)
    except ConflictError as exc:  # stale or terminal: nothing left to renew
        log_write_failure("lease renewal", delivery, exc)
        return None
    except AxmeError as exc:
        log_write_failure("lease renewal", delivery, exc)
        return delivery
    return delivery.with_lease(acked.lease_expires_at)


def finish_delivery_plan(
    core: Core, delivery: Delivery, outcome: Any, error: Exception | None
) -> Plan[None]:
    """Resume with what the handler returned, or fail with what it raised. A write that
    fails is only logged: the lease expires and the server redelivers."""
    if error is not None:
        logger.info("handler failed for intent %s: %r", delivery.intent_id, error)
        what = "fail_intent"
        body = ops.agent_failure_body(handler_error(error), delivery.delivery_id)
    else:
        what = "resume_intent"
        body = ops.agent_result_body(handler_result(outcome), delivery.delivery_id)
    try:
        yield from ops.call_plan(core, ops.resume_intent(delivery.intent_id, body, CallOptions()))
    except AxmeError as exc:
        log_write_failure(what, delivery, exc)
