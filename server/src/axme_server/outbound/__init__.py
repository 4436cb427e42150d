"""Outbound work: an outbox written in the transaction that causes it, one dispatcher
that sends it over HTTP with bounded concurrency, time and size, and channels (the
http push binding now; notifications later) that build each request and settle its
outcome (REQ-PUSH-*, REQ-SECRET-*)."""

from axme_server.outbound.dispatcher import Dispatcher, OutboundSettings
from axme_server.outbound.outbox import new_row

__all__ = ["Dispatcher", "OutboundSettings", "new_row"]
