"""Scenario bundles: validate (every problem at once) and apply (provision
agents, create the intent, run the steps in order)."""

from __future__ import annotations

from typing import Any

from axme_server.engine import Ctx


class ScenarioOps:
    async def apply_scenario(self, ctx: Ctx, body: dict[str, Any]) -> bytes:
        raise NotImplementedError

    def validate_scenario(self, ctx: Ctx, body: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError
