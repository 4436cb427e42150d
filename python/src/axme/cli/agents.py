"""`axme agents …`: list, create, delete and list an agent's keys."""

from __future__ import annotations

import argparse

from . import render
from .common import ClientFactory, save_keys, saved_keys_outcome, show_fields, show_table
from .settings import remember_created_agent


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


def agents_delete(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        removed = client.delete_agent(args.address)
    revoked = [("revoked keys", ", ".join(removed.revoked_key_ids) or "-")]
    return show_fields(args, removed, f"Agent {removed.agent.address} deleted", revoked)


def agents_keys(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        keys = client.list_agent_keys(args.address)
    rows = [
        [k.key_id, k.get("name") or "-", k.get("created_at") or "-", k.get("revoked_at") or "-"]
        for k in keys.entries
    ]
    columns = ["key_id", "name", "created_at", "revoked_at"]
    return show_table(args, keys, f"Keys of {args.address}", columns, rows)
