"""The CLI's commands: login, intents, tasks, scenarios, agents."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.live import Live
from rich.table import Table
from rich.text import Text

from .. import AxmeClient, AxmeClientConfig
from .._core import redact_key
from ..models import Event, Intent
from . import render
from .settings import (
    CONFIG_FILE,
    SettingsError,
    remember_created_agent,
    remember_scenario_agents,
    resolve_connection,
    write_private_json,
)

ClientFactory = Callable[[argparse.Namespace], AxmeClient]
Handler = Callable[[argparse.Namespace, ClientFactory], int]


def register(groups: Any, common: argparse.ArgumentParser) -> None:
    def command(
        parent: Any, name: str, handler: Handler, help_text: str
    ) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = parent.add_parser(name, parents=[common], help=help_text)
        parser.set_defaults(handler=handler)
        return parser

    def group(name: str, help_text: str) -> Any:
        return groups.add_parser(name, help=help_text).add_subparsers(
            dest="command", metavar="SUBCOMMAND", required=True
        )

    login_parser = command(groups, "login", login, "store the server URL and API key")
    login_parser.add_argument("--no-verify", action="store_true", help="do not contact the server")
    login_parser.add_argument(
        "--api-key-stdin", action="store_true", help="read the API key from standard input"
    )

    intents = group("intents", "read, watch and cancel intents")
    p = command(intents, "get", intents_get, "show one intent")
    p.add_argument("intent_id")
    p = command(intents, "list", intents_list, "list intents, newest first")
    p.add_argument("--status")
    p.add_argument("--to-agent")
    p.add_argument("--from-agent")
    p.add_argument("--limit", type=int)
    p.add_argument("--cursor")
    p = command(intents, "watch", intents_watch, "follow an intent's events live until terminal")
    p.add_argument("intent_id")
    p.add_argument("--since", type=int, default=0)
    p = command(intents, "cancel", intents_cancel, "cancel an intent")
    p.add_argument("intent_id")
    p.add_argument("--reason")
    p = command(intents, "audit", intents_audit, "show who decided what, when")
    p.add_argument("intent_id")

    tasks = group("tasks", "human tasks: list and decide")
    p = command(tasks, "list", tasks_list, "tasks waiting for a human")
    p.add_argument("--status", choices=["pending", "all"])
    p.add_argument("--assignee")
    p.add_argument("--limit", type=int)
    for name, handler, text in (
        ("approve", tasks_approve, "approve the task of an intent"),
        ("reject", tasks_reject, "reject the task of an intent"),
    ):
        p = command(tasks, name, handler, text)
        p.add_argument("intent_id")
        p.add_argument("--comment")
    p = command(tasks, "complete", tasks_complete, "complete a task with an outcome and data")
    p.add_argument("intent_id")
    p.add_argument("--outcome", default="completed")
    p.add_argument("--data", type=json_object, help="JSON object (form answers)")
    p.add_argument("--comment")

    scenarios = group("scenarios", "apply or validate scenario bundles")
    p = command(scenarios, "apply", scenarios_apply, "provision agents and start the workflow")
    p.add_argument("file", type=Path)
    p = command(scenarios, "validate", scenarios_validate, "report every problem of a bundle")
    p.add_argument("file", type=Path)

    agents = group("agents", "list and register agents")
    p = command(agents, "list", agents_list, "registered agents")
    p.add_argument("--limit", type=int)
    p = command(
        agents,
        "create",
        agents_create,
        "register an agent (prints its key, saves it to agents.json)",
    )
    p.add_argument("address")
    p.add_argument("--display-name")
    p.add_argument("--delivery-mode", choices=["stream", "poll", "http"])
    p.add_argument("--callback-url")


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


# --- login -------------------------------------------------------------------------


def login(args: argparse.Namespace, make_client: ClientFactory) -> int:
    api_key, base_url = resolve_connection(args.api_key, args.base_url)
    if args.api_key_stdin:
        if args.api_key:
            raise ValueError("pass either --api-key or --api-key-stdin, not both")
        api_key = sys.stdin.readline().strip()
        if not api_key:
            raise ValueError("--api-key-stdin: standard input has no API key")
    elif not args.api_key and sys.stdin.isatty():
        api_key = prompt_for_key(api_key)
    if not api_key:
        raise ValueError("pass --api-key (or set AXME_API_KEY) to log in")
    config = AxmeClientConfig(api_key=api_key, base_url=base_url)  # validates the URL
    if not args.no_verify:
        with AxmeClient(config) as client:
            client.list_intents(limit=1)  # proves the key works, not just that the server is up
    path = write_private_json(CONFIG_FILE, {"base_url": config.base_url, "api_key": api_key})
    if args.json:
        render.print_json({"ok": True, "base_url": config.base_url, "config": str(path)})
    else:
        render.console().print(
            f"Logged in to {config.base_url} as {redact_key(api_key)}… (saved to {path})"
        )
    return 0


def prompt_for_key(current: str | None) -> str | None:
    """Ask without echo; Enter keeps `current` (shown redacted), end of input too."""
    shown = f" [{redact_key(current)}…]" if current else ""
    try:
        typed = getpass.getpass(f"API key{shown}: ").strip()
    except EOFError:
        typed = ""
    return typed or current


# --- intents -----------------------------------------------------------------------


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
        events = client.observe(args.intent_id, since=args.since)
        if args.json:
            for event in events:
                render.print_json_line(event)
        elif sys.stdout.isatty():
            watch_live(args.intent_id, events, render.console())
        else:
            for event in events:
                render.console().print(*render.event_row(event))
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


def show_write(args: argparse.Namespace, intent: Intent, body: Any) -> int:
    if args.json:
        render.print_json(body)
    else:
        render.console().print(
            Text(f"{intent.intent_id} → ").append_text(render.status_text(intent.status))
        )
    return 0


# --- tasks -------------------------------------------------------------------------


def tasks_list(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        page = client.list_tasks(status=args.status, assignee=args.assignee, limit=args.limit)
    if args.json:
        render.print_json(page)
        return 0
    rows = [
        [
            t.intent_id,
            t.human_task.get("title") or "-",
            t.human_task.get("task_type") or "-",
            t.status or "-",
            ", ".join(str(a) for a in t.assignees) or "-",
            t.get("deadline_at") or "-",
        ]
        for t in page.tasks
    ]
    render.print_table(
        "Tasks",
        ["intent_id", "title", "type", "status", "assignees", "deadline"],
        rows,
        empty="no tasks waiting",
    )
    return 0


def tasks_approve(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        written = client.approve_task(args.intent_id, comment=args.comment)
    return show_write(args, written.intent, written)


def tasks_reject(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        written = client.reject_task(args.intent_id, comment=args.comment)
    return show_write(args, written.intent, written)


def tasks_complete(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        written = client.complete_task(
            args.intent_id, args.outcome, data=args.data, comment=args.comment
        )
    return show_write(args, written.intent, written)


# --- scenarios ---------------------------------------------------------------------


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


def scenarios_apply(args: argparse.Namespace, make_client: ClientFactory) -> int:
    bundle = read_bundle(args.file)
    with make_client(args) as client:
        applied = client.apply_scenario(bundle)
        base_url = client.config.resolved_base_url
    agents = [dict(a) for a in applied.agents]
    saved, problem = save_keys(
        lambda: remember_scenario_agents(base_url, applied.scenario_id, applied.intent_id, agents)
    )
    if args.json:
        render.print_json(applied)
        return saved_keys_outcome(args, saved, problem)
    render.print_fields(
        f"Scenario {applied.scenario_id or '-'} applied",
        [("intent_id", applied.intent_id), ("status", render.status_text(applied.status))],
    )
    rows = [
        [
            a.get("role") or "-",
            a.get("address") or "-",
            "yes" if a.get("created") else "no",
            redact_key(str(a["api_key"])) + "…" if a.get("api_key") else "-",
        ]
        for a in applied.agents
    ]
    render.print_table("Agents", ["role", "address", "created", "key"], rows, empty="no agents")
    return saved_keys_outcome(args, saved, problem)


def scenarios_validate(args: argparse.Namespace, make_client: ClientFactory) -> int:
    bundle = read_bundle(args.file)
    with make_client(args) as client:
        report = client.validate_scenario(bundle)
    if args.json:
        render.print_json(report)
    elif report.valid:
        render.console().print(Text(f"{args.file}: valid", style="green"))
    else:
        rows = [
            [p.get("path") or "-", p.get("code") or "-", p.get("message") or "-"]
            for p in report.problems
        ]
        render.print_table(
            f"{args.file}: {len(rows)} problem(s)", ["path", "code", "message"], rows
        )
    return 0 if report.valid else 1


# --- agents ------------------------------------------------------------------------


def agents_list(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        page = client.list_agents(limit=args.limit)
    if args.json:
        render.print_json(page)
        return 0
    rows = [
        [
            a.address,
            a.get("display_name") or "-",
            a.delivery_mode or "-",
            a.get("created_at") or "-",
        ]
        for a in page.agents
    ]
    render.print_table(
        "Agents", ["address", "display_name", "delivery", "created_at"], rows, empty="no agents"
    )
    return 0


def agents_create(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        created = client.register_agent(
            args.address,
            display_name=args.display_name,
            delivery_mode=args.delivery_mode,
            callback_url=args.callback_url,
        )
        base_url = client.config.resolved_base_url
    saved, problem = save_keys(
        lambda: remember_created_agent(base_url, created.agent.address, created.api_key)
    )
    if args.json:
        render.print_json(created)
    else:
        render.print_fields(
            f"Agent {created.agent.address} registered",
            [
                ("delivery_mode", created.agent.delivery_mode or "-"),
                ("api_key", created.api_key),
            ],
        )
    return saved_keys_outcome(args, saved, problem)
