"""What a notification says (REQ-NOTIFY-007/008): one context per target, rendered as a
multipart email (Jinja2, autoescape on for HTML), a webhook JSON body, or a Slack
Block Kit message built with slack_sdk's models. Rendered once, when the notification
is written, so every retry (and a resend after a restart) carries the same bytes."""

from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from axme_server.jsonutil import dumps

REASONS = {
    "assigned": "Your decision is needed",
    "reminder": "Reminder",
    "escalated": "Escalated to you",
    "timeout": "Deadline passed",
}
MAX_PAYLOAD_LINES, MAX_VALUE_CHARS = 20, 300
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")

_env = Environment(
    loader=PackageLoader("axme_server.notify", "templates"),
    autoescape=select_autoescape(["html"], default_for_string=False),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


LABELS = {
    "approved": "Approve",
    "rejected": "Reject",
    "confirmed": "Confirm",
    "changes_requested": "Request changes",
    "assigned": "Accept",
    "declined": "Decline",
    "submitted": "Submit",
    "provided": "Provide",
    "completed": "Done",
    "failed": "Failed",
    "override_approved": "Approve override",
}


def outcome_label(outcome: str) -> str:
    """The button's name: `approved` -> `Approve`; a custom `ship_it` -> `Ship it`."""
    return LABELS.get(outcome) or outcome.replace("_", " ").capitalize()


def payload_lines(payload: Any) -> list[tuple[str, str]]:
    """The payload as (key, value) lines a person can read: top-level members, values as
    text (JSON for nested ones), long values cut."""
    if not isinstance(payload, dict):
        payload = {"payload": payload}
    out = []
    for key, value in list(payload.items())[:MAX_PAYLOAD_LINES]:
        text = value if isinstance(value, str) else dumps(value).decode()
        out.append((str(key), text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"))
    if len(payload) > MAX_PAYLOAD_LINES:
        out.append(("…", f"{len(payload) - MAX_PAYLOAD_LINES} more"))
    return out


def one_line(text: str) -> str:
    """A header-safe line: control characters (a CR/LF would inject headers) become spaces."""
    return _CONTROL.sub(" ", text).strip()


def email_message(ctx: dict[str, Any], *, sender: str, notification_id: str) -> bytes:
    msg = EmailMessage()
    msg["Subject"] = one_line(f"[AXME] {ctx['reason_text']}: {ctx['title']}")[:250]
    msg["From"] = sender
    msg["To"] = ctx["to"]
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = f"<{notification_id}@axme>"  # stable: a resend is recognisably the same message
    msg["X-Axme-Notification-Id"] = notification_id
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(_env.get_template("email.txt").render(**ctx))
    msg.add_alternative(_env.get_template("email.html").render(**ctx), subtype="html")
    return bytes(msg)


def webhook_body(ctx: dict[str, Any], notification_id: str, human_task: dict[str, Any]) -> bytes:
    return dumps(
        {
            "notification_id": notification_id,
            "reason": ctx["reason"],
            "intent_id": ctx["intent_id"],
            "step_id": ctx["step_id"],
            "human_task": human_task,
            "initiator": ctx["initiator"],
            "deadline_at": ctx["deadline_at"],
            "to": ctx["to"],
            "links": {"page": ctx["page_url"], "can_decide": ctx["decide"]},
        }
    )


def _mrkdwn(text: str) -> str:
    """Slack mrkdwn escaping: only &, < and > are special."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_message(ctx: dict[str, Any], token: str) -> dict[str, Any]:
    """Block Kit: the task, who asked and the deadline, one button per outcome (value = the
    decision token, for a deciding target), and a link button to the page."""
    summary = f"*{_mrkdwn(ctx['reason_text'])}: {_mrkdwn(ctx['title'])}*"
    if ctx.get("description"):
        summary += "\n" + _mrkdwn(ctx["description"])
    blocks: list[Any] = [SectionBlock(text=MarkdownTextObject(text=summary[:3000]))]
    facts = [f"Asked by {ctx['initiator']}"]
    if ctx["deadline_at"]:
        facts.append(f"deadline {ctx['deadline_at']}")
    if ctx["payload"]:
        facts.append("; ".join(f"{k}: {v}" for k, v in ctx["payload"])[:500])
    blocks.append(ContextBlock(elements=[PlainTextObject(text=f[:2000]) for f in facts][:10]))
    buttons: list[ButtonElement] = []
    if ctx["decide"]:
        for outcome in ctx["outcomes"][:4]:
            style = "danger" if outcome in ("rejected", "declined", "failed") else "primary"
            buttons.append(
                ButtonElement(
                    text=outcome_label(outcome)[:75],
                    action_id=f"axme_decide:{outcome}",
                    value=token,
                    style=style,
                )
            )
    buttons.append(ButtonElement(text="Open the task", action_id="axme_open", url=ctx["page_url"]))
    blocks.append(ActionsBlock(block_id="axme_task", elements=buttons))
    return {
        "text": one_line(f"{ctx['reason_text']}: {ctx['title']}")[:3000],
        "blocks": [b.to_dict() for b in blocks],
    }
