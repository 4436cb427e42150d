"""Human tasks, scenarios and workspace administration: the calls that are not about one
intent's life or an agent's deliveries (REQ-HUMAN-*, REQ-SCENARIO-*, REQ-AUTH-*,
REQ-SECRET-*).

Each method builds its request in place (`ops.get` / `ops.post` / `ops.delete`:
operation id, path, query or body, result type) and runs it with `_call`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from .. import _operations as ops
from .. import models as m
from .._operations import segment
from .._options import reject_unknown_options
from .._transport import CallOptions
from .base import AsyncCalls


@reject_unknown_options
class AsyncTaskAndAdminCalls(AsyncCalls):
    # --- human tasks ---------------------------------------------------------------

    async def list_my_tasks(
        self, *, limit: int | None = None, cursor: str | None = None, **options: Unpack[CallOptions]
    ) -> m.TaskPage:
        """The calling human key's inbox: its pending tasks, oldest first (REQ-HUMAN-024)."""
        return await self._call(
            ops.get("listMyTasks", "/v1/me/tasks", m.TaskPage, options, limit=limit, cursor=cursor)
        )

    async def list_tasks(
        self,
        *,
        status: str | None = None,
        assignee: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.TaskPage:
        query = dict(status=status, assignee=assignee, limit=limit, cursor=cursor)
        return await self._call(ops.get("listTasks", "/v1/tasks", m.TaskPage, options, **query))

    async def decide_task(
        self,
        intent_id: str,
        outcome: str,
        *,
        comment: str | None = None,
        data: Any = None,
        evidence: Any = None,
        **options: Unpack[CallOptions],
    ) -> m.WriteResult:
        if not outcome:
            raise ValueError("a task decision needs an outcome (e.g. 'approved')")
        body = ops.compact(outcome=outcome, comment=comment, data=data, evidence=evidence)
        path = f"/v1/tasks/{segment(intent_id)}/decision"
        return await self._call(ops.post("decideTask", path, body, m.WriteResult, options))

    async def approve_task(
        self,
        intent_id: str,
        *,
        comment: str | None = None,
        data: Any = None,
        **options: Unpack[CallOptions],
    ) -> m.WriteResult:
        return await self.decide_task(intent_id, "approved", comment=comment, data=data, **options)

    async def reject_task(
        self, intent_id: str, *, comment: str | None = None, **options: Unpack[CallOptions]
    ) -> m.WriteResult:
        return await self.decide_task(intent_id, "rejected", comment=comment, **options)

    async def complete_task(
        self,
        intent_id: str,
        outcome: str = "completed",
        *,
        data: Any = None,
        comment: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.WriteResult:
        return await self.decide_task(intent_id, outcome, comment=comment, data=data, **options)

    # --- scenarios and admin ----------------------------------------------------------

    async def apply_scenario(
        self, bundle: Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> m.ScenarioApplyResult:
        body = ops.json_object(bundle, "the scenario bundle")
        return await self._call(
            ops.post("applyScenario", "/v1/scenarios/apply", body, m.ScenarioApplyResult, options)
        )

    async def validate_scenario(
        self, bundle: Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> m.ScenarioValidation:
        body = ops.json_object(bundle, "the scenario bundle")
        path = "/v1/scenarios/validate"
        return await self._call(
            ops.post("validateScenario", path, body, m.ScenarioValidation, options)
        )

    async def create_key(
        self,
        kind: str,
        name: str,
        *,
        agent_address: str | None = None,
        human: Mapping[str, Any] | None = None,
        expires_at: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.KeyWithSecret:
        body = ops.compact(
            kind=kind, name=name, agent_address=agent_address, human=human, expires_at=expires_at
        )
        return await self._call(
            ops.post("createKey", "/v1/admin/keys", body, m.KeyWithSecret, options)
        )

    async def create_workspace(
        self, org: str, name: str, **options: Unpack[CallOptions]
    ) -> m.WorkspaceWithKey:
        """A new workspace and its first admin key, shown once (operator keys, REQ-AUTH-017)."""
        body = {"org": org, "name": name}
        path = "/v1/admin/workspaces"
        return await self._call(
            ops.post("createWorkspace", path, body, m.WorkspaceWithKey, options)
        )

    async def list_workspaces(self, **options: Unpack[CallOptions]) -> m.WorkspaceList:
        path = "/v1/admin/workspaces"
        return await self._call(ops.get("listWorkspaces", path, m.WorkspaceList, options))

    async def rotate_webhook_secret(
        self, *, overlap_seconds: int | None = None, **options: Unpack[CallOptions]
    ) -> m.WebhookSecretRotated:
        """A new webhook-signing secret for the workspace, shown once (admin, REQ-SECRET-007)."""
        body = ops.compact(overlap_seconds=overlap_seconds)
        path = "/v1/workspace/webhook-secret"
        return await self._call(
            ops.post("rotateWebhookSecret", path, body, m.WebhookSecretRotated, options)
        )

    async def rotate_link_secret(
        self, *, overlap_seconds: int | None = None, **options: Unpack[CallOptions]
    ) -> m.LinkSecretRotated:
        """Replace the server's decision-link secret (operator keys, REQ-SECRET-008)."""
        body = ops.compact(overlap_seconds=overlap_seconds)
        path = "/v1/server/link-secret"
        return await self._call(
            ops.post("rotateLinkSecret", path, body, m.LinkSecretRotated, options)
        )

    async def list_keys(self, **options: Unpack[CallOptions]) -> m.KeyList:
        return await self._call(ops.get("listKeys", "/v1/admin/keys", m.KeyList, options))

    async def revoke_key(self, key_id: str, **options: Unpack[CallOptions]) -> m.ApiKey:
        path = f"/v1/admin/keys/{segment(key_id)}"
        return await self._call(ops.delete("revokeKey", path, ops.member("key", m.ApiKey), options))
