"""`axme scenarios …`: apply (optionally watching it or printing its result) and validate."""

from __future__ import annotations

import argparse
from typing import Any

from rich.text import Text

from .._transport import redact_key
from . import render
from .common import ClientFactory, read_bundle, save_keys, saved_keys_outcome
from .intents import follow
from .settings import remember_scenario_agents


def scenarios_apply(args: argparse.Namespace, make_client: ClientFactory) -> int:
    bundle = read_bundle(args.file)
    with make_client(args) as client:
        applied = client.apply_scenario(bundle)
        base_url = client.config.resolved_base_url
        agents = [dict(a) for a in applied.agents]
        saved, problem = save_keys(
            lambda: remember_scenario_agents(
                base_url, applied.scenario_id, applied.intent_id, agents
            )
        )
        if args.json and not (args.watch or args.result):
            render.print_json(applied)
            return saved_keys_outcome(args, saved, problem)
        if not args.json:
            show_applied(applied)
        code = saved_keys_outcome(args, saved, problem)
        if args.watch:
            follow(client, applied.intent_id, args.json)
        if args.result:
            return code or print_result(client.wait_for(applied.intent_id), args.json)
        return code


def show_applied(applied: Any) -> None:
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


def print_result(final: Any, as_json: bool) -> int:
    """--result: the workflow's end: status and result (or error); 0 only when COMPLETED."""
    if as_json:
        render.print_json(final)
    else:
        render.print_fields(
            f"Intent {final.intent_id}",
            [
                ("status", render.status_text(final.status)),
                ("result", render.compact_json(final.get("result"))),
                ("error", render.compact_json(final.get("error"))),
            ],
        )
    return 0 if final.status == "COMPLETED" else 1


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
