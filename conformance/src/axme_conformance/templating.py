"""``${...}`` substitution inside scenario data.

``${name}`` or ``${name.path.0.field}`` reads a variable saved by an earlier step
(or a built-in: ``ns``, ``org``, ``admin_key``, ``base_url``, ``sdk``, ``uid``, and on a
private server ``operator_key``).
``${now+SECONDS}`` is the server clock plus SECONDS as an RFC 3339 timestamp;
``${httpdate+SECONDS}`` is real time plus SECONDS as an HTTP-date (Retry-After).
A string that is exactly one ``${...}`` is replaced by the raw value (so objects
and numbers keep their type); inside a longer string the value is formatted.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from email.utils import formatdate
from typing import Any

from axme_conformance.matchers import dig

_REF = re.compile(r"\$\{([^}]+)\}")
_NOW = re.compile(r"^now([+-]\d+(?:\.\d+)?)?$")
_HTTP_DATE = re.compile(r"^httpdate([+-]\d+)?$")


class TemplateError(KeyError):
    pass


def format_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


class Variables:
    def __init__(self, clock: Callable[[], datetime] | None = None) -> None:
        self.values: dict[str, Any] = {}
        self._clock = clock

    def __setitem__(self, name: str, value: Any) -> None:
        self.values[name] = value

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def lookup(self, expr: str) -> Any:
        expr = expr.strip()
        now = _NOW.match(expr)
        if now:
            if self._clock is None:
                raise TemplateError("${now} needs the server clock")
            offset = float(now.group(1) or 0)
            return format_time(self._clock() + timedelta(seconds=offset))
        http_date = _HTTP_DATE.match(expr)
        if http_date:
            # Real time (SDKs compare Retry-After dates with their own clock).
            return formatdate(time.time() + int(http_date.group(1) or 0), usegmt=True)
        head, _, rest = expr.partition(".")
        if head not in self.values:
            raise TemplateError(f"unknown variable ${{{head}}}")
        value = self.values[head]
        return dig(value, rest) if rest else value

    def render(self, data: Any) -> Any:
        if isinstance(data, str):
            whole = _REF.fullmatch(data)
            if whole:
                return self.lookup(whole.group(1))
            return _REF.sub(lambda m: _as_text(self.lookup(m.group(1))), data)
        if isinstance(data, dict):
            return {self.render(k): self.render(v) for k, v in data.items()}
        if isinstance(data, list):
            return [self.render(v) for v in data]
        return data


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))
