"""The Engine: every operation mixin on top of the core, plus start-up
(bootstrap the first workspace, rebuild caches, timers and delivery lanes)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from axme_server.delivery import DeliveryOps
from axme_server.directory import DirectoryOps
from axme_server.engine import EngineCore
from axme_server.humans import HumanOps
from axme_server.intents import IntentOps
from axme_server.scenarios import ScenarioOps
from axme_server.workflow import WorkflowOps

log = logging.getLogger("axme_server")


class Engine(IntentOps, DeliveryOps, HumanOps, WorkflowOps, DirectoryOps, ScenarioOps, EngineCore):
    async def start(self, data_dir: Path | None, org: str = "local", workspace: str = "default") -> str | None:
        """Open for business. Returns the admin key on the first start of a data dir, else None.
        `org`/`workspace` name the workspace created on that first start (agent://org/workspace/…)."""
        admin_key = None
        if self.store.get_meta("default_workspace") is None:
            ws, admin_key = await self.create_workspace(org, workspace)
            await self.store.write([("meta", "default_workspace", ws["workspace_id"])])
            if data_dir is not None:
                path = data_dir / "admin.key"
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(admin_key + "\n")
                os.chmod(path, 0o600)
        count = 0
        for doc in self.store.active_intents():
            self._active[doc["intent_id"]] = doc
            if doc.get("_timers"):
                self.timers.schedule(doc["intent_id"], doc["_timers"])
            count += 1
        self.rebuild_lanes()
        self.timers.start()
        log.info("loaded %d active intents, %d timers", count, len(self.timers))
        return admin_key

    async def stop(self) -> None:
        await self.timers.stop()
