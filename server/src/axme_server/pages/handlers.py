"""GET /t/{token} shows the task; POST /t (token in the form body) decides (REQ-NOTIFY-011..014).
Every answer is a page: no JSON envelope, nothing recorded unless the decision is."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from axme_server.errors import ApiError
from axme_server.notify.links import LinkError
from axme_server.pages.render import HtmlResponse, form_fields, message, page, task_view

if TYPE_CHECKING:
    from axme_server.service import Engine

MAX_FIELDS = 200


class FormError(ValueError):
    pass


def _convert(field: dict[str, Any], raw: str | None) -> Any:
    """A submitted value in its form_schema type; None when left empty (REQ-NOTIFY-012)."""
    if field["kind"] == "boolean":
        return raw == "true"
    if raw is None or raw.strip() == "":
        return None
    raw = raw.strip()
    try:
        if field["kind"] == "integer":
            return int(raw)
        if field["kind"] == "number":
            value = float(raw)
            return int(value) if value.is_integer() and "." not in raw else value
    except ValueError:
        raise FormError(
            f"{field['label']} must be {'a whole number' if field['kind'] == 'integer' else 'a number'}"
        ) from None
    if field["kind"] == "enum":
        options = field["schema_enum"]
        if not raw.isdigit() or int(raw) >= len(options):
            raise FormError(f"choose one of the options for {field['label']}")
        return options[int(raw)]
    return raw


def decision_body(task: dict[str, Any], form: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"outcome": form.get("outcome", "")}
    if form.get("comment", "").strip():
        body["comment"] = form["comment"]
    if form.get("evidence", "").strip():
        body["evidence"] = [
            {"description": line.strip()} for line in form["evidence"].splitlines() if line.strip()
        ]
    schema = task.get("form_schema")
    if schema is not None:
        data = {}
        for f in form_fields(schema):
            f["schema_enum"] = schema["properties"][f["name"]].get("enum") or []
            value = _convert(f, form.get(f"data.{f['name']}"))
            if value is not None:
                data[f["name"]] = value
        body["data"] = data
    return body


def _failed(exc: LinkError) -> HtmlResponse:
    return message(exc.status, exc.title, exc.message)


async def show(engine: Engine, token: str) -> HtmlResponse:
    try:
        grant = engine.links.link_grant(token)
        doc, step = engine.links.linked_task(grant)
    except LinkError as exc:
        return _failed(exc)
    return page(
        "task.html",
        200,
        values={},
        error=None,
        **task_view(doc, step, engine.clock.now(), token=token, can_decide=grant.decide, person=grant.to),
    )


async def decide(engine: Engine, raw_body: bytes) -> HtmlResponse:
    try:
        pairs = parse_qsl(raw_body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except (UnicodeDecodeError, ValueError):
        return message(400, "This form could not be read", "Send the form from the task page again.")
    form = dict(pairs)
    token = form.get("token", "")
    try:
        grant = engine.links.link_grant(token)
        doc, step = engine.links.linked_task(grant)
        try:
            body = decision_body(step["human_task"], form)
            done = await engine.links.decide_by_link(grant, body)
        except (FormError, ApiError) as exc:
            if isinstance(exc, ApiError) and exc.status != 422:
                raise
            values = {k.removeprefix("data."): v for k, v in form.items() if k != "token"}
            return page(
                "task.html",
                422,
                values=values,
                error=str(exc) if isinstance(exc, FormError) else exc.message,
                **task_view(
                    doc, step, engine.clock.now(), token=token, can_decide=grant.decide, person=grant.to
                ),
            )
    except LinkError as exc:
        return _failed(exc)
    label = done["outcome"].replace("_", " ")
    return page(
        "message.html",
        200,
        ok=True,
        title=f"Recorded: {label}",
        text=f"Your decision ({label}) was recorded for {done['by']} at {done['decided_at']}. "
        "You can close this page.",
    )
