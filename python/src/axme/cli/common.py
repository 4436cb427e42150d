"""What the command modules share: the handler type, argument parsers, bundle reading,
printing a write, and saving agent keys."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.text import Text

from .. import AxmeClient
from ..models import Intent
from . import render
from .settings import SettingsError

ClientFactory = Callable[[argparse.Namespace], AxmeClient]
Handler = Callable[[argparse.Namespace, ClientFactory], int]


def json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError("expected a JSON object")
    return value


def read_bundle(path: Path) -> dict[str, Any]:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ValueError(f"cannot read scenario bundle {path}: {exc}") from exc
    if not isinstance(value, dict):
        raise ValueError(f"{path}: a scenario bundle is a JSON object")
    return value


def show_write(args: argparse.Namespace, intent: Intent, body: Any) -> int:
    if args.json:
        render.print_json(body)
    else:
        render.console().print(
            Text(f"{intent.intent_id} → ").append_text(render.status_text(intent.status))
        )
    return 0


def save_keys(save: Callable[[], Path | None]) -> tuple[Path | None, str | None]:
    """Run `save`; (where it wrote, None) or (None, why it failed). The server shows an
    agent key only once, so a failed save must not stop the key from being printed."""
    try:
        return save(), None
    except (OSError, SettingsError) as exc:
        return None, f"the agent key could not be saved ({exc}); copy it from the output"


def saved_keys_outcome(args: argparse.Namespace, saved: Path | None, problem: str | None) -> int:
    if problem:
        sys.stderr.write(f"axme: error: {problem}\n")
        return 1
    if saved and not args.json:
        render.console().print(Text(f"agent keys saved to {saved} (mode 0600)", style="dim"))
    return 0


def show_fields(
    args: argparse.Namespace, body: Any, title: str, fields: list[tuple[str, Any]]
) -> int:
    """`--json`: the server's body; else a titled list of fields."""
    if args.json:
        render.print_json(body)
    else:
        render.print_fields(title, fields)
    return 0


def show_table(
    args: argparse.Namespace, body: Any, title: str, columns: list[str], rows: list[list[Any]]
) -> int:
    """`--json`: the server's body; else a table (or `no <title>` when empty)."""
    if args.json:
        render.print_json(body)
    else:
        render.print_table(title, columns, rows, empty=f"no {title.lower()}")
    return 0


SHOWN_ONCE = ("shown once", "store it now; use it with --api-key or AXME_API_KEY")
