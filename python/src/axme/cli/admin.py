"""`axme keys …` (human keys, list, revoke) and `axme workspaces …` (create, list)."""

from __future__ import annotations

import argparse

from .common import SHOWN_ONCE, ClientFactory, show_fields, show_table


def keys_create_human(args: argparse.Namespace, make_client: ClientFactory) -> int:
    """A key for a person who decides tasks: it sees only tasks assigned to it."""
    human = {"id": args.human_id, "display_name": args.display_name or args.human_id}
    if args.contact:
        human["contact"] = args.contact
    with make_client(args) as client:
        created = client.create_key(
            "human", args.name or args.human_id, human=human, expires_at=args.expires_at
        )
    if args.quiet and not args.json:  # `KEY=$(axme keys create-human alice -q)`
        print(created.api_key)
        return 0
    fields = [("key_id", created.key.key_id), ("api_key", created.api_key), SHOWN_ONCE]
    return show_fields(args, created, f"Human key for {args.human_id}", fields)


def keys_list(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        keys = client.list_keys()
    rows = [
        [
            k.key_id,
            k.kind or "-",
            k.get("name") or "-",
            k.get("agent_address") or (k.get("human") or {}).get("id") or "-",
            k.get("revoked_at") or "-",
        ]
        for k in keys.entries
    ]
    return show_table(
        args, keys, "Keys", ["key_id", "kind", "name", "agent / human", "revoked_at"], rows
    )


def keys_revoke(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        key = client.revoke_key(args.key_id)
    return show_fields(
        args, key, f"Key {key.key_id} revoked", [("revoked_at", key.get("revoked_at"))]
    )


def workspaces_create(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        made = client.create_workspace(args.org, args.name)
    ws = made.workspace
    fields = [
        ("agents", f"agent://{ws.org}/{ws.name}/<name>"),
        ("admin api_key", made.api_key),
        SHOWN_ONCE,
    ]
    return show_fields(args, made, f"Workspace {ws.org}/{ws.name} created", fields)


def workspaces_list(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        listed = client.list_workspaces()
    rows = [
        [w.org, w.name, w.get("workspace_id") or "-", w.get("created_at") or "-"]
        for w in listed.workspaces
    ]
    return show_table(
        args, listed, "Workspaces", ["org", "name", "workspace_id", "created_at"], rows
    )
