"""Terminal output: rich tables and colours for people, plain JSON with --json."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

STATUS_STYLES = {
    "COMPLETED": "bold green",
    "FAILED": "bold red",
    "CANCELED": "yellow",
    "TIMED_OUT": "bold magenta",
    "WAITING": "cyan",
    "IN_PROGRESS": "blue",
}


def console(stderr: bool = False) -> Console:
    stream = sys.stderr if stderr else sys.stdout
    # Not a terminal (pipes, tests): do not wrap ids at 80 columns.
    width = None if stream.isatty() else 200
    return Console(file=stream, width=width, soft_wrap=not stream.isatty())


def status_text(status: Any) -> Text:
    value = str(status or "-")
    return Text(value, style=STATUS_STYLES.get(value, ""))


def compact_json(value: Any) -> str:
    return "-" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_plain(value), indent=2, ensure_ascii=False) + "\n")


def print_json_line(value: Any) -> None:
    sys.stdout.write(json.dumps(to_plain(value), ensure_ascii=False) + "\n")
    sys.stdout.flush()


def to_plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: to_plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v) for v in value]
    return value


def print_fields(title: str, fields: Sequence[tuple[str, Any]]) -> None:
    out = console()
    out.print(Text(title, style="bold"))
    for label, value in fields:
        line = Text(f"  {label:<16}", style="dim")
        line.append_text(value if isinstance(value, Text) else Text(str(value)))
        out.print(line)


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    empty: str = "nothing to show",
) -> None:
    rows = list(rows)
    out = console()
    if not rows:
        out.print(Text(empty, style="dim"))
        return
    table = Table(title=title, title_justify="left", show_lines=False)
    for name in columns:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*[cell if isinstance(cell, Text) else Text(str(cell)) for cell in row])
    out.print(table)


def intent_fields(intent: Mapping[str, Any]) -> list[tuple[str, Any]]:
    pending = intent.get("pending_with") or {}
    fields: list[tuple[str, Any]] = [
        ("status", status_text(intent.get("status"))),
        ("intent_type", intent.get("intent_type") or "-"),
        ("from_agent", intent.get("from_agent") or "-"),
        ("to_agent", intent.get("to_agent") or "-"),
        ("waiting_reason", intent.get("waiting_reason") or "-"),
        ("pending_with", pending.get("name") or pending.get("ref") or "-"),
        (
            "delivery",
            f"attempt {intent.get('delivery_attempt', 0)}"
            f" of {intent.get('max_delivery_attempts', '-')}",
        ),
        ("created_at", intent.get("created_at") or "-"),
        ("updated_at", intent.get("updated_at") or "-"),
        ("payload", compact_json(intent.get("payload"))),
    ]
    if intent.get("result") is not None:
        fields.append(("result", compact_json(intent.get("result"))))
    if intent.get("error") is not None:
        fields.append(("error", compact_json(intent.get("error"))))
    return fields


def event_row(event: Mapping[str, Any]) -> list[Any]:
    actor = event.get("actor") or {}
    return [
        event.get("seq"),
        event.get("at") or "-",
        event.get("event_type"),
        status_text(event.get("status")),
        actor.get("display_name") or actor.get("id") or "-",
    ]


EVENT_COLUMNS = ["seq", "at", "event", "status", "actor"]
