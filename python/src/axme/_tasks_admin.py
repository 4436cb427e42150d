"""Human tasks, scenarios and workspace administration: the calls of `AxmeClient` and
`AsyncAxmeClient` that are not about one intent's life or an agent's deliveries.

Mixins, each method one line over `_call` as in the clients (REQ-HUMAN-*, REQ-SCENARIO-*,
REQ-AUTH-*, REQ-SECRET-*); the client supplies `_call`, which runs the plan.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

from . import _operations as ops
from . import models as m
from ._operations import Call
from ._options import reject_unknown_options
from ._transport import CallOptions


@reject_unknown_options
class TaskAndAdminCalls:
    """The blocking calls; `AxmeClient` runs them."""

    def _call(self, call: Call[ops.W]) -> ops.W:
        raise NotImplementedError  # AxmeClient._call

    # --- human tasks ---------------------------------------------------------------

    def list_my_tasks(
        self, *, limit: int | None = None, cursor: str | None = None, **options: Unpack[CallOptions]
    ) -> m.TaskPage:
        """The calling human key's inbox: its pending tasks, oldest first (REQ-HUMAN-024)."""
        return self._call(ops.list_my_tasks(options, limit=limit, cursor=cursor))

    def list_tasks(
        self,
        *,
        status: str | None = None,
        assignee: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.TaskPage:
        return self._call(
            ops.list_tasks(options, status=status, assignee=assignee, limit=limit, cursor=cursor)
        )

    def decide_task(
        self,
        intent_id: str,
        outcome: str,
        *,
        comment: str | None = None,
        data: Any = None,
        evidence: Any = None,
        **options: Unpack[CallOptions],
    ) -> m.WriteResult:
        body = ops.decision_body(outcome, comment, data, evidence)
        return self._call(ops.decide_task(intent_id, body, options))

    def approve_task(
        self,
        intent_id: str,
        *,
        comment: str | None = None,
        data: Any = None,
        **options: Unpack[CallOptions],
    ) -> m.WriteResult:
        return self.decide_task(intent_id, "approved", comment=comment, data=data, **options)

    def reject_task(
        self, intent_id: str, *, comment: str | None = None, **options: Unpack[CallOptions]
    ) -> m.WriteResult:
        return self.decide_task(intent_id, "rejected", comment=comment, **options)

    def complete_task(
        self,
        intent_id: str,
        outcome: str = "completed",
        *,
        data: Any = None,
        comment: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.WriteResult:
        return self.decide_task(intent_id, outcome, comment=comment, data=data, **options)

    # --- scenarios and admin ----------------------------------------------------------

    def apply_scenario(
        self, bundle: Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> m.ScenarioApplyResult:
        return self._call(ops.apply_scenario(bundle, options))

    def validate_scenario(
        self, bundle: Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> m.ScenarioValidation:
        return self._call(ops.validate_scenario(bundle, options))

    def create_key(
        self,
        kind: str,
        name: str,
        *,
        agent_address: str | None = None,
        human: Mapping[str, Any] | None = None,
        expires_at: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.KeyWithSecret:
        body = ops.key_body(kind, name, agent_address, human, expires_at)
        return self._call(ops.create_key(body, options))

    def create_workspace(
        self, org: str, name: str, **options: Unpack[CallOptions]
    ) -> m.WorkspaceWithKey:
        """A new workspace and its first admin key, shown once (operator keys, REQ-AUTH-017)."""
        return self._call(ops.create_workspace(org, name, options))

    def list_workspaces(self, **options: Unpack[CallOptions]) -> m.WorkspaceList:
        return self._call(ops.list_workspaces(options))

    def rotate_webhook_secret(
        self, *, overlap_seconds: int | None = None, **options: Unpack[CallOptions]
    ) -> m.WebhookSecretRotated:
        """A new webhook-signing secret for the workspace, shown once (admin, REQ-SECRET-007)."""
        body = ops.compact(overlap_seconds=overlap_seconds)
        return self._call(ops.rotate_webhook_secret(body, options))

    def rotate_link_secret(
        self, *, overlap_seconds: int | None = None, **options: Unpack[CallOptions]
    ) -> m.LinkSecretRotated:
        """Replace the server's decision-link secret (operator keys, REQ-SECRET-008)."""
        body = ops.compact(overlap_seconds=overlap_seconds)
        return self._call(ops.rotate_link_secret(body, options))

    def list_keys(self, **options: Unpack[CallOptions]) -> m.KeyList:
        return self._call(ops.list_keys(options))

    def revoke_key(self, key_id: str, **options: Unpack[CallOptions]) -> m.ApiKey:
        return self._call(ops.revoke_key(key_id, options))


@reject_unknown_options
class AsyncTaskAndAdminCalls:
    """The asyncio calls; `AsyncAxmeClient` runs them."""

    async def _call(self, call: Call[ops.W]) -> ops.W:
        raise NotImplementedError  # AsyncAxmeClient._call

    # --- human tasks ---------------------------------------------------------------

    async def list_my_tasks(
        self, *, limit: int | None = None, cursor: str | None = None, **options: Unpack[CallOptions]
    ) -> m.TaskPage:
        """The calling human key's inbox: its pending tasks, oldest first (REQ-HUMAN-024)."""
        return await self._call(ops.list_my_tasks(options, limit=limit, cursor=cursor))

    async def list_tasks(
        self,
        *,
        status: str | None = None,
        assignee: str | None = None,
        limit: int | None = None,
        cursor: str | None = None,
        **options: Unpack[CallOptions],
    ) -> m.TaskPage:
        return await self._call(
            ops.list_tasks(options, status=status, assignee=assignee, limit=limit, cursor=cursor)
        )

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
        body = ops.decision_body(outcome, comment, data, evidence)
        return await self._call(ops.decide_task(intent_id, body, options))

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
        return await self._call(ops.apply_scenario(bundle, options))

    async def validate_scenario(
        self, bundle: Mapping[str, Any], **options: Unpack[CallOptions]
    ) -> m.ScenarioValidation:
        return await self._call(ops.validate_scenario(bundle, options))

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
        body = ops.key_body(kind, name, agent_address, human, expires_at)
        return await self._call(ops.create_key(body, options))

    async def create_workspace(
        self, org: str, name: str, **options: Unpack[CallOptions]
    ) -> m.WorkspaceWithKey:
        """A new workspace and its first admin key, shown once (operator keys, REQ-AUTH-017)."""
        return await self._call(ops.create_workspace(org, name, options))

    async def list_workspaces(self, **options: Unpack[CallOptions]) -> m.WorkspaceList:
        return await self._call(ops.list_workspaces(options))

    async def rotate_webhook_secret(
        self, *, overlap_seconds: int | None = None, **options: Unpack[CallOptions]
    ) -> m.WebhookSecretRotated:
        """A new webhook-signing secret for the workspace, shown once (admin, REQ-SECRET-007)."""
        body = ops.compact(overlap_seconds=overlap_seconds)
        return await self._call(ops.rotate_webhook_secret(body, options))

    async def rotate_link_secret(
        self, *, overlap_seconds: int | None = None, **options: Unpack[CallOptions]
    ) -> m.LinkSecretRotated:
        """Replace the server's decision-link secret (operator keys, REQ-SECRET-008)."""
        body = ops.compact(overlap_seconds=overlap_seconds)
        return await self._call(ops.rotate_link_secret(body, options))

    async def list_keys(self, **options: Unpack[CallOptions]) -> m.KeyList:
        return await self._call(ops.list_keys(options))

    async def revoke_key(self, key_id: str, **options: Unpack[CallOptions]) -> m.ApiKey:
        return await self._call(ops.revoke_key(key_id, options))
