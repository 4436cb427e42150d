"""Typed, read-only views of AXP wire JSON.

Every object the SDK returns is a `WireObject`: a `Mapping` over the exact JSON
the server sent (so `intent["status"]`, `.get(...)`, `dict(intent)` and
`json.dumps(intent.to_dict())` all work, and keys are never re-cased) plus typed
properties for the documented fields (`intent.status`, `delivery.intent.payload`).
Objects returned straight from an HTTP call also carry `.response`
(status code, headers, request id, and the full body). `to_model()` parses the
same JSON into the attrs model generated from the spec (`axme._generated`), for
code that wants fully typed objects (enums, datetimes, nested classes).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, cast

if TYPE_CHECKING:  # the generated package is imported lazily: it is large and rarely needed
    from ._generated import models as gen  # noqa: F401  (named in the ModelBacked["gen.…"] bases)

__all__ = [
    "TERMINAL_STATUSES",
    "WireObject",
    "ResponseInfo",
    "Intent",
    "Event",
    "Delivery",
    "AuditEntry",
    "Task",
    "Agent",
    "ApiKey",
    "Health",
    "CreateIntentResult",
    "IntentPage",
    "EventPage",
    "WriteResult",
    "AckResult",
    "AuditTrail",
    "Notification",
    "NotificationList",
    "AgentPage",
    "AgentWithKey",
    "KeyWithSecret",
    "KeyList",
    "AgentRemoved",
    "CallbackSecretRotated",
    "WebhookSecretRotated",
    "LinkSecretRotated",
    "Workspace",
    "WorkspaceWithKey",
    "WorkspaceList",
    "DeliveryBatch",
    "TaskPage",
    "ScenarioApplyResult",
    "ScenarioValidation",
    "is_terminal_status",
]

#: The spec's terminal set (PROTOCOL §2): an intent in one of these never changes again.
TERMINAL_STATUSES = frozenset({"COMPLETED", "FAILED", "CANCELED", "TIMED_OUT"})


def is_terminal_status(status: object) -> bool:
    return isinstance(status, str) and status in TERMINAL_STATUSES


W = TypeVar("W", bound="WireObject")


@dataclass(frozen=True)
class ResponseInfo:
    """Where a returned object came from."""

    status_code: int
    headers: Mapping[str, str]
    body: Any

    @property
    def request_id(self) -> str | None:
        return self.headers.get("x-request-id")


class WireObject(Mapping[str, Any]):
    """A read-only mapping over one wire JSON object, with typed accessors."""

    __slots__ = ("_data", "_response")

    def __init__(self, data: Mapping[str, Any]) -> None:
        if not isinstance(data, Mapping):
            raise TypeError(
                f"{type(self).__name__} expects a JSON object, got {type(data).__name__}"
            )
        self._data: Mapping[str, Any] = data
        self._response: ResponseInfo | None = None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({dict(self._data)!r})"

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the wire JSON (safe to mutate or serialise)."""
        return copy.deepcopy(dict(self._data))

    @property
    def response(self) -> ResponseInfo | None:
        """The HTTP response this object was returned from (None for nested objects)."""
        return self._response

    def _with_response(self: W, response: ResponseInfo) -> W:
        self._response = response
        return self

    def _obj(self, key: str, cls: type[W]) -> W | None:
        value = self._data.get(key)
        return cls(value) if isinstance(value, Mapping) else None

    def _list(self, key: str, cls: type[W]) -> list[W]:
        return [cls(item) for item in self._data.get(key) or [] if isinstance(item, Mapping)]

    def _str(self, key: str) -> str | None:
        value = self._data.get(key)
        return value if isinstance(value, str) else None


M = TypeVar("M")


class ModelBacked(WireObject, Generic[M]):
    """A WireObject whose schema has a generated attrs model, reachable through `to_model()`."""

    __slots__ = ()
    _model_name: ClassVar[str]

    def to_model(self) -> M:
        """This object as the spec's generated attrs model."""
        from ._generated import models  # imported lazily: large and rarely needed

        return cast(M, getattr(models, self._model_name).from_dict(self.to_dict()))


