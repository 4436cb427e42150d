"""`axme tasks …`: list (or the caller's inbox), watch the inbox, and decide human tasks."""

from __future__ import annotations

import argparse
import json
import time

from ..models import Task
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


def tasks_watch(args: argparse.Namespace, make_client: ClientFactory) -> int:
    """Print each task that arrives in the human key's inbox (GET /v1/me/tasks), once, as it
    arrives (polled every --interval seconds), until --timeout or Ctrl-C."""
    seen: set[str] = set()
    deadline = None if args.timeout is None else time.monotonic() + args.timeout
    with make_client(args) as client:
        try:
            while True:
                cursor = None
                while True:  # every page: a busy inbox still shows its newest tasks
                    page = client.list_my_tasks(limit=200, cursor=cursor)
                    for task in page.tasks:
                        if task.intent_id not in seen:
                            seen.add(task.intent_id)
                            _print_new_task(task, args.json)
                    cursor = page.next_cursor
                    if not cursor:
                        break
                if deadline is not None and time.monotonic() >= deadline:
                    return 0
                wait = args.interval
                if deadline is not None:
                    wait = min(wait, deadline - time.monotonic())
                time.sleep(max(0.0, wait))
        except KeyboardInterrupt:
            return 0


def _print_new_task(task: Task, as_json: bool) -> None:
    data = task.to_dict()
    if as_json:
        print(json.dumps(data), flush=True)
        return
    title = (data.get("human_task") or {}).get("title") or "-"
    deadline = data.get("deadline_at") or "none"
    print(f"{data['intent_id']}  {title}  (deadline: {deadline})", flush=True)
