"""Scenario bundles (REQ-SCEN-001..012): `validate` reports every problem at once;
`apply` provisions missing agents (keys returned once), creates one intent and
runs the steps in order. Agents, keys and the intent commit in one transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axme_server.access import principal_address, require_admin
from axme_server.addresses import canonical
from axme_server.auth import new_key
from axme_server.engine import Ctx, EngineCore, Op
from axme_server.errors import ApiError
from axme_server.escalation import chain_problems, pointer
from axme_server.jsonutil import iso, parse_iso
from axme_server.outbound.secret_ops import check_callback_url
from axme_server.retry import bad_input_schema, input_schema_problems
from axme_server.spec import _dotted, problems_of
from axme_server.tasks import normalize_task, task_problems
from axme_server.workflow import POLICY_FIELDS, agent_step, human_step, internal_step

if TYPE_CHECKING:
    from axme_server.directory import Directory
    from axme_server.intents import Intents

HUMAN_TOOL_HINTS = ("approval", "human", "signoff")


def _list(value: dict[str, Any], name: str) -> list[Any]:
    member = value.get(name)
    return member if isinstance(member, list) else []


def _object(value: dict[str, Any], name: str) -> dict[str, Any]:
    member = value.get(name)
    return member if isinstance(member, dict) else {}


def _step_kind(step: dict[str, Any], agent_roles: set[str], human_roles: set[str]) -> str:
    rt = step.get("runtime_type")
    if rt in ("delay", "notification"):
        return "internal"
    target = step.get("assigned_to")
    if target in human_roles or rt == "human_approval":
        return "human"
    if target in agent_roles:
        return "agent"
    if step.get("requires_approval") or step.get("human_task") is not None:
        return "human"
    if (
        isinstance(step.get("tool_id"), str)
        and any(h in step["tool_id"] for h in HUMAN_TOOL_HINTS)
        and not target
    ):
        return "human"
    return "agent"


def _bundle_payload(body: dict[str, Any]) -> dict[str, Any]:
    """The intent payload a bundle creates: `intent.payload` plus `workflow.parameters` (REQ-SCEN-006)."""
    intent, workflow = body.get("intent"), body.get("workflow")
    given = intent.get("payload") if isinstance(intent, dict) else None
    payload: dict[str, Any] = dict(given) if isinstance(given, dict) else {}
    params = workflow.get("parameters") if isinstance(workflow, dict) else None
    if params is not None and "parameters" not in payload:
        payload["parameters"] = params
    return payload


def _retry_option_problems(
    path: str, step: dict[str, Any], kind: str, agent_roles: set[str], payload: dict[str, Any]
) -> list[dict[str, str]]:
    """`on_failure` and `input_schema` of one step (REQ-REATTEMPT-004, REQ-REATTEMPT-011)."""
    problems = []
    target = step.get("on_failure")
    if target is not None and (kind != "agent" or target in agent_roles):
        problems.append(
            {
                "path": f"{path}/on_failure",
                "code": "invalid_on_failure",
                "message": "on_failure belongs on an agent step and names a human role, id or contact",
            }
        )
    schema = step.get("input_schema")
    if isinstance(schema, dict):
        why = bad_input_schema(schema)
        if why is not None:
            problems.append({"path": f"{path}/input_schema", "code": "invalid_input_schema", "message": why})
        else:
            problems += input_schema_problems(schema, payload, "/intent/payload")
    return problems


class Scenarios:
    """validateScenario and applyScenario: provision agents, create the intent, run the steps."""

    def __init__(self, core: EngineCore, directory: Directory, intents: Intents) -> None:
        self.core = core
        self.directory = directory
        self.intents = intents
        self.validator: Any = None  # applyScenario's request schema (the App sets it from the spec)

    def _bundle_problems(self, ctx: Ctx, body: Any) -> list[dict[str, str]]:
        problems: list[dict[str, str]] = []

        def add(path: str, code: str, message: str) -> None:
            problems.append({"path": path, "code": code, "message": message})

        validator = self.validator
        if validator is not None:
            problems += problems_of(validator, body)
        if not isinstance(body, dict):
            return problems or [{"path": "", "code": "type", "message": "bundle must be an object"}]
        ws = self.core.workspace(ctx.principal.workspace_id)
        agents, humans = _list(body, "agents"), _list(body, "humans")
        agent_roles: set[str] = set()
        human_roles: set[str] = set()
        for i, a in enumerate(agents):
            if not isinstance(a, dict) or not isinstance(a.get("role"), str):
                continue
            if a["role"] in agent_roles:
                add(f"/agents/{i}/role", "duplicate", f"duplicate agent role {a['role']!r}")
            agent_roles.add(a["role"])
            try:
                address = canonical(a.get("address"), ws["org"], ws["name"])
            except ApiError as exc:
                add(f"/agents/{i}/address", "pattern", exc.message)
                continue
            existing = self.core.agent(address)
            if existing is not None and existing["_ws"] != ws["workspace_id"]:
                add(f"/agents/{i}/address", "forbidden", f"{address} belongs to another workspace")
            elif existing is None and not a.get("create_if_missing"):
                add(
                    f"/agents/{i}/address",
                    "agent_not_found",
                    f"agent {address} is not registered and create_if_missing is false",
                )
            if existing is None and a.get("delivery_mode") == "http":  # REQ-PUSH-001 for scenario agents
                try:
                    check_callback_url(a.get("callback_url"))
                except ApiError as exc:
                    add(f"/agents/{i}/callback_url", "callback_url", exc.message)
        for i, h in enumerate(humans):
            if isinstance(h, dict) and isinstance(h.get("role"), str):
                if h["role"] in human_roles or h["role"] in agent_roles:
                    add(f"/humans/{i}/role", "duplicate", f"duplicate role {h['role']!r}")
                human_roles.add(h["role"])
        workflow = _object(body, "workflow")
        steps = _list(workflow, "steps")
        seen: set[str] = set()
        for i, s in enumerate(steps):
            if not isinstance(s, dict):
                continue
            sid = s.get("step_id")
            if isinstance(sid, str):
                if sid in seen:
                    add(f"/workflow/steps/{i}/step_id", "duplicate", f"duplicate step_id {sid!r}")
                seen.add(sid)
            target = s.get("assigned_to")
            kind = _step_kind(s, agent_roles, human_roles)
            if isinstance(target, str) and target not in agent_roles | human_roles:
                if kind == "agent":
                    try:
                        address = canonical(target, ws["org"], ws["name"])
                        if self.core.agent(address) is None:
                            add(
                                f"/workflow/steps/{i}/assigned_to",
                                "unknown_role",
                                f"assigned_to {target!r} is neither a role of this bundle nor a registered agent",
                            )
                    except ApiError:
                        add(
                            f"/workflow/steps/{i}/assigned_to",
                            "unknown_role",
                            f"assigned_to {target!r} is not a role of this bundle",
                        )
            elif kind == "agent" and target is None and s.get("runtime_type") is None:
                add(f"/workflow/steps/{i}/assigned_to", "required", "an agent step needs assigned_to")
            if s.get("on_timeout") == "escalate" and not any(
                (s.get(k) or (body.get("intent") or {}).get(k)) for k in ("escalate_to", "escalation")
            ):
                add(f"/workflow/steps/{i}/on_timeout", "escalate_to", "on_timeout escalate needs escalate_to")
            for p in chain_problems(s):  # REQ-HUMAN-025, REQ-NOTIFY-001 for each level's targets
                add(f"/workflow/steps/{i}/" + pointer(p["path"]), p["code"], p["message"])
            if validator is None and s.get("human_task") is not None:
                for p in task_problems(s["human_task"], "human_task"):
                    add(f"/workflow/steps/{i}/" + p["path"].replace(".", "/"), p["code"], p["message"])
        payload = _bundle_payload(body)
        for i, s in enumerate(steps):
            if isinstance(s, dict):
                problems += _retry_option_problems(
                    f"/workflow/steps/{i}", s, _step_kind(s, agent_roles, human_roles), agent_roles, payload
                )
        entry = workflow.get("entry_step")
        if isinstance(entry, str) and entry not in seen:  # another type: the schema's problem
            add("/workflow/entry_step", "unknown_step", f"entry_step {entry!r} is not a step_id")
        intent = _object(body, "intent")
        if intent.get("deadline_at") is not None:
            try:
                parse_iso(intent["deadline_at"])
            except (ValueError, TypeError, AttributeError):
                add("/intent/deadline_at", "format", "deadline_at must be an RFC 3339 timestamp")
        problems.sort(key=lambda p: p["path"])
        return problems

    def validate_scenario(self, ctx: Ctx, body: Any) -> dict[str, Any]:
        require_admin(ctx.principal)
        problems = self._bundle_problems(ctx, body)
        return {"ok": True, "valid": not problems, "problems": problems}

    async def apply_scenario(self, ctx: Ctx, body: dict[str, Any]) -> bytes:
        require_admin(ctx.principal)
        problems = self._bundle_problems(ctx, body)
        if problems:
            raise ApiError(
                "validation_error",
                problems[0]["message"],
                {"field": _dotted(problems[0]["path"]), "errors": problems},
            )
        ws = self.core.workspace(ctx.principal.workspace_id)
        now = self.core.clock.now()
        ops: list[Op] = []
        provisioned = []
        role_address: dict[str, tuple[str, str | None]] = {}
        new_agents = []
        for a in body.get("agents") or []:
            address = canonical(a["address"], ws["org"], ws["name"])
            existing = self.core.agent(address)
            api_key = None
            if existing is None:
                agent = self.directory.agent_doc(
                    ws["workspace_id"],
                    address,
                    a.get("display_name"),
                    a.get("delivery_mode") or "stream",
                    a.get("callback_url"),
                )
                key, api_key = new_key(
                    "agent", ws["workspace_id"], f"agent {address}", iso(now), agent_address=address
                )
                ops += [("agent", agent), ("key", key)]
                new_agents.append((agent, key))
                existing = agent
            role_address[a["role"]] = (address, existing.get("display_name"))
            provisioned.append(
                {"role": a["role"], "address": address, "api_key": api_key, "created": api_key is not None}
            )
        humans = {h["role"]: h for h in body.get("humans") or []}
        intent = body["intent"]
        steps = []
        for s in body["workflow"]["steps"]:
            policy = {k: s.get(k) for k in POLICY_FIELDS}
            kind = _step_kind(s, set(role_address), set(humans))
            if kind == "internal":
                steps.append(internal_step(s["step_id"], s["runtime_type"], s.get("runtime_config") or {}))
            elif kind == "human":
                h = humans.get(s.get("assigned_to") or "")
                raw_task = (
                    s.get("human_task")
                    or intent.get("human_task")
                    or {"title": f"Approve step {s['step_id']}", "task_type": "approval"}
                )
                task = normalize_task(raw_task, "human_task")
                if h is not None:
                    assignees = task["assignees"] or [h.get("contact") or h["role"]]
                    name = h.get("display_name")
                else:
                    assignees = task["assignees"] or ([s["assigned_to"]] if s.get("assigned_to") else [])
                    name = None
                steps.append(human_step(s["step_id"], task, assignees, name, **policy))
            else:
                target = s["assigned_to"]
                if target in role_address:
                    address, name = role_address[target]
                else:
                    address = canonical(target, ws["org"], ws["name"])
                    name = (self.core.agent(address) or {}).get("display_name")
                steps.append(agent_step(s["step_id"], address, name, s.get("retry"), **policy))
                if s.get("on_failure"):  # REQ-REATTEMPT-011: who is asked "retry or abandon?"
                    h = humans.get(s["on_failure"])
                    steps[-1]["on_failure"] = {
                        "assignees": [h.get("contact") or h["role"]] if h else [s["on_failure"]],
                        "name": h.get("display_name") if h else None,
                    }
            if s.get("input_schema") is not None:
                steps[-1]["input_schema"] = s["input_schema"]  # REQ-REATTEMPT-004
        entry = body["workflow"].get("entry_step")
        if entry is not None:
            steps = steps[[s["step_id"] for s in steps].index(entry) :]
        first_agent = next((s["assigned_to"] for s in steps if s["kind"] == "agent"), None)
        to_agent = first_agent or (
            provisioned[0]["address"] if provisioned else principal_address(ctx.principal)
        )
        payload = _bundle_payload(body)
        deadline = parse_iso(intent["deadline_at"]) if intent.get("deadline_at") else None
        policy = {
            k: intent.get(k)
            for k in (
                "remind_after_seconds",
                "remind_interval_seconds",
                "max_reminders",
                "escalate_to",
                "on_timeout",
                "escalation",
                "escalation_repeat",
            )
        }
        doc = self.intents.new_intent_doc(
            ws["workspace_id"],
            intent["type"],
            principal_address(ctx.principal),
            to_agent,
            payload,
            steps,
            correlation_id=intent.get("correlation_id"),
            reply_to=intent.get("reply_to"),
            deadline=deadline,
            max_delivery_attempts=intent.get("max_delivery_attempts") or 3,
            policy=policy,
            human_task=next((s["human_task"] for s in steps if s["kind"] == "human"), None),
            multi=True,
            scenario_id=body["scenario_id"],
        )
        for agent, _ in new_agents:  # visible to the step offer below, undone on failure
            self.core.agent_cache[agent["address"]] = agent
        async with self.core.intent_lock(doc["intent_id"]):
            ch = self.intents.start_new(doc, ctx)
            ch.ops[:0] = ops

            def forget() -> None:
                for agent, _ in new_agents:
                    self.core.agent_cache.pop(agent["address"], None)

            ch.on_fail.append(forget)
            resp = {
                "ok": True,
                "intent_id": doc["intent_id"],
                "status": ch.intent["status"],
                "scenario_id": body["scenario_id"],
                "agents": provisioned,
            }
            out = await self.core.apply(ch, ctx, resp)
        for _, key in new_agents:
            self.core.keys.remember(key)
        return out