class Intent(ModelBacked["gen.Intent"]):
    _model_name = "Intent"

    @property
    def intent_id(self) -> str:
        return str(self._data["intent_id"])

    @property
    def intent_type(self) -> str | None:
        return self._str("intent_type")

    @property
    def status(self) -> str:
        return str(self._data.get("status") or self._data.get("lifecycle_status"))

    @property
    def is_terminal(self) -> bool:
        return is_terminal_status(self.status)

    @property
    def from_agent(self) -> str | None:
        return self._str("from_agent")

    @property
    def to_agent(self) -> str | None:
        return self._str("to_agent")

    @property
    def payload(self) -> Any:
        return self._data.get("payload")

    @property
    def result(self) -> Any:
        return self._data.get("result")

    @property
    def error(self) -> Mapping[str, Any] | None:
        value = self._data.get("error")
        return value if isinstance(value, Mapping) else None

    @property
    def waiting_reason(self) -> str | None:
        return self._str("waiting_reason")

    @property
    def pending_with(self) -> Mapping[str, Any] | None:
        value = self._data.get("pending_with")
        return value if isinstance(value, Mapping) else None

    @property
    def human_task(self) -> Mapping[str, Any] | None:
        value = self._data.get("human_task")
        return value if isinstance(value, Mapping) else None

    @property
    def current_step(self) -> Mapping[str, Any] | None:
        value = self._data.get("current_step")
        return value if isinstance(value, Mapping) else None

    @property
    def last_seq(self) -> int:
        return int(self._data.get("last_seq") or 0)

    @property
    def created_at(self) -> str | None:
        return self._str("created_at")

    @property
    def retried_by(self) -> str | None:
        """The attempt that retried this FAILED/TIMED_OUT intent (retry_intent), if any."""
        return self._str("retried_by")

    @property
    def retry_of(self) -> str | None:
        return self._str("retry_of")

    @property
    def attempt(self) -> int:
        return int(self._data.get("attempt") or 1)

    @property
    def updated_at(self) -> str | None:
        return self._str("updated_at")


class Event(ModelBacked["gen.Event"]):
    _model_name = "Event"

    @property
    def intent_id(self) -> str:
        return str(self._data["intent_id"])

    @property
    def seq(self) -> int:
        return int(self._data["seq"])

    @property
    def event_type(self) -> str:
        return str(self._data["event_type"])

    @property
    def status(self) -> str | None:
        return self._str("status")

    @property
    def is_terminal(self) -> bool:
        return is_terminal_status(self.status)

    @property
    def at(self) -> str | None:
        return self._str("at")

    @property
    def actor(self) -> Mapping[str, Any] | None:
        value = self._data.get("actor")
        return value if isinstance(value, Mapping) else None

    @property
    def data(self) -> Mapping[str, Any]:
        value = self._data.get("data")
        return value if isinstance(value, Mapping) else {}


class Delivery(ModelBacked["gen.Delivery"]):
    _model_name = "Delivery"

    @property
    def delivery_id(self) -> str:
        return str(self._data["delivery_id"])

    @property
    def intent_id(self) -> str:
        return str(self._data["intent_id"])

    @property
    def attempt(self) -> int:
        return int(self._data.get("attempt") or 0)

    @property
    def lease_expires_at(self) -> str | None:
        return self._str("lease_expires_at")

    @property
    def step_id(self) -> str | None:
        return self._str("step_id")

    @property
    def intent(self) -> Intent:
        return Intent(self._data.get("intent") or {"intent_id": self.intent_id})

    def with_lease(self, lease_expires_at: str | None) -> Delivery:
        """A copy whose lease is the one the ack returned."""
        if lease_expires_at is None:
            return self
        return Delivery({**self._data, "lease_expires_at": lease_expires_at})


