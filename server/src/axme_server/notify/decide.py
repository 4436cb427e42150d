"""Deciding through a decision link or a Slack button (REQ-NOTIFY-009..015), and listing
an intent's notifications (REQ-NOTIFY-005). The token is the right to decide: the
actor is the person it was minted for; the decision itself is checked and applied
exactly as decideTask does (REQ-HUMAN-004..010), and its commit marks the token used."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from axme_server.access import check_read, current_step, forbidden, principal_address
from axme_server.engine import Ctx, EngineCore
from axme_server.errors import ApiError
from axme_server.jsonutil import iso
from axme_server.lifecycle import WAITING
from axme_server.notify.links import Grant, LinkError, verify
from axme_server.notify.ops import CHANNELS
from axme_server.tasks import validate_decision

if TYPE_CHECKING:
    from axme_server.ports import HumanSteps, Notifier

PUBLIC_FIELDS = (
    "notification_id",
    "intent_id",
    "step_id",
    "channel",
    "to",
    "reason",
    "status",
    "attempts",
    "last_error",
    "created_at",
    "updated_at",
)


def _decided_text(step: dict[str, Any] | None) -> str:
    decision = (step or {}).get("decision")
    if not decision:
        return "The task is no longer waiting for a decision."
    who = decision["decided_by"].get("display_name") or decision["decided_by"].get("id")
    return f"It was decided: {decision['outcome']} by {who} at {decision['decided_at']}."


class DecisionLinks:
    """Decision links and Slack buttons: verify the token, then decide as decideTask does."""

    def __init__(self, core: EngineCore, notify: Notifier, humans: HumanSteps) -> None:
        self.core = core
        self.notify = notify
        self.humans = humans

    def link_grant(self, token: str) -> Grant:
        return verify(token, self.notify.link_signing_secrets(), self.core.clock.now())

    def linked_task(self, grant: Grant) -> tuple[dict[str, Any], dict[str, Any]]:
        """The intent and the step the grant is for, while it still waits for this decision."""
        if self.core.store.get_meta(f"link_used:{grant.jti}") is not None:
            raise LinkError(
                409, "This link was already used", "A decision was already recorded with this link."
            )
        doc = self.core.cached_intent(grant.intent_id)
        if doc is None:
            raise LinkError(410, "This task no longer exists", "The request this link was for is gone.")
        step = current_step(doc)
        if (
            doc["status"] != WAITING
            or step is None
            or step["kind"] != "human"
            or step["step_id"] != grant.step_id
        ):
            decided = next((s for s in doc["_steps"] if s.get("step_id") == grant.step_id), None)
            raise LinkError(409, "This task was already decided", _decided_text(decided))
        return doc, step

    async def decide_by_link(
        self,
        grant: Grant,
        body: dict[str, Any],
        channel: str | None = None,
        actor_extra: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Record `body` ({outcome, comment?, data?, evidence?}); ApiError 422 when the task refuses it."""
        if not grant.decide:
            raise LinkError(
                403,
                "This link cannot decide",
                "You are kept informed about this task; one of its assignees decides.",
            )
        async with self.core.intent_lock(grant.intent_id):
            doc, step = self.linked_task(grant)
            if body.get("outcome") not in grant.outcomes:
                raise ApiError(
                    "task_validation_failed",
                    "choose one of the outcomes offered",
                    {"field": "outcome", "allowed": list(grant.outcomes)},
                )
            decision = validate_decision(step["human_task"], body)
            actor = {"type": "human", "id": grant.to, "display_name": grant.to, **(actor_extra or {})}
            ch = self.core.change(doc)
            # the page: `email` for an emailed link, else `web`; the Slack endpoint says `slack`
            ch.actor, ch.channel = actor, channel or ("email" if grant.channel == "email" else "web")
            step = cast(dict[str, Any], current_step(ch.intent))  # the clone's step: checked above
            self.humans.apply_decision(ch, step, decision, actor, ch.channel)
            ch.ops.append(("meta", f"link_used:{grant.jti}", iso(ch.now)))  # single use (REQ-NOTIFY-010)
            await self.core.apply(ch)
            return {
                "outcome": decision["outcome"],
                "decided_at": iso(ch.now),
                "status": ch.intent["status"],
                "by": grant.to,
            }

    def list_notifications(self, ctx: Ctx, intent_id: str) -> dict[str, Any]:
        doc = check_read(ctx.principal, self.core.cached_intent(intent_id))
        p = ctx.principal
        if p.kind != "admin" and principal_address(p) != doc["from_agent"]:
            raise forbidden(
                "initiator_required", "only an admin or the intent's initiator lists its notifications"
            )
        rows = [r for r in self.core.store.list_outbox(intent_id=intent_id) if r["channel"] in CHANNELS]
        rows.sort(key=lambda r: (r["created_at"], r["outbox_id"]))
        out = []
        for r in rows:
            meta = r.get("meta") or {}
            out.append(
                {
                    "notification_id": r["outbox_id"],
                    "intent_id": r["intent_id"],
                    "step_id": meta.get("step_id"),
                    "channel": r["channel"],
                    "to": r["url"],
                    "reason": meta.get("reason"),
                    "status": r["status"],
                    "attempts": r["attempts"],
                    "last_error": r["last_error"],
                    "created_at": iso(r["created_at"]),
                    "updated_at": iso(r.get("updated_at") or r["created_at"]),
                }
            )
        return {"ok": True, "notifications": out}
