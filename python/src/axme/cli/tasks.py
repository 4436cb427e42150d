"""`axme tasks …`: list (or the caller's inbox) and decide human tasks."""

from __future__ import annotations

import argparse

from . import render
from .common import ClientFactory, show_write


def tasks_list(args: argparse.Namespace, make_client: ClientFactory) -> int:
    with make_client(args) as client:
        if args.mine:  # the human key's own inbox (GET /v1/me/tasks)
            page = client.list_my_tasks(limit=args.limit)
        else:
            page = client.list_tasks(status=args.status, assignee=args.assignee, limit=args.limit)
    if args.json:
        render.print_json(page)
        return 0
    if args.quiet:  # `axme tasks approve "$(axme tasks list --mine -q | head -n 1)"`
        for task in page.tasks:
            print(task.intent_id)
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
