"""The Engine: the services composed on one core, in one place, plus start-up
(bootstrap the first workspace, push what waits for http agents, load near timers).

    core (engine.py)   store, clock, fan-out (hub / cluster publish), cache, locks, apply, timers
    directory          core                       workspaces, agents, keys, task lists
    secrets            core, directory            rotations, signing secrets
    notify             core, outbound             notification rows in a step's commit
    lanes              core, outbound             offers and leases to listeners / http pushes
    workflow           core, lanes, humans*       steps start, complete, end; deadline timers
    reviews            workflow                   on_failure review steps (T24-T26)
    humans             core, workflow, notify, reviews   tasks, reminders, escalation, decisions
    delivery           core, lanes, workflow, reviews, directory   ack, progress, results, leases
    intents            core, workflow             create and read intents
    control            core, workflow, lanes, delivery, humans      resolve, resume, control
    retries            core, intents              retryIntent
    scenarios          core, directory, intents   validate and apply bundles
    links              core, notify, humans       decision links and Slack buttons

(* the one cycle, closed by `Workflow.bind` once both exist.) Routes and the other callers
reach an operation through its service: `engine.intents.create_intent(...)`."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from axme_server.clock import Clock
from axme_server.control import IntentControl
from axme_server.delivery import Delivery
from axme_server.directory import Directory
from axme_server.engine import EngineCore, Settings
from axme_server.failure_review import FailureReview
from axme_server.hub import Hub
from axme_server.humans import Humans
from axme_server.intents import Intents
from axme_server.lanes import Lanes
from axme_server.notify.channels import register_channels
from axme_server.notify.decide import DecisionLinks
from axme_server.notify.ops import Notify, NotifySettings
from axme_server.outbound import Dispatcher, OutboundSettings
from axme_server.outbound.push import PushChannel
from axme_server.outbound.secret_ops import Secrets
from axme_server.retry import Retries
from axme_server.scenarios import Scenarios
from axme_server.store.base import Store
from axme_server.workflow import Workflow

log = logging.getLogger("axme_server")


class Engine:
    """The composed server: the plug points (store, clock, hub) and one attribute per service."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        settings: Settings,
        *,
        hub: Hub | None = None,
        outbound_settings: OutboundSettings | None = None,
        notify_settings: NotifySettings | None = None,
    ) -> None:
        core = self.core = EngineCore(store, clock, settings, hub)
        self.store, self.clock, self.settings, self.hub = store, clock, settings, core.hub
        self.keys, self.timers = core.keys, core.timers
        self.outbound = Dispatcher(store, clock, outbound_settings or OutboundSettings())
        self.directory = Directory(core)
        self.secrets = Secrets(core, self.directory)
        self.notify = Notify(core, self.outbound, notify_settings)
        self.lanes = Lanes(core, self.outbound)
        core.became_ready = self.lanes.ready_elsewhere  # another replica's commit (cluster.py)
        self.workflow = Workflow(core, self.lanes)
        self.reviews = FailureReview(self.workflow)
        self.humans = Humans(core, self.workflow, self.notify, self.reviews)
        self.workflow.bind(self.humans)
        self.delivery = Delivery(core, self.lanes, self.workflow, self.reviews, self.directory)
        self.intents = Intents(core, self.workflow)
        self.control = IntentControl(core, self.workflow, self.lanes, self.delivery, self.humans)
        self.retries = Retries(core, self.intents)
        self.scenarios = Scenarios(core, self.directory, self.intents)
        self.links = DecisionLinks(core, self.notify, self.humans)
        # a due timer of kind k runs the handler of the service that owns k (EngineCore._fire_timer)
        core.timer_handlers.update(
            deadline=self.workflow.timer_deadline,
            step_deadline=self.workflow.timer_step_deadline,
            delay=self.workflow.timer_delay,
            remind=self.humans.timer_remind,
            escalate=self.humans.timer_escalate,
            escalate_level=self.humans.timer_escalate_level,
            retry=self.delivery.timer_retry,
            lease=self.delivery.timer_lease,
        )
        self.outbound.register(PushChannel(self))  # http push (REQ-PUSH-*)
        register_channels(self.outbound, self)  # notifications (REQ-NOTIFY-003)

    async def start(
        self, data_dir: Path | None, org: str | None = None, workspace: str | None = None
    ) -> str | None:
        """Open for business. Returns the admin key of a workspace created now, else None.

        On the first start of a data dir, `org`/`workspace` (default local/default) name the
        first (operator) workspace. Later, naming a workspace that does not exist creates it
        with its own admin key; naming one that exists is said on stderr (REQ-AUTH-014)."""
        admin_key = None
        directory = self.directory
        first = self.store.get_meta("default_workspace")
        if first is None:
            ws, admin_key = await directory.create_workspace(org or "local", workspace or "default")
            await self.store.write([("meta", "default_workspace", ws["workspace_id"])])
            _save_key(data_dir, "admin.key", admin_key)
        elif org or workspace:
            operator = self.core.workspace(first)
            org, workspace = org or operator["org"], workspace or operator["name"]
            if directory.find_workspace(org, workspace) is not None:
                log.warning(
                    "workspace %s/%s already exists on this data dir; its admin key was printed "
                    "when it was created (admin.key or admin-%s-%s.key)",
                    org,
                    workspace,
                    org,
                    workspace,
                )
            else:
                _, admin_key = await directory.create_workspace(org, workspace)
                _save_key(data_dir, f"admin-{org}-{workspace}.key", admin_key)
                log.warning("created workspace %s/%s; its admin key is in the READY line", org, workspace)
        # active intents load on demand, lanes on first use; http agents' backlogs and near timers are read now
        self.lanes.push_ready_lanes()
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
