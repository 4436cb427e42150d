"""The Engine: every operation mixin on top of the core, plus start-up
(bootstrap the first workspace, rebuild delivery lanes, load near timers)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from axme_server.delivery import DeliveryOps
from axme_server.directory import DirectoryOps
from axme_server.engine import EngineCore
from axme_server.escalation import EscalationOps
from axme_server.failure_review import FailureReviewOps
from axme_server.humans import HumanOps
from axme_server.intents import IntentOps
from axme_server.notify.decide import DecisionLinkOps
from axme_server.notify.ops import NotifyOps
from axme_server.outbound.secret_ops import SecretOps
from axme_server.retry import RetryOps
from axme_server.scenarios import ScenarioOps
from axme_server.workflow import WorkflowOps

log = logging.getLogger("axme_server")


class Engine(
    RetryOps,
    FailureReviewOps,
    IntentOps,
    DeliveryOps,
    HumanOps,
    WorkflowOps,
    DirectoryOps,
    ScenarioOps,
    SecretOps,
    NotifyOps,
    DecisionLinkOps,
    EscalationOps,
    EngineCore,
):
    async def start(
        self, data_dir: Path | None, org: str | None = None, workspace: str | None = None
    ) -> str | None:
        """Open for business. Returns the admin key of a workspace created now, else None.

        On the first start of a data dir, `org`/`workspace` (default local/default) name the
        first (operator) workspace. Later, naming a workspace that does not exist creates it
        with its own admin key; naming one that exists is said on stderr (REQ-AUTH-014)."""
        admin_key = None
        first = self.store.get_meta("default_workspace")
        if first is None:
            ws, admin_key = await self.create_workspace(org or "local", workspace or "default")
            await self.store.write([("meta", "default_workspace", ws["workspace_id"])])
            _save_key(data_dir, "admin.key", admin_key)
        elif org or workspace:
            operator = self.workspace(first)
            org, workspace = org or operator["org"], workspace or operator["name"]
            if self.find_workspace(org, workspace) is not None:
                log.warning(
                    "workspace %s/%s already exists on this data dir; its admin key was printed "
                    "when it was created (admin.key or admin-%s-%s.key)",
                    org,
                    workspace,
                    org,
                    workspace,
                )
            else:
                _, admin_key = await self.create_workspace(org, workspace)
                _save_key(data_dir, f"admin-{org}-{workspace}.key", admin_key)
                log.warning("created workspace %s/%s; its admin key is in the READY line", org, workspace)
        # active intents load on demand, lanes on first use; http agents' backlogs and near timers are read now
        self.push_ready_lanes()
        self.timers.start()
        self.outbound.start()  # pushes not confirmed before a stop or crash go again
        log.info("%d timers due within %.0f s", self.timers.live, self.timers.window)
        return admin_key

    async def stop(self) -> None:
        await self.outbound.stop()
        await self.timers.stop()


def _save_key(data_dir: Path | None, name: str, key: str) -> None:
    """A workspace's first admin key, readable by the operator only (mode 0600)."""
    if data_dir is None:
        return
    path = data_dir / name
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key + "\n")
    os.chmod(path, 0o600)
