"""`notify` targets of a human task (REQ-NOTIFY-001): `{channel, to}` with the address
or URL checked per channel; `notify_email` is shorthand for one email target."""

from __future__ import annotations

import re
from typing import Any

from axme_server.errors import ApiError
from axme_server.outbound.secret_ops import check_callback_url

CHANNELS = ("email", "webhook", "slack_webhook")
MAX_EMAIL = 254
# one bare addr-spec: no display name, no whitespace, exactly one @, a dotted domain
_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


def is_email(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= MAX_EMAIL and bool(_EMAIL.match(value))


def is_http_url(value: Any) -> bool:
    try:
        check_callback_url(value)
    except ApiError:
        return False
    return True


def target_problems(raw: Any, path: str) -> list[dict[str, str]]:
    """Problems `{path, code, message}` of one `notify` item at `path` (e.g. human_task.notify[0])."""
    if not isinstance(raw, dict):
        return [{"path": path, "code": "type", "message": f"{path} must be an object {{channel, to}}"}]
    out = [
        {"path": f"{path}.{k}", "code": "unknown_field", "message": f"unknown field {path}.{k}"}
        for k in raw
        if k not in ("channel", "to")
    ]
    channel, to = raw.get("channel"), raw.get("to")
    if channel not in CHANNELS:
        out.append(
            {
                "path": f"{path}.channel",
                "code": "enum",
                "message": f"{path}.channel must be one of {', '.join(CHANNELS)}",
            }
        )
    elif channel == "email" and not is_email(to):
        out.append(
            {
                "path": f"{path}.to",
                "code": "format",
                "message": f"{path}.to must be one email address (local@domain)",
            }
        )
    elif channel != "email" and not is_http_url(to):
        out.append(
            {
                "path": f"{path}.to",
                "code": "format",
                "message": f"{path}.to must be an absolute http(s) URL with a host",
            }
        )
    return out


def notify_problems(raw_task: dict[str, Any], field: str) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    notify = raw_task.get("notify")
    if notify is not None:
        if not isinstance(notify, list):
            out.append(
                {"path": f"{field}.notify", "code": "type", "message": f"{field}.notify must be a list"}
            )
        else:
            for i, item in enumerate(notify):
                out.extend(target_problems(item, f"{field}.notify[{i}]"))
    email = raw_task.get("notify_email")
    if email is not None and not is_email(email):
        out.append(
            {
                "path": f"{field}.notify_email",
                "code": "format",
                "message": f"{field}.notify_email must be one email address (local@domain)",
            }
        )
    return out


def normalized_targets(raw_task: dict[str, Any]) -> list[dict[str, str]]:
    """The task's targets, `notify_email` appended as an email target, duplicates dropped."""
    out: list[dict[str, str]] = []
    for item in [
        *(raw_task.get("notify") or []),
        *([{"channel": "email", "to": raw_task["notify_email"]}] if raw_task.get("notify_email") else []),
    ]:
        target = {"channel": item["channel"], "to": item["to"]}
        if target not in out:
            out.append(target)
    return out