class AuditEntry(ModelBacked["gen.AuditEntry"]):
    _model_name = "AuditEntry"

    @property
    def seq(self) -> int:
        return int(self._data["seq"])

    @property
    def event_type(self) -> str:
        return str(self._data["event_type"])

    @property
    def outcome(self) -> str | None:
        return self._str("outcome")

    @property
    def comment(self) -> str | None:
        return self._str("comment")


class Task(ModelBacked["gen.Task"]):
    _model_name = "Task"

    @property
    def intent_id(self) -> str:
        return str(self._data["intent_id"])

    @property
    def status(self) -> str | None:
        return self._str("status")

    @property
    def human_task(self) -> Mapping[str, Any]:
        value = self._data.get("human_task")
        return value if isinstance(value, Mapping) else {}

    @property
    def assignees(self) -> list[Any]:
        return list(self._data.get("assignees") or [])


class Agent(ModelBacked["gen.Agent"]):
    _model_name = "Agent"

    @property
    def address(self) -> str:
        return str(self._data["address"])

    @property
    def delivery_mode(self) -> str | None:
        return self._str("delivery_mode")


class ApiKey(ModelBacked["gen.Key"]):
    _model_name = "Key"

    @property
    def key_id(self) -> str:
        return str(self._data["key_id"])

    @property
    def kind(self) -> str | None:
        return self._str("kind")


# --- response envelopes (methods whose answer is more than one resource) ---


class Health(WireObject):
    @property
    def ok(self) -> bool:
        return bool(self._data.get("ok"))

    @property
    def version(self) -> str | None:
        return self._str("version")


class CreateIntentResult(ModelBacked["gen.CreateIntentResponse"]):
    _model_name = "CreateIntentResponse"

    @property
    def intent_id(self) -> str:
        return str(self._data["intent_id"])

    @property
    def status(self) -> str:
        return str(self._data["status"])

    @property
    def created_at(self) -> str | None:
        return self._str("created_at")


class IntentPage(WireObject):
    @property
    def intents(self) -> list[Intent]:
        return self._list("intents", Intent)

    @property
    def next_cursor(self) -> str | None:
        return self._str("next_cursor")


class EventPage(WireObject):
    @property
    def events(self) -> list[Event]:
        return self._list("events", Event)

    @property
    def next_seq(self) -> int:
        return int(self._data.get("next_seq") or 0)


class WriteResult(WireObject):
    """Answer of resume / resolve / decide: whether it applied, and the intent after it."""

    @property
    def applied(self) -> bool:
        return bool(self._data.get("applied"))

    @property
    def intent(self) -> Intent:
        return Intent(self._data["intent"])


class RetryResult(WireObject):
    """Answer of retry_intent: the new attempt (REQ-REATTEMPT-005)."""

    @property
    def intent_id(self) -> str:
        return str(self._data["intent_id"])

    @property
    def retry_of(self) -> str:
        return str(self._data["retry_of"])

    @property
    def attempt(self) -> int:
        return int(self._data["attempt"])

    @property
    def status(self) -> str:
        return str(self._data["status"])

    @property
    def from_step(self) -> str:
        return str(self._data["from_step"])


class AckResult(WireObject):
    @property
    def intent(self) -> Intent:
        return Intent(self._data["intent"])

    @property
    def lease_expires_at(self) -> str | None:
        return self._str("lease_expires_at")


class AuditTrail(WireObject):
    @property
    def intent_id(self) -> str:
        return str(self._data["intent_id"])

    @property
    def audit(self) -> list[AuditEntry]:
        return self._list("audit", AuditEntry)


class Notification(WireObject):
    """One notification of a human step to one target, with its delivery status."""

    @property
    def notification_id(self) -> str:
        return str(self._data["notification_id"])

    @property
    def channel(self) -> str:
        return str(self._data["channel"])

    @property
    def to(self) -> str:
        return str(self._data["to"])

    @property
    def status(self) -> str:
        return str(self._data["status"])

    @property
    def attempts(self) -> int:
        return int(self._data["attempts"])

    @property
    def last_error(self) -> str | None:
        return self._str("last_error")


class NotificationList(WireObject):
    @property
    def notifications(self) -> list[Notification]:
        return self._list("notifications", Notification)


