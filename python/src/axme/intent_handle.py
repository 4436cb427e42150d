"""The intent handle (REQ-CLIENT-010): what `submit_intent` returns.

    intent = client.submit_intent({"intent_type": ..., "to_agent": ..., "payload": {...}})
    final = intent.wait(timeout=60)          # or: for event in intent.observe(): ...
    intent.cancel(reason="no longer needed")  # or complete(result) / fail(error)

It carries the intent id and acts on that intent only. `complete` and `fail` are the
initiator's writes (resolveIntent, REQ-RESOLVE-002); the handling agent resumes
instead (`resume_intent` / `fail_intent`). `client.intent(intent_id)` gives the handle
of an intent that already exists, without a request.

`AsyncIntentHandle` is written once, in `_async/intent_handle.py`; `IntentHandle`, its
blocking twin, is generated from it (`_sync/intent_handle.py`, tools/unasync_clients.py).
"""

from __future__ import annotations

from ._async.intent_handle import AsyncIntentHandle
from ._operations import DEFAULT_FAILURE_CODE as DEFAULT_FAILURE_CODE
from ._sync.intent_handle import IntentHandle

__all__ = ["AsyncIntentHandle", "IntentHandle"]
