"""HTML responses of the pages (REQ-NOTIFY-011): the template environment, the security
headers every page carries, and the task view a template renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from axme_server.jsonutil import iso
from axme_server.notify.content import outcome_label, payload_lines
from axme_server.notify.ops import step_deadline
from axme_server.tasks import NEGATIVE_OUTCOMES

HEADERS = [
    (b"content-type", b"text/html; charset=utf-8"),
    (b"cache-control", b"no-store"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (
        b"content-security-policy",
        (
            b"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
        ),
    ),
]

env = Environment(
    loader=PackageLoader("axme_server.pages", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass
class HtmlResponse:
    status: int
    body: str
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)

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


def page(template: str, status: int = 200, **ctx: Any) -> HtmlResponse:
    return HtmlResponse(status, env.get_template(template).render(**ctx))


def message(status: int, title: str, text: str) -> HtmlResponse:
    return page("message.html", status, title=title, text=text)


def time_left(seconds: float | None) -> str | None:
    if seconds is None:
        return None
    if seconds <= 0:
        return "none"
    minutes = int(seconds // 60)
    days, hours, mins = minutes // 1440, minutes // 60 % 24, minutes % 60
    parts = [
        f"{days} d" if days else "",
        f"{hours} h" if hours else "",
        f"{mins} min" if mins or not (days or hours) else "",
    ]
    return " ".join(p for p in parts if p)


def form_fields(schema: dict[str, Any] | None) -> list[dict[str, Any]]:
    """One control per top-level property of `form_schema` (REQ-NOTIFY-012)."""
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return []
    required = set(schema.get("required") or [])
    out: list[dict[str, Any]] = []
    for name, prop in schema["properties"].items():
        prop = prop if isinstance(prop, dict) else {}
        kind = prop.get("type") if isinstance(prop.get("type"), str) else "string"
        if isinstance(prop.get("enum"), list):
            kind = "enum"
        out.append(
            {
                "name": name,
                "id": f"field-{len(out)}",
                "kind": kind,
                "label": prop.get("title") or name,
                "help": prop.get("description"),
                "required": name in required,
                "options": [str(v) for v in prop.get("enum") or []],
                "min": prop.get("minimum"),
                "max": prop.get("maximum"),
                "step": "1" if kind == "integer" else "any",
            }
        )
    return out


def task_view(
    doc: dict[str, Any], step: dict[str, Any], now: float, *, token: str, can_decide: bool, person: str
) -> dict[str, Any]:
    task = step["human_task"]
    deadline = step_deadline(doc)
    return {
        "title": task["title"],
        "description": task.get("description"),
        "initiator": doc["from_agent"],
        "payload": payload_lines(doc.get("payload")),
        "deadline_at": iso(deadline) if deadline else None,
        "time_left": time_left(deadline - now if deadline else None),
        "remind_count": doc["remind_count"],
        "outcomes": [
            {"value": o, "label": outcome_label(o), "negative": o in NEGATIVE_OUTCOMES}
            for o in task["allowed_outcomes"]
        ],
        "required_comment": task["required_comment"],
        "evidence_required": task["evidence_required"],
        "fields": form_fields(task.get("form_schema")),
        "token": token,
        "can_decide": can_decide,
        "person": person,
        "intent_id": doc["intent_id"],
    }
