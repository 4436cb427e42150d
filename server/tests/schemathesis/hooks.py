"""Schemathesis hooks for test_schemathesis.py (loaded through SCHEMATHESIS_HOOKS).

- Streams and long polls wait up to 300 s by the document; the run caps `wait_seconds` at 1 so
  each case ends quickly (the waiting itself is tested in test_streams.py).
- The run authenticates with one admin key; cases that would revoke it (and so turn every later
  case into a 401) are dropped. Every other key the run creates may be revoked."""

from __future__ import annotations

import os
from typing import Any

import schemathesis

WAITING = {"streamIntentEvents", "streamAgentDeliveries", "pollAgentDeliveries"}
OWN_KEY_ID = os.environ.get("AXME_ST_KEY_ID", "")


@schemathesis.hook
def map_case(context: Any, case: Any) -> Any:
    if case.operation.definition.raw.get("operationId") in WAITING:
        query = dict(case.query or {})
        wait = query.get("wait_seconds")
        if wait is None or (isinstance(wait, (int, float)) and not isinstance(wait, bool) and wait > 1):
            query["wait_seconds"] = 1
        case.query = query
    return case


@schemathesis.hook
def filter_case(context: Any, case: Any) -> bool:
    return not (
        case.operation.definition.raw.get("operationId") == "revokeKey"
        and (case.path_parameters or {}).get("key_id") == OWN_KEY_ID
    )
