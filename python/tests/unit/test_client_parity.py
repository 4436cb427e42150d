"""The asyncio twins mirror the blocking classes method for method.

The clients' calls and `IntentHandle` are generated (`axme._sync` from `axme._async`,
by tools/unasync_clients.py): the first test fails when the generated files are stale.
What stays hand-written on both sides (`client.py` / `async_client.py`: closing and
`serve`) is kept in step by the parity check, which also holds the generated twins to
what unasync must produce: the same public methods, the same signatures (parameter
names, kinds, defaults, annotations, return type) once the async spelling of a type is
mapped to its blocking twin, every async method awaitable unless it returns a stream
iterator or a handle without doing IO, and no blocking method awaitable.
"""

from __future__ import annotations

import inspect
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from axme import AsyncAxmeClient, AxmeClient
from axme.intent_handle import AsyncIntentHandle, IntentHandle

#: Methods whose names differ on purpose (asyncio's convention for closing).
RENAMED = {"close": "aclose"}
#: Async spellings of the blocking types in annotations.
ASYNC_TYPE = re.compile(r"\bAsync(IntentHandle|Stream|DeliveryHandler)\b")
#: Async methods that return at once, without IO: a handle on an existing intent.
NOT_AWAITED = {"intent"}

PAIRS = [(AxmeClient, AsyncAxmeClient), (IntentHandle, AsyncIntentHandle)]
GENERATOR = Path(__file__).resolve().parents[2] / "tools" / "unasync_clients.py"


def test_the_generated_blocking_calls_are_current() -> None:
    checked = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def public_methods(cls: type) -> dict[str, Any]:
    return {
        name: member
        for name, member in inspect.getmembers(cls, callable)
        if not name.startswith("_")
    }


def parity_problems(blocking: type, asynchronous: type) -> list[str]:
    """Every way the async class differs from the blocking one; empty when they mirror."""
    sync_methods = public_methods(blocking)
    async_methods = public_methods(asynchronous)
    expected = {RENAMED.get(name, name): name for name in sync_methods}
    problems = [
        f"{blocking.__name__}.{expected[name]} has no async twin"
        for name in sorted(set(expected) - set(async_methods))
    ]
    problems += [
        f"{asynchronous.__name__}.{name} has no blocking twin"
        for name in sorted(set(async_methods) - set(expected))
    ]
    for name in sorted(set(expected) & set(async_methods)):
        sync_sig = str(inspect.signature(sync_methods[expected[name]]))
        async_fn = async_methods[name]
        async_sig = inspect.signature(async_fn)
        if ASYNC_TYPE.sub(r"\1", str(async_sig)) != sync_sig:
            problems.append(f"{name}: {sync_sig} (blocking) vs {async_sig} (async)")
        returns_iterator = str(async_sig.return_annotation).startswith("AsyncStream")
        awaited = name not in NOT_AWAITED and not returns_iterator
        if inspect.iscoroutinefunction(async_fn) != awaited:
            what = "awaitable" if awaited else "a plain call (it returns at once)"
            problems.append(f"{asynchronous.__name__}.{name} should be {what}")
        if inspect.iscoroutinefunction(sync_methods[expected[name]]):
            problems.append(f"{blocking.__name__}.{expected[name]} is awaitable")
    return problems


@pytest.mark.parametrize(("blocking", "asynchronous"), PAIRS, ids=lambda c: c.__name__)
def test_the_async_class_mirrors_the_blocking_one(blocking: type, asynchronous: type) -> None:
    assert parity_problems(blocking, asynchronous) == []


def test_a_missing_method_or_a_changed_signature_is_reported() -> None:
    async def cancel_intent(self: object, intent_id: str, *, why: str = "") -> None:
        """Drifted: the blocking twin takes `reason` and returns a WriteResult."""

    async def extra_helper(self: object) -> None:
        """Drifted: only on the async side."""

    namespace = public_methods(AsyncAxmeClient)
    del namespace["get_intent"]
    namespace.update(cancel_intent=cancel_intent, extra_helper=extra_helper)
    drifted = type("Drifted", (), namespace)

    problems = parity_problems(AxmeClient, drifted)
    assert "AxmeClient.get_intent has no async twin" in problems
    assert "Drifted.extra_helper has no blocking twin" in problems
    assert any(p.startswith("cancel_intent:") for p in problems), problems
    assert len(problems) == 3, problems


def test_a_blocking_method_left_awaitable_is_reported() -> None:
    async def get(self: object, **options: Any) -> None:
        """Drifted: `async def` that the generator failed to rewrite."""

    namespace = public_methods(IntentHandle)
    namespace["get"] = get
    drifted = type("IntentHandle", (), namespace)

    problems = parity_problems(drifted, AsyncIntentHandle)
    assert "IntentHandle.get is awaitable" in problems, problems
