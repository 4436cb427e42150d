"""listen as a plan (see `_transport`): the agent's delivery stream, acked, forever.

REQ-LISTEN-*: ack before handing a delivery over; reconnect after drops,
`stream.timeout`, 429 and 5xx; stop on 401/403/404; skip deliveries that are no
longer ours (409 on ack).
"""

from __future__ import annotations

import logging
from collections import OrderedDict

from . import _operations as ops
from ._sse import (
    Deadline,
    Reconnector,
    SSEFrame,
    open_stream,
    read_stream,
    retry_delay,
    single_stream_plan,
    stream_spec,
)
from ._transport import CallOptions, Core, Emit, Plan, Sleep, loads, monotonic
from .errors import AxmeApiError, AxmeConnectionError, ConflictError, StreamError
from .models import Delivery

logger = logging.getLogger("axme")

#: How many delivery ids `listen` remembers to drop duplicates.
SEEN_DELIVERIES = 4096


def listen_plan(
    core: Core,
    address: str,
    *,
    ack: bool = True,
    options: CallOptions | None = None,
) -> Plan[None]:
    """Emit deliveries for `address` forever (acked first); survives drops, 429 and 5xx."""
    options = options or CallOptions()
    spec = stream_spec("streamAgentDeliveries", ops.agent_stream_path(address), options)
    headers = core.headers_for(spec)
    cursor: str | None = None
    seen: OrderedDict[str, None] = OrderedDict()
    reconnector = Reconnector(core, None)
    forever = Deadline(None)

    def take(frame: SSEFrame) -> Plan[bool]:
        nonlocal cursor
        if frame.event != "intent.delivery":
            return False
        delivery = parse_delivery(frame)
        cursor = frame.id or cursor
        reconnector.progressed()
        if delivery.delivery_id in seen:
            return False
        seen[delivery.delivery_id] = None
        if len(seen) > SEEN_DELIVERIES:
            seen.popitem(last=False)
        if ack:
            acked = yield from _ack(core, delivery, options)
            if acked is None:
                return False
            delivery = acked
        yield Emit(delivery)
        return False

    while True:
        connected_at = monotonic()
        opened = yield from open_stream(core, spec, headers, cursor, forever, {})
        if isinstance(opened, Exception):
            yield Sleep(retry_delay(core, reconnector, opened))
            continue
        end = yield from read_stream(opened, take)
        if end.broken is not None:
            logger.info("delivery stream interrupted: %s", type(end.broken).__name__)
        if end.clean:
            yield Sleep(reconnector.after_clean_end(connected_at))
        else:
            yield Sleep(reconnector.failed("delivery stream ended"))


def _ack(core: Core, delivery: Delivery, options: CallOptions) -> Plan[Delivery | None]:
    """Ack a delivery; None if it is no longer ours (stale, terminal) or the ack failed."""
    call = ops.ack_intent(delivery.intent_id, delivery.delivery_id, options)
    try:
        result = yield from ops.call_plan(core, call)
    except ConflictError as exc:
        logger.info(
            "skipping delivery %s of intent %s: %s",
            delivery.delivery_id,
            delivery.intent_id,
            exc.code,
        )
        return None
    except (AxmeApiError, AxmeConnectionError) as exc:
        # The lease expires and the server redelivers; nothing is lost.
        logger.warning(
            "ack of delivery %s failed (%s); it will be redelivered", delivery.delivery_id, exc
        )
        return None
    return delivery.with_lease(result.lease_expires_at)


def parse_delivery(frame: SSEFrame) -> Delivery:
    try:
        delivery = Delivery(loads(frame.data))
        delivery.delivery_id, delivery.intent_id  # noqa: B018 - validates presence
    except (ValueError, TypeError, KeyError) as exc:
        raise StreamError(f"malformed delivery frame: {frame.data[:200]!r}") from exc
    return delivery


def stream_agent_deliveries_plan(
    core: Core,
    address: str,
    *,
    since: str | None,
    wait_seconds: int | None,
    options: CallOptions,
) -> Plan[None]:
    spec = stream_spec("streamAgentDeliveries", ops.agent_stream_path(address), options)
    return single_stream_plan(
        core,
        spec,
        since=since,
        wait_seconds=wait_seconds,
        wanted=lambda f: f.event == "intent.delivery",
        parse=parse_delivery,
    )
