"""Unknown keyword arguments are a TypeError (REQ-CLIENT-007).

Client methods take per-call options as `**options: Unpack[CallOptions]`, which type
checkers check but Python does not: without this, `send_intent(intent,
owner_agent=...)` would drop `owner_agent` silently. `reject_unknown_options` wraps
every public method that has such a `**options` so that a keyword that is neither a
named parameter nor a CallOptions key raises TypeError before any request, worded
as Python words it for a plain function.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from ._transport import CallOptions

C = TypeVar("C", bound=type)

CALL_OPTION_NAMES = frozenset(CallOptions.__annotations__)


def reject_unknown_options(cls: C) -> C:
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or not inspect.isfunction(member):
            continue
        parameters = inspect.signature(member).parameters.values()
        if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
            named = (p.name for p in parameters if p.kind is not inspect.Parameter.VAR_KEYWORD)
            setattr(cls, name, _checked(member, named))
    return cls


def _checked(method: Callable[..., Any], named: Iterable[str]) -> Callable[..., Any]:
    allowed = CALL_OPTION_NAMES | set(named)

    def check(keywords: dict[str, Any]) -> None:
        for keyword in keywords:
            if keyword not in allowed:
                what = f"{method.__name__}() got an unexpected keyword argument"
                raise TypeError(f"{what} {keyword!r}")

    if inspect.iscoroutinefunction(method):

        @functools.wraps(method)
        async def checked_async(*args: Any, **keywords: Any) -> Any:
            check(keywords)
            return await method(*args, **keywords)

        return checked_async

    @functools.wraps(method)
    def checked(*args: Any, **keywords: Any) -> Any:
        check(keywords)
        return method(*args, **keywords)

    return checked