class AgentPage(WireObject):
    @property
    def agents(self) -> list[Agent]:
        return self._list("agents", Agent)

    @property
    def next_cursor(self) -> str | None:
        return self._str("next_cursor")


class AgentWithKey(WireObject):
    @property
    def agent(self) -> Agent:
        return Agent(self._data["agent"])

    @property
    def api_key(self) -> str:
        return str(self._data["api_key"])


class KeyWithSecret(WireObject):
    @property
    def key(self) -> ApiKey:
        return ApiKey(self._data["key"])

    @property
    def api_key(self) -> str:
        return str(self._data["api_key"])


class KeyList(WireObject):
    # Not `.keys`: that name belongs to Mapping (use `key_list["keys"]` for the raw list).
    @property
    def entries(self) -> list[ApiKey]:
        return self._list("keys", ApiKey)


class AgentRemoved(WireObject):
    """deleteAgent's answer: the removed agent and the ids of the keys revoked with it."""

    @property
    def agent(self) -> Agent:
        return Agent(self._data["agent"])

    @property
    def revoked_key_ids(self) -> list[str]:
        return [str(k) for k in self._data.get("revoked_key_ids") or []]


class CallbackSecretRotated(WireObject):
    """rotateCallbackSecret's answer: the new secret, shown only here (REQ-SECRET-002)."""

    @property
    def agent(self) -> Agent:
        return Agent(self._data["agent"])

    @property
    def callback_secret(self) -> str:
        return str(self._data["callback_secret"])

    @property
    def previous_expires_at(self) -> str | None:
        """Until when the previous secret still verifies; None when none was kept."""
        return self._str("previous_expires_at")


class WebhookSecretRotated(WireObject):
    """rotateWebhookSecret's answer: the new secret, shown only here (REQ-SECRET-002)."""

    @property
    def webhook_secret(self) -> str:
        return str(self._data["webhook_secret"])

    @property
    def previous_expires_at(self) -> str | None:
        return self._str("previous_expires_at")


class LinkSecretRotated(WireObject):
    """rotateLinkSecret's answer; the link-signing secret itself never leaves the server."""

    @property
    def rotated_at(self) -> str:
        return str(self._data["rotated_at"])

    @property
    def previous_expires_at(self) -> str | None:
        return self._str("previous_expires_at")


class Workspace(ModelBacked["gen.Workspace"]):
    _model_name = "Workspace"

    @property
    def org(self) -> str:
        return str(self._data["org"])

    @property
    def name(self) -> str:
        return str(self._data["name"])


class WorkspaceWithKey(WireObject):
    @property
    def workspace(self) -> Workspace:
        return Workspace(self._data["workspace"])

    @property
    def api_key(self) -> str:
        return str(self._data["api_key"])


class WorkspaceList(WireObject):
    @property
    def workspaces(self) -> list[Workspace]:
        return self._list("workspaces", Workspace)


class DeliveryBatch(WireObject):
    @property
    def deliveries(self) -> list[Delivery]:
        return self._list("deliveries", Delivery)


class TaskPage(WireObject):
    @property
    def tasks(self) -> list[Task]:
        return self._list("tasks", Task)

    @property
    def next_cursor(self) -> str | None:
        return self._str("next_cursor")


class ScenarioApplyResult(WireObject):
    @property
    def intent_id(self) -> str:
        return str(self._data["intent_id"])

    @property
    def status(self) -> str | None:
        return self._str("status")

    @property
    def scenario_id(self) -> str | None:
        return self._str("scenario_id")

    @property
    def agents(self) -> list[Mapping[str, Any]]:
        return [a for a in self._data.get("agents") or [] if isinstance(a, Mapping)]


class ScenarioValidation(WireObject):
    @property
    def valid(self) -> bool:
        return bool(self._data.get("valid"))

    @property
    def problems(self) -> list[Mapping[str, Any]]:
        return [p for p in self._data.get("problems") or [] if isinstance(p, Mapping)]
