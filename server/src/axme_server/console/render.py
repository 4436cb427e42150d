"""Console responses (REQ-CONSOLE-011): Jinja2 with autoescape, the console's templates first and
the approval page's after them (the shared decision form macro), and headers that let the page
load only its own script, style and stream."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Any

from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape

from axme_server.pages.render import HtmlResponse

# same-origin, not no-referrer: with no-referrer a browser sends `Origin: null` on the console's own forms
HEADERS = [
    (b"content-type", b"text/html; charset=utf-8"),
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (
        b"content-security-policy",
        (
            b"default-src 'none'; script-src 'self'; style-src 'self'; "
            b"connect-src 'self'; img-src 'self' data:; form-action 'self'; "
            b"frame-ancestors 'none'; base-uri 'none'"
        ),
    ),
]
STATIC_TYPES = {".css": b"text/css; charset=utf-8", ".js": b"text/javascript; charset=utf-8"}

env = Environment(
    loader=ChoiceLoader(
        [PackageLoader("axme_server.console", "templates"), PackageLoader("axme_server.pages", "templates")]
    ),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)
env.filters["pretty"] = lambda value: json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True)


@dataclass
class ConsoleResponse(HtmlResponse):
    async def send_to(self, send: Any, extra: list[tuple[bytes, bytes]]) -> None:
        data = self.body.encode()
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [*HEADERS, (b"content-length", str(len(data)).encode()), *self.headers, *extra],
            }
        )
        await send({"type": "http.response.body", "body": data})


@dataclass
class StaticResponse(HtmlResponse):
    content_type: bytes = b"text/plain"

    async def send_to(self, send: Any, extra: list[tuple[bytes, bytes]]) -> None:
        data = self.body.encode()
        await send(
            {
                "type": "http.response.start",
                "status": self.status,
                "headers": [
                    (b"content-type", self.content_type),
                    (b"content-length", str(len(data)).encode()),
                    (b"cache-control", b"public, max-age=3600"),
                    (b"x-content-type-options", b"nosniff"),
                    *extra,
                ],
            }
        )
        await send({"type": "http.response.body", "body": data})


def page(
    template: str, status: int = 200, headers: list[tuple[bytes, bytes]] | None = None, **ctx: Any
) -> ConsoleResponse:
    return ConsoleResponse(status, env.get_template(template).render(**ctx), headers or [])


def redirect(location: str, headers: list[tuple[bytes, bytes]] | None = None) -> ConsoleResponse:
    return ConsoleResponse(303, "", [(b"location", location.encode()), *(headers or [])])


def static(name: str) -> StaticResponse | None:
    suffix = name[name.rfind(".") :] if "." in name else ""
    if "/" in name or suffix not in STATIC_TYPES:
        return None
    try:
        text = resources.files("axme_server.console").joinpath("static", name).read_text("utf-8")
    except (FileNotFoundError, OSError):
        return None
    return StaticResponse(200, text, content_type=STATIC_TYPES[suffix])
