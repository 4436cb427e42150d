"""Human tasks: the 8 task types, normalization of `human_task`, and
validation of a decision (outcome, required comment, evidence, form_schema)."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from axme_server.errors import ApiError
from axme_server.notify.targets import normalized_targets, notify_problems

# task_type -> (default allowed outcomes, comment required by default)
TASK_TYPES: dict[str, tuple[tuple[str, ...], bool]] = {
    "approval": (("approved", "rejected"), False),
    "confirmation": (("confirmed", "rejected"), False),
    "review": (("approved", "changes_requested", "rejected"), False),
    "assignment": (("assigned", "declined"), False),
    "form": (("submitted", "rejected"), False),
    "clarification": (("provided", "rejected"), False),
    "manual_action": (("completed", "failed"), False),
    "override": (("override_approved", "rejected"), True),
}
# outcomes that end the workflow as FAILED (error.code = the outcome)
NEGATIVE_OUTCOMES = frozenset({"rejected", "declined", "failed"})
TASK_FIELDS = frozenset(
    {
        "title",
        "description",
        "task_type",
        "allowed_outcomes",
        "required_comment",
        "evidence_required",
        "form_schema",
        "assignees",
        "notify",
        "notify_email",
    }
)


def _err(field: str, message: str) -> ApiError:
    return ApiError("validation_error", message, {"field": field})


def normalize_task(raw: Any, field: str = "human_task") -> dict[str, Any]:
    """Validate a `human_task` object and fill in defaults; ApiError(422) names the field."""
    problems = task_problems(raw, field)
    if problems:
        first = problems[0]
        raise ApiError("validation_error", first["message"], {"field": first["path"], "errors": problems})
    task_type = (
        raw.get("task_type") or "approval"
    )  # REQ-HUMAN-001: a form_schema alone does not make a form task
    outcomes, comment_default = TASK_TYPES[task_type]
    task = {
        "title": raw["title"],
        "task_type": task_type,
        "allowed_outcomes": list(raw.get("allowed_outcomes") or outcomes),
        "required_comment": bool(raw.get("required_comment", comment_default)),
        "evidence_required": bool(raw.get("evidence_required", False)),
        "assignees": list(raw.get("assignees") or []),
        "notify": normalized_targets(raw),
    }
    for optional in ("description", "form_schema"):  # omitted when absent (REQ-API-020)
        if raw.get(optional) is not None:
            task[optional] = raw[optional]
    return task


def task_problems(raw: Any, field: str) -> list[dict[str, str]]:
    """Every problem with a `human_task` object (used by create and by scenario validate)."""
    out: list[dict[str, str]] = []

    def add(path: str, code: str, message: str) -> None:
        out.append({"path": path, "code": code, "message": message})

    if not isinstance(raw, dict):
        add(field, "type", f"{field} must be an object")
        return out
    for k in raw:
        if k not in TASK_FIELDS:
            add(f"{field}.{k}", "unknown_field", f"unknown field {field}.{k}")
    title = raw.get("title")
    if not isinstance(title, str) or not title.strip():
        add(f"{field}.title", "required", f"{field}.title is required (a non-empty string)")
    if raw.get("description") is not None and not isinstance(raw["description"], str):
        add(f"{field}.description", "type", f"{field}.description must be a string")
    tt = raw.get("task_type")
    if tt is not None and tt not in TASK_TYPES:
        add(f"{field}.task_type", "enum", f"{field}.task_type must be one of {', '.join(TASK_TYPES)}")
    ao = raw.get("allowed_outcomes")
    if ao is not None and (
        not isinstance(ao, list) or not ao or not all(isinstance(o, str) and o for o in ao)
    ):
        add(
            f"{field}.allowed_outcomes",
            "type",
            f"{field}.allowed_outcomes must be a non-empty list of strings",
        )
    for flag in ("required_comment", "evidence_required"):
        if flag in raw and not isinstance(raw[flag], bool):
            add(f"{field}.{flag}", "type", f"{field}.{flag} must be a boolean")
    fs = raw.get("form_schema")
    if fs is not None:
        if not isinstance(fs, dict):
            add(f"{field}.form_schema", "type", f"{field}.form_schema must be a JSON Schema object")
        else:
            try:
                Draft202012Validator.check_schema(fs)
            except SchemaError as exc:
                add(
                    f"{field}.form_schema",
                    "schema",
                    f"{field}.form_schema is not a valid JSON Schema: {exc.message}",
                )
    asg = raw.get("assignees")
    if asg is not None and (not isinstance(asg, list) or not all(isinstance(a, str) and a for a in asg)):
        add(f"{field}.assignees", "type", f"{field}.assignees must be a list of strings")
    out.extend(notify_problems(raw, field))  # REQ-NOTIFY-001
    return out


def _fail(field: str, message: str, **extra: Any) -> ApiError:
    return ApiError("task_validation_failed", message, {"field": field, **extra})


DECISION_FIELDS = frozenset({"outcome", "comment", "data", "evidence"})


def validate_decision(task: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
    """Check a decision against its task; returns the normalized decision."""
    unknown = sorted(k for k in body if k not in DECISION_FIELDS)
    if unknown:
        raise ApiError(
            "validation_error", f"unknown field(s) in decision: {', '.join(unknown)}", {"field": unknown[0]}
        )
    outcome = body.get("outcome")
    if not isinstance(outcome, str) or not outcome:
        raise ApiError("validation_error", "outcome is required (a string)", {"field": "outcome"})
    comment = body.get("comment")
    if comment is not None and not isinstance(comment, str):
        raise ApiError("validation_error", "comment must be a string", {"field": "comment"})
    data = body.get("data")
    if data is not None and not isinstance(data, dict):
        raise ApiError("validation_error", "data must be an object", {"field": "data"})
    evidence = body.get("evidence")
    if outcome not in task["allowed_outcomes"]:
        raise _fail(
            "outcome",
            f"outcome {outcome!r} is not allowed; allowed: {', '.join(task['allowed_outcomes'])}",
            allowed=task["allowed_outcomes"],
        )
    if task["required_comment"] and not (comment and comment.strip()):
        raise _fail("comment", "this task requires a non-empty comment")
    negative = outcome in NEGATIVE_OUTCOMES
    if task["evidence_required"] and not negative:
        if evidence is None:
            evidence = (data or {}).get("evidence")
        if evidence in (None, "", [], {}):
            raise _fail("evidence", "this task requires evidence (evidence, or data.evidence)")
    schema = task.get("form_schema")
    if schema is not None and not negative:
        validator = Draft202012Validator(schema)
        errors = sorted(validator.iter_errors(data or {}), key=lambda e: list(e.path))
        if errors:
            listed = [
                {
                    "path": "/data" + "".join(f"/{p}" for p in e.path),
                    "code": str(e.validator),
                    "message": e.message,
                }
                for e in errors
            ]
            raise _fail(
                "data", f"{listed[0]['path']} does not match form_schema: {errors[0].message}", errors=listed
            )
    return {"outcome": outcome, "comment": comment, "data": data, "evidence": evidence, "negative": negative}
