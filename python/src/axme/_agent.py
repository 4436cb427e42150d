"""Pure helpers of serve(): lease renewal pacing and how handler outcomes are sent."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

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
    return {"code": "agent_error", "message": str(exc) or type(exc).__name__}


def log_write_failure(what: str, delivery: Delivery, exc: Exception) -> None:
    logger.warning(
        "%s for delivery %s of intent %s failed: %s",
        what,
        delivery.delivery_id,
        delivery.intent_id,
        exc,
    )
