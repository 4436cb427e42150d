"""The notification channels of the outbound dispatcher (REQ-NOTIFY-003/007/008).

Each builds the request of a row written by `NotifyOps.notify_step` and settles it with
the dispatcher's capped backoff: a failure only changes the row (REQ-NOTIFY-004).
`webhook` is signed at send time with the workspace's webhook-signing secrets (the
signature's `t` is the wall clock of the attempt); `email` goes over SMTP with aiosmtplib."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

import aiosmtplib

from axme_server.outbound import secrets as signing
from axme_server.outbound.dispatcher import Request
from axme_server.outbound.sender import Attempt

if TYPE_CHECKING:
    from axme_server.service import Engine

USER_AGENT = "axme-server (notifications)"


@dataclass(frozen=True)
class SmtpRelay:
    host: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool  # smtps:// (implicit TLS)
    start_tls: bool  # smtp://…?starttls=1


def parse_smtp_url(url: str) -> SmtpRelay:
    """`smtp://[user:pass@]host:port[?starttls=1]` or `smtps://…` (ValueError otherwise)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(f"--smtp-url must be smtp://[user:pass@]host:port or smtps://…, not {url!r}")
    flags = parse_qs(parts.query)
    start_tls = flags.get("starttls", ["0"])[0].lower() in ("1", "true", "yes")
    return SmtpRelay(
        parts.hostname,
        parts.port or (465 if parts.scheme == "smtps" else 25),
        unquote(parts.username) if parts.username else None,
        unquote(parts.password) if parts.password else None,
        parts.scheme == "smtps",
        start_tls and parts.scheme == "smtp",
    )


class _NotifyChannel:
    name = ""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.counts: dict[str, int] = {"sent": 0, "failed": 0}

    def prepare(self, row: dict[str, Any]) -> Request | None:
        return Request(
            row["url"],
            row["body"].encode(),
            {
                "content-type": "application/json",
                "user-agent": USER_AGENT,
                "x-axme-notification-id": row["outbox_id"],
            },
        )

    async def deliver(self, row: dict[str, Any], request: Request) -> Attempt:
        sender = self.engine.outbound.sender
        assert sender is not None, "deliver runs only once the dispatcher has started"
        return await sender.post(request.url, request.body, request.headers)

    async def settle(self, row: dict[str, Any], attempt: Attempt) -> None:
        self.counts["sent" if attempt.ok else "failed"] += 1
        row = dict(row, updated_at=self.engine.clock.now())  # listNotifications' updated_at
        await self.engine.outbound.settle_with_retries(row, attempt)


class WebhookChannel(_NotifyChannel):
    name = "webhook"

    async def deliver(self, row: dict[str, Any], request: Request) -> Attempt:
        keys = await self.engine.secrets.webhook_secrets(row["meta"]["ws"])  # REQ-SECRET-005: every valid one
        request.headers["x-axme-signature"] = signing.signature_header(keys, int(time.time()), request.body)
        return await super().deliver(row, request)


class SlackWebhookChannel(_NotifyChannel):
    name = "slack_webhook"  # the incoming-webhook URL is the credential: no signature


class EmailChannel(_NotifyChannel):
    name = "email"

    async def deliver(self, row: dict[str, Any], request: Request) -> Attempt:
        settings = self.engine.notify.settings
        timeout = self.engine.outbound.settings.timeout_seconds
        started, t0 = time.time(), time.perf_counter()
        error = None
        try:
            relay = parse_smtp_url(settings.smtp_url or "")
            await aiosmtplib.send(
                request.body,
                sender=settings.smtp_from,
                recipients=[row["url"]],
                hostname=relay.host,
                port=relay.port,
                username=relay.username,
                password=relay.password,
                use_tls=relay.use_tls,
                start_tls=relay.start_tls,
                timeout=timeout,
            )
        except (aiosmtplib.SMTPException, OSError, ValueError, TimeoutError) as exc:
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        return Attempt(started, (time.perf_counter() - t0) * 1000, None, error)


def register_channels(dispatcher: Any, engine: Engine) -> None:
    for channel in (EmailChannel(engine), WebhookChannel(engine), SlackWebhookChannel(engine)):
        dispatcher.register(channel)


def notification_lines(dispatcher: Any) -> list[str]:
    """/metrics lines (REQ-NOTIFY-006): attempts by channel and outcome."""
    names = ("email", "webhook", "slack_webhook")
    lines = [
        "# HELP axme_notification_attempts_total Notification attempts by channel and outcome.",
        "# TYPE axme_notification_attempts_total counter",
    ]
    for name in names:
        channel = dispatcher.channels.get(name)
        if isinstance(channel, _NotifyChannel):
            for outcome, n in channel.counts.items():
                lines.append(f'axme_notification_attempts_total{{channel="{name}",outcome="{outcome}"}} {n}')
    waiting = dict.fromkeys(names, 0)
    for row in list(dispatcher._rows.values()):  # queued, not yet taken by a send slot
        if row["channel"] in waiting:
            waiting[row["channel"]] += 1
    lines += [
        "# HELP axme_notifications_waiting Notifications queued for their next attempt, by channel.",
        "# TYPE axme_notifications_waiting gauge",
    ]
    lines += [f'axme_notifications_waiting{{channel="{name}"}} {n}' for name, n in waiting.items()]
    return lines
