"""Contract checks: email notifications (REQ-NOTIFY-007). With a relay: a reference server
of the check's own sends through an SMTP sink on 127.0.0.1 (aiosmtpd). Without one: the
suite's server records the notification as failed, saying why."""

from __future__ import annotations

import email
import email.policy
import queue
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from axme_conformance.contract.client import CheckFailed, CheckSkipped, ContractClient, expect
from axme_conformance.contract.private import private_server
from axme_conformance.contract.registry import check

WAIT_S = 10.0
TITLE = "Approve <b>deploy</b> & ship"
DESCRIPTION = "Roll <i>v2</i> out to eu-west"
PAYLOAD = {"service": "checkout-api", "note": "<script>alert(1)</script>"}
DEADLINE = "2099-01-02T03:04:05Z"


@contextmanager
def smtp_sink() -> Iterator[tuple[int, queue.Queue[bytes]]]:
    from aiosmtpd.controller import Controller

    received: queue.Queue[bytes] = queue.Queue()

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.put(bytes(envelope.original_content or envelope.content))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, received
    finally:
        controller.stop()


def _waiting(c: ContractClient, human_task: dict[str, Any]) -> str:
    address, key = c.new_agent()
    intent_id = c.new_intent(address, human_task=human_task, payload=PAYLOAD, deadline_at=DEADLINE)
    c.complete_agent_step(address, key, intent_id, {"checked": True})
    return intent_id


def _until(c: ContractClient, intent_id: str, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_S
    while True:
        listed = c.ok(c.request("GET", f"/v1/intents/{intent_id}/notifications"))["notifications"]
        if listed and listed[0]["status"] == status:
            return dict(listed[0])
        expect(
            time.monotonic() < deadline, f"no {status} notification within {WAIT_S:g}s: {listed}"
        )
        time.sleep(0.05)


def _parts(message: EmailMessage) -> dict[str, str]:
    expect(
        message.get_content_type() == "multipart/alternative",
        f"an email must be multipart/alternative, not {message.get_content_type()}",
    )
    parts = {p.get_content_type(): str(p.get_content()) for p in message.iter_parts()}
    expect({"text/plain", "text/html"} <= set(parts), f"parts: {sorted(parts)}")
    return parts


@check("notify/email-through-the-relay", requirements=["REQ-NOTIFY-007"])
def email_through_relay(c: ContractClient) -> None:
    with (
        smtp_sink() as (port, received),
        private_server(
            c, "--smtp-url", f"smtp://127.0.0.1:{port}", "--smtp-from", "axme@example.com"
        ) as s,
    ):
        task = {
            "title": TITLE,
            "description": DESCRIPTION,
            "notify": [{"channel": "email", "to": "alice@example.com"}],
        }
        intent_id = _waiting(s, task)
        try:
            raw = received.get(timeout=WAIT_S)
        except queue.Empty:
            raise CheckFailed(f"no email reached the relay within {WAIT_S:g}s") from None
        message = email.message_from_bytes(raw, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        expect(
            TITLE in str(message["subject"]),
            f"the subject must name the title: {message['subject']}",
        )
        expect("alice@example.com" in str(message["to"]), f"To: {message['to']}")
        parts = _parts(message)
        initiator = s.intent(intent_id)["from_agent"]
        for kind, text in parts.items():
            if kind not in ("text/plain", "text/html"):
                continue
            html = kind == "text/html"
            for shown in (TITLE, DESCRIPTION, PAYLOAD["service"], PAYLOAD["note"]):
                want = (
                    shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                    if html
                    else shown
                )
                expect(want in text, f"the {kind} part must show {want!r}")
            expect(initiator in text, f"the {kind} part must name who asked ({initiator})")
            expect("2099" in text, f"the {kind} part must show the deadline ({DEADLINE})")
            expect("/t/" in text, f"the {kind} part must carry the decision links")
        expect(
            "<b>deploy</b>" not in parts["text/html"] and "<script>" not in parts["text/html"],
            "task or payload text must never become markup in the HTML part",
        )
        note = _until(s, intent_id, "sent")
        expect(
            str(message["message-id"]).strip() == f"<{note['notification_id']}@axme>",
            f"Message-ID {message['message-id']} vs notification {note['notification_id']}",
        )


@check("notify/email-without-a-relay-fails-saying-so", requirements=["REQ-NOTIFY-007"])
def email_without_relay(c: ContractClient) -> None:
    if c.data_dir is None:
        raise CheckSkipped("the suite cannot know whether this server has an SMTP relay")
    intent_id = _waiting(
        c, {"title": "t", "notify": [{"channel": "email", "to": "bob@example.com"}]}
    )
    note = _until(c, intent_id, "failed")
    error = (note.get("last_error") or "").lower()
    expect("smtp" in error or "relay" in error, f"last_error must say there is no relay: {note}")
