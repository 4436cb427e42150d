"""`axme intents …`: send, get, list, watch, cancel, retry, audit."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from .. import AxmeClient
from ..models import Event
from . import render
from .common import ClientFactory, show_write


def intents_send(args: argparse.Namespace, make_client: ClientFactory) -> int:
    """Send an intent; print its id (`ID=$(axme intents send …)`), or wait for it with --wait."""
    request = {"intent_type": args.type, "to_agent": args.to, "payload": args.payload or {}}
    for name in ("human_task", "correlation_id", "deadline_at"):
        if getattr(args, name) is not None:
            request[name] = getattr(args, name)
    with make_client(args) as client:
        intent_id = client.send_intent(request)
        final = client.wait_for(intent_id, timeout=args.timeout) if args.wait else None
    if final is not None:
        if args.json:
            render.print_json(final)
        else:
            render.print_fields(f"Intent {final.intent_id}", render.intent_fields(final))
        return 0 if final.status == "COMPLETED" else 1
    if args.json:
        render.print_json({"ok": True, "intent_id": intent_id})
    else:
        print(intent_id)
    return 0


def follow(client: AxmeClient, intent_id: str, as_json: bool, since: int = 0) -> None:
    """Print an intent's events as they happen, until it is terminal."""
    events = client.observe(intent_id, since=since)
    if as_json:
        for event in events:
            render.print_json_line(event)
    elif sys.stdout.isatty():
        watch_live(intent_id, events, render.console())
    else:
        for event in events:
            render.console().print(*render.event_row(event))


def intents_get(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        intent = client.get_intent(args.intent_id)
    if args.json:
        render.print_json(intent)
    else:
        render.print_fields(f"Intent {intent.intent_id}", render.intent_fields(intent))
    return 0


def intents_list(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        page = client.list_intents(
            status=args.status,
            to_agent=args.to_agent,
            from_agent=args.from_agent,
            limit=args.limit,
            cursor=args.cursor,
        )
    if args.json:
        render.print_json(page)
        return 0
    rows = [
        [
            i.intent_id,
            i.intent_type or "-",
            render.status_text(i.status),
            i.to_agent or "-",
            i.created_at or "-",
        ]
        for i in page.intents
    ]
    render.print_table(
        "Intents",
        ["intent_id", "type", "status", "to_agent", "created_at"],
        rows,
        empty="no intents",
    )
    if page.next_cursor:
        render.console().print(Text(f"more: --cursor {page.next_cursor}", style="dim"))
    return 0


def intents_watch(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        follow(client, args.intent_id, args.json, since=args.since)
        final = client.get_intent(args.intent_id)
    if not args.json:
        render.print_fields(f"Intent {final.intent_id}", render.intent_fields(final))
    return 0


def watch_live(intent_id: str, events: Iterable[Event], out: Console) -> list[Event]:
    """A live table that grows as events arrive, with the current status in its title."""
    seen: list[Event] = []

    def view() -> Table:
        status = seen[-1].status if seen else "connecting…"
        table = Table(title=f"{intent_id}  ·  {status}", title_justify="left")
        for name in render.EVENT_COLUMNS:
            table.add_column(name)
        for event in seen[-30:]:
            table.add_row(
                *[c if isinstance(c, Text) else Text(str(c)) for c in render.event_row(event)]
            )
        return table

    with Live(view(), console=out, refresh_per_second=8) as live:
        for event in events:
            seen.append(event)
            live.update(view())
    return seen


def intents_cancel(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        written = client.cancel_intent(args.intent_id, reason=args.reason)
    return show_write(args, written.intent, written)


def intents_retry(args: argparse.Namespace, make_client: ClientFactory) -> int:
    """A new attempt from the failed step; prints its id (`NEW=$(axme intents retry …)`)."""
    with make_client(args) as client:
        retried = client.retry_intent(
            args.intent_id, reason=args.reason, payload_patch=args.payload_patch
        )
    if args.json:
        render.print_json(retried)
    else:
        print(retried.intent_id)
    return 0


def intents_audit(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        trail = client.get_intent_audit(args.intent_id)
    if args.json:
        render.print_json(trail)
        return 0
    rows = []
    for entry in trail.audit:
        actor = entry.get("actor") or {}
        rows.append(
            [
                entry.seq,
                entry.get("at") or "-",
                entry.event_type,
                actor.get("display_name") or actor.get("id") or "-",
                entry.get("channel") or "-",
                entry.outcome or "-",
                entry.comment or "-",
            ]
        )
    render.print_table(
        f"Audit trail of {trail.intent_id}",
        ["seq", "at", "event", "actor", "channel", "outcome", "comment"],
        rows,
        empty="no audit entries",
    )
    return 0
