"""REQ-NOTIFY-001: notify targets in the spec's own shape `{channel, to}` are accepted;
an unknown channel, an email `to` that is not an address, a webhook `to` that is not an
absolute http(s) URL are 422 naming the field path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "spec" / "examples" / "human_task" / "valid"


def _create(api, human_task):
    if not hasattr(api, "_agent"):
        api._agent = api.register_agent("notify-targets")[0]
    return api.post(
        "/v1/intents",
        {
            "intent_type": "intent.test.thing.v1",
            "to_agent": api._agent,
            "payload": {},
            "human_task": human_task,
        },
    )


def test_spec_example_with_notify_targets_is_accepted(api) -> None:
    task = json.loads((EXAMPLES / "form-with-schema.json").read_text())
    intent_id = api.ok(_create(api, task))["intent_id"]
    intent = api.intent(intent_id)
    assert intent["human_task"]["notify"] == [{"channel": "email", "to": "alice@example.com"}]


def test_notify_email_shorthand_is_an_email_target(api) -> None:
    intent_id = api.ok(
        _create(
            api,
            {
                "title": "t",
                "notify_email": "bob@example.com",
                "notify": [{"channel": "webhook", "to": "https://hooks.example.com/x"}],
            },
        )
    )["intent_id"]
    assert api.intent(intent_id)["human_task"]["notify"] == [
        {"channel": "webhook", "to": "https://hooks.example.com/x"},
        {"channel": "email", "to": "bob@example.com"},
    ]


@pytest.mark.parametrize(
    ("notify", "field"),
    [
        ([{"channel": "sms", "to": "+15550100"}], "human_task.notify[0].channel"),
        (
            [{"channel": "email", "to": "alice@example.com"}, {"channel": "email", "to": "not an address"}],
            "human_task.notify[1].to",
        ),
        ([{"channel": "email", "to": "Alice <alice@example.com>"}], "human_task.notify[0].to"),
        ([{"channel": "webhook", "to": "/relative/path"}], "human_task.notify[0].to"),
        ([{"channel": "slack_webhook", "to": "ftp://hooks.example.com/x"}], "human_task.notify[0].to"),
        ([{"type": "email", "target": "alice@example.com"}], "human_task.notify[0]"),
    ],
)
def test_bad_notify_target_is_422_with_field_path(api, notify, field) -> None:
    resp = _create(api, {"title": "t", "notify": notify})
    assert resp.status_code == 422, resp.text
    error = resp.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"]["field"].startswith(field), error


def test_bad_notify_email_is_422(api) -> None:
    resp = _create(api, {"title": "t", "notify_email": "nope"})
    assert resp.status_code == 422
    assert resp.json()["error"]["details"]["field"] == "human_task.notify_email"
