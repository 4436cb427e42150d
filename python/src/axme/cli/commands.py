"""The CLI's command tree: which subcommand runs which handler with which arguments.

The handlers live in one module per command group (login, intents, tasks, scenarios,
agents, admin for keys and workspaces)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from . import admin, agents, intents, login, scenarios, tasks
from .common import Handler, json_object


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

    login_parser = command(groups, "login", login.login, "store the server URL and API key")
    login_parser.add_argument("--no-verify", action="store_true", help="do not contact the server")
    login_parser.add_argument(
        "--api-key-stdin", action="store_true", help="read the API key from standard input"
    )

    register_intents(command, group("intents", "send, read, watch and cancel intents"))
    register_tasks(command, group("tasks", "human tasks: list and decide"))

    group_ = group("scenarios", "apply or validate scenario bundles")
    p = command(
        group_, "apply", scenarios.scenarios_apply, "provision agents and start the workflow"
    )
    p.add_argument("file", type=Path)
    p.add_argument("--watch", action="store_true", help="then follow the workflow's events live")
    p.add_argument(
        "--result",
        action="store_true",
        help="then wait for the end and print status and result (exit 1 unless COMPLETED)",
    )
    p = command(
        group_, "validate", scenarios.scenarios_validate, "report every problem of a bundle"
    )
    p.add_argument("file", type=Path)

    register_agents(command, group("agents", "register, list and delete agents"))

    group_ = group("keys", "API keys: make a human key, list, revoke")
    p = command(
        group_,
        "create-human",
        admin.keys_create_human,
        "make a key for a person who decides tasks (shown once)",
    )
    p.add_argument("human_id", help="the id task assignees name (e.g. alice)")
    p.add_argument("--display-name")
    p.add_argument("--contact", help="e-mail or handle; assignees may name it too")
    p.add_argument("--name", help="the key's label (default: the human id)")
    p.add_argument("--expires-at", help="RFC 3339 time")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the key")
    command(group_, "list", admin.keys_list, "the workspace's keys (never secrets)")
    p = command(group_, "revoke", admin.keys_revoke, "revoke a key (401 from then on)")
    p.add_argument("key_id")

    group_ = group("workspaces", "a server's workspaces (operator key)")
    p = command(
        group_, "create", admin.workspaces_create, "create a workspace; prints its admin key"
    )
    p.add_argument("org")
    p.add_argument("name")
    command(group_, "list", admin.workspaces_list, "every workspace of the server")


def register_intents(command: Any, group_: Any) -> None:
    p = command(group_, "send", intents.intents_send, "send an intent to an agent; prints its id")
    p.add_argument("--to", required=True, help="agent address or bare name")
    p.add_argument(
        "--type", required=True, help="intent type, e.g. intent.infra.change_approval.v1"
    )
    p.add_argument("--payload", type=json_object, help="JSON object")
    p.add_argument(
        "--human-task", type=json_object, help="JSON object: a human step after the agent's"
    )
    p.add_argument("--correlation-id")
    p.add_argument("--deadline-at", help="RFC 3339 time")
    p.add_argument("--wait", action="store_true", help="wait until terminal, print the intent")
    p.add_argument("--timeout", type=float, help="seconds --wait waits at most")
    p = command(group_, "get", intents.intents_get, "show one intent")
    p.add_argument("intent_id")
    p = command(group_, "list", intents.intents_list, "list intents, newest first")
    p.add_argument("--status")
    p.add_argument("--to-agent")
    p.add_argument("--from-agent")
    p.add_argument("--limit", type=int)
    p.add_argument("--cursor")
    p = command(
        group_, "watch", intents.intents_watch, "follow an intent's events live until terminal"
    )
    p.add_argument("intent_id")
    p.add_argument("--since", type=int, default=0)
    p = command(group_, "cancel", intents.intents_cancel, "cancel an intent")
    p.add_argument("intent_id")
    p.add_argument("--reason")
    p = command(
        group_,
        "retry",
        intents.intents_retry,
        "retry a FAILED or TIMED_OUT intent from its failed step; prints the new attempt's id",
    )
    p.add_argument("intent_id")
    p.add_argument("--reason", help="why (kept in the new attempt's audit trail)")
    p.add_argument("--payload-patch", type=json_object, help="JSON merge patch of the payload")
    p = command(group_, "audit", intents.intents_audit, "show who decided what, when")
    p.add_argument("intent_id")


def register_tasks(command: Any, group_: Any) -> None:
    p = command(group_, "list", tasks.tasks_list, "tasks waiting for a human")
    p.add_argument("--status", choices=["pending", "all"])
    p.add_argument("--assignee")
    p.add_argument("--limit", type=int)
    p.add_argument("--mine", action="store_true", help="this human key's inbox (GET /v1/me/tasks)")
    p.add_argument("-q", "--quiet", action="store_true", help="print only the intent ids")
    p = command(group_, "watch", tasks.tasks_watch, "print new tasks of this human key, live")
    p.add_argument("--interval", type=float, default=2.0, help="seconds between looks (default 2)")
    p.add_argument("--timeout", type=float, help="stop after this many seconds (default: Ctrl-C)")
    for name, handler, text in (
        ("approve", tasks.tasks_approve, "approve the task of an intent"),
        ("reject", tasks.tasks_reject, "reject the task of an intent"),
    ):
        p = command(group_, name, handler, text)
        p.add_argument("intent_id")
        p.add_argument("--comment")
    p = command(
        group_, "complete", tasks.tasks_complete, "complete a task with an outcome and data"
    )
    p.add_argument("intent_id")
    p.add_argument("--outcome", default="completed")
    p.add_argument("--data", type=json_object, help="JSON object (form answers)")
    p.add_argument("--comment")


def register_agents(command: Any, group_: Any) -> None:
    p = command(group_, "list", agents.agents_list, "registered agents")
    p.add_argument("--limit", type=int)
    p = command(
        group_,
        "create",
        agents.agents_create,
        "register an agent (prints its key, saves it to agents.json)",
    )
    p.add_argument("address")
    p.add_argument("--display-name")
    p.add_argument("--delivery-mode", choices=["stream", "poll", "http"])
    p.add_argument("--callback-url")
    p = command(group_, "delete", agents.agents_delete, "deregister an agent; its keys are revoked")
    p.add_argument("address")
    p = command(group_, "keys", agents.agents_keys, "list an agent's keys (never secrets)")
    p.add_argument("address")
