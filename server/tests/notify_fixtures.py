"""Real parts for the notification tests: an SMTP sink (aiosmtpd) standing in for the
on-call person's mailbox, an HTTP receiver for webhooks, and headless Chromium driven
by Playwright (Debian's chromium; `playwright install` is never needed)."""

from __future__ import annotations

import email
import email.policy
import queue
import re
import socket
from email.message import EmailMessage
from pathlib import Path

from aiosmtpd.controller import Controller

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """An SMTP server on 127.0.0.1 that keeps every message it is given."""

    def __init__(self, port: int | None = None) -> None:
        self.messages: queue.Queue[tuple[list[str], EmailMessage]] = queue.Queue()
        self.port = port or free_port()
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{self.port}"

    async def handle_DATA(self, server, session, envelope) -> str:
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.put((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def next(self, timeout: float = 10) -> tuple[list[str], EmailMessage]:
        return self.messages.get(timeout=timeout)

    def close(self) -> None:
        self.controller.stop()


def text_of(msg: EmailMessage, subtype: str) -> str:
    part = msg.get_body((subtype,))
    assert part is not None, f"no text/{subtype} part"
    return part.get_content()


def link_in(msg: EmailMessage) -> str:
    return re.search(r"https?://\S+/t/[A-Za-z0-9_.-]+", text_of(msg, "plain")).group(0)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
