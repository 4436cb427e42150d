"""Notifications as outbound work (REQ-NOTIFY-002..004): rows written into the outbox by
the transition that causes them (assignment, reminder, escalation, timeout), one per
`notify` target, each with its own decision token (REQ-NOTIFY-009/010)."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any

from axme_server.engine import Change, EngineCore
from axme_server.jsonutil import dumps, iso, loads
from axme_server.notify import content, links
from axme_server.outbound import Dispatcher, new_row
from axme_server.outbound import secrets as signing
from axme_server.outbound.outbox import FAILED
from axme_server.outbound.secret_ops import LINK_SECRETS

CHANNELS = ("email", "webhook", "slack_webhook")
LINK_CHANNEL = {"email": "email", "slack_webhook": "slack", "webhook": "web"}  # the decision's channel


@dataclass
class NotifySettings:
    public_url: str = ""  # set to the listen URL when not given (--public-url)
    smtp_url: str | None = None
    smtp_from: str = "axme@localhost"
    max_attempts: int = 8  # REQ-NOTIFY-003
    slack_signing_secret: str | None = None

    @classmethod
    def from_env(cls) -> NotifySettings:
        return cls(
            smtp_url=os.environ.get("AXME_SMTP_URL") or None,
            slack_signing_secret=os.environ.get("AXME_SLACK_SIGNING_SECRET") or None,
        )


def step_deadline(doc: dict[str, Any]) -> float | None:
    timers = doc.get("_timers") or {}
    return min(
        [t for t in (timers.get("step_deadline"), timers.get("deadline")) if t is not None], default=None
    )


class Notify:
    """Notification rows for human steps, written into the outbox by the causing commit."""

    def __init__(
        self, core: EngineCore, outbound: Dispatcher, settings: NotifySettings | None = None
    ) -> None:
        self.core = core
        self.outbound = outbound
        self.settings = settings or NotifySettings.from_env()  # the server sets it once it listens
        self._new_link_secret: str | None = None

    def link_signing_secrets(self, ch: Change | None = None) -> list[str]:
        """Valid link-signing secrets, current first. The first token ever minted makes the
        secret, written in `ch`'s commit (again by each change until one commits: the same
        value). Without `ch` and without a stored secret nothing verifies: no token exists."""
        raw = self.core.store.get_meta(LINK_SECRETS)
        if raw is None:
            if ch is None:
                return []
            if self._new_link_secret is None:
                self._new_link_secret = dumps(
                    [{"secret": signing.generate_secret(), "expires_at": None}]
                ).decode()
            ch.ops.append(("meta", LINK_SECRETS, self._new_link_secret))
            raw = self._new_link_secret
        return signing.valid(loads(raw), self.core.clock.now())

    def notify_step(
        self, ch: Change, step: dict[str, Any], reason: str, targets: list[dict[str, str]] | None = None
    ) -> None:
        """One notification per target in `ch`'s commit (REQ-NOTIFY-002); by default the current
        holders' targets: the last escalation level's `notify`, else the task's."""
        task = step["human_task"]
        if targets is None:
            targets = step.get("notify_targets") or task.get("notify") or []
        if not targets:
            return
        doc = ch.intent
        settings = self.settings
        secret = self.link_signing_secrets(ch)[0]
        expires = links.expiry(ch.now, step_deadline(doc))
        deadline = step_deadline(doc)
        for target in targets:
            channel, to = target["channel"], target["to"]
            decide = reason != "timeout" and (not step["assignees"] or to in step["assignees"])
            token = links.mint(
                secret,
                intent_id=doc["intent_id"],
                step_id=step["step_id"],
                to=to,
                outcomes=task["allowed_outcomes"],
                decide=decide,
                channel=LINK_CHANNEL[channel],
                expires_at=expires,
            )
            ctx = {
                "reason": reason,
                "reason_text": content.REASONS[reason],
                "title": task["title"],
                "description": task.get("description"),
                "initiator": doc["from_agent"],
                "deadline_at": iso(deadline) if deadline is not None else None,
                "remind_count": doc["remind_count"],
                "payload": content.payload_lines(doc.get("payload")),
                "decide": decide,
                "outcomes": task["allowed_outcomes"],
                "intent_id": doc["intent_id"],
                "step_id": step["step_id"],
                "to": to,
                "page_url": f"{settings.public_url.rstrip('/')}/t/{token}",
            }
            notification_id = "ntf_" + uuid.uuid4().hex
            if channel == "email":
                body = content.email_message(ctx, sender=settings.smtp_from, notification_id=notification_id)
            elif channel == "webhook":
                body = content.webhook_body(ctx, notification_id, task)
            else:
                body = dumps(content.slack_message(ctx, token))
            row = new_row(
                notification_id,
                channel,
                to,
                body,
                ch.now,
                intent_id=doc["intent_id"],
                max_attempts=settings.max_attempts,
                meta={"step_id": step["step_id"], "to": to, "reason": reason, "ws": doc["_ws"]},
            )
            if channel == "email" and not settings.smtp_url:  # REQ-NOTIFY-007: recorded, never sent
                row.update(status=FAILED, last_error="no SMTP relay is configured (--smtp-url)")
            ch.ops.append(("outbox", row))
            if row["status"] != FAILED:

                def enqueue(r: dict[str, Any] = row) -> None:  # binds this row, not the loop's last
                    self.outbound.enqueue(r)

                ch.after.append(enqueue)


def add_flags(ap: Any) -> None:
    ap.add_argument(
        "--public-url",
        default=os.environ.get("AXME_PUBLIC_URL"),
        help="root of the links in notifications (default: the listen URL)",
    )
    ap.add_argument(
        "--smtp-url",
        default=os.environ.get("AXME_SMTP_URL"),
        help="SMTP relay for email notifications: smtp://[user:pass@]host:port[?starttls=1] or smtps://…",
    )
    ap.add_argument(
        "--smtp-from",
        default=os.environ.get("AXME_SMTP_FROM", "axme@localhost"),
        help="From address of email notifications",
    )
    ap.add_argument(
        "--slack-signing-secret",
        default=os.environ.get("AXME_SLACK_SIGNING_SECRET"),
        help="enables POST /slack/interactions (Slack buttons decide)",
    )
    ap.add_argument("--notify-max-attempts", type=int, default=8, help="attempts per notification, 1..100")


def settings_from_args(args: Any, base_url: str) -> NotifySettings:
    """ValueError on a bad --smtp-url / --public-url (the server does not start)."""
    from axme_server.notify.channels import parse_smtp_url

    if args.smtp_url:
        parse_smtp_url(args.smtp_url)
    public = args.public_url or base_url
    if not public.startswith(("http://", "https://")):
        raise ValueError(f"--public-url must be an absolute http(s) URL, not {public!r}")
    return NotifySettings(
        public_url=public.rstrip("/"),
        smtp_url=args.smtp_url or None,
        smtp_from=args.smtp_from,
        max_attempts=min(100, max(1, args.notify_max_attempts)),
        slack_signing_secret=args.slack_signing_secret or None,
    )
