"""`axme intents retry` against the real server (REQ-REATTEMPT-012): prints the new attempt's
id, sends --reason and --payload-patch, and a retry of a COMPLETED intent exits 1 with the 409."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .server import RunningServer

pytestmark = pytest.mark.integration


def test_intents_retry(cli: Any, server: RunningServer, namespace: tuple[str, str]) -> None:
    import axme

    client = axme.AxmeClient(axme.AxmeClientConfig(api_key=namespace[1], base_url=server.base_url))
    client.register_agent("retry-bot")
    intent_id = client.send_intent(
        {"intent_type": "intent.cli.test.v1", "to_agent": "retry-bot", "payload": {"n": 1}}
    )
    client.resolve_intent(intent_id, "FAILED")
    code, out, _ = cli(
        "intents", "retry", intent_id, "--reason", "try again", "--payload-patch", '{"n": 2}'
    )
    new_id = out.strip()
    assert code == 0 and new_id != intent_id
    attempt = client.get_intent(new_id)
    assert attempt.retry_of == intent_id and attempt.payload == {"n": 2}
    assert client.list_intent_events(new_id).events[0]["data"]["reason"] == "try again"
    client.resolve_intent(new_id, "COMPLETED", result={})
    code, out, _ = cli("intents", "retry", new_id, "--json")
    error = json.loads(out)["error"]
    assert code == 1 and error["code"] == "invalid_transition"
    assert error["details"] == {"status": "COMPLETED"}
