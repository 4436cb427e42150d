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
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Generic, NoReturn, TypeVar, cast, overload

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


T = TypeVar("T")


class Field(Generic[T]):
    """A typed, read-only attribute that reads one wire member (named like the attribute
    unless `key` says otherwise). The views below are lists of these, one line a field;
    `tests/unit/test_generated.py` checks each name against the generated model."""

    def __init__(
        self, read: Callable[[Mapping[str, Any], str], T], key: str = "", doc: str = ""
    ) -> None:
        self.key = key
        self._read = read
        self.__doc__ = doc or None

    def __set_name__(self, owner: type, name: str) -> None:
        self.key = self.key or name

    @overload
    def __get__(self, obj: None, owner: type | None = None) -> Field[T]: ...
    @overload
    def __get__(self, obj: WireObject, owner: type | None = None) -> T: ...
    def __get__(self, obj: WireObject | None, owner: type | None = None) -> Field[T] | T:
        if obj is None:
            return self
        return self._read(obj._data, self.key)

    def __set__(self, obj: WireObject, value: object) -> NoReturn:
        raise AttributeError(f"{type(obj).__name__}.{self.key} is read-only")


def _mapping(value: object) -> Mapping[str, Any] | None:
    return value if isinstance(value, Mapping) else None


# One constructor per way a member is read; `key` names the member when it is not the attribute.
def req_str(key: str = "", doc: str = "") -> Field[str]:
    return Field(lambda d, k: str(d[k]), key, doc)


def opt_str(key: str = "", doc: str = "") -> Field[str | None]:
    return Field(lambda d, k: v if isinstance(v := d.get(k), str) else None, key, doc)


def req_int(key: str = "") -> Field[int]:
    return Field(lambda d, k: int(d[k]), key)


def int_or(default: int, key: str = "") -> Field[int]:
    return Field(lambda d, k: int(d.get(k) or default), key)


def flag(key: str = "") -> Field[bool]:
    return Field(lambda d, k: bool(d.get(k)), key)


def raw(key: str = "") -> Field[Any]:
    return Field(lambda d, k: d.get(k), key)


def opt_map(key: str = "") -> Field[Mapping[str, Any] | None]:
    return Field(lambda d, k: _mapping(d.get(k)), key)


def map_or_empty(key: str = "") -> Field[Mapping[str, Any]]:
    return Field(lambda d, k: _mapping(d.get(k)) or {}, key)


def maps(key: str = "") -> Field[list[Mapping[str, Any]]]:
    return Field(lambda d, k: [m for m in d.get(k) or [] if isinstance(m, Mapping)], key)


def obj(cls: type[W], key: str = "") -> Field[W]:
    return Field(lambda d, k: cls(d[k]), key)


def items(cls: type[W], key: str = "") -> Field[list[W]]:
    return Field(lambda d, k: [cls(m) for m in d.get(k) or [] if isinstance(m, Mapping)], key)


class Intent(ModelBacked["gen.Intent"]):
    _model_name = "Intent"

    intent_id = req_str()
    intent_type = opt_str()
    from_agent = opt_str()
    to_agent = opt_str()
    payload = raw()
    result = raw()
    error = opt_map()
    waiting_reason = opt_str()
    pending_with = opt_map()
    human_task = opt_map()
    current_step = opt_map()
    last_seq = int_or(0)
    created_at = opt_str()
    retried_by = opt_str(
        doc="The attempt that retried this FAILED/TIMED_OUT intent (retry_intent), if any."
    )
    retry_of = opt_str()
    attempt = int_or(1)
    updated_at = opt_str()

    @property
    def status(self) -> str:
        return str(self._data.get("status") or self._data.get("lifecycle_status"))

    @property
    def is_terminal(self) -> bool:
        return is_terminal_status(self.status)


class Event(ModelBacked["gen.Event"]):
    _model_name = "Event"

    intent_id = req_str()
    seq = req_int()
    event_type = req_str()
    status = opt_str()
    at = opt_str()
    actor = opt_map()
    data = map_or_empty()

    @property
    def is_terminal(self) -> bool:
        return is_terminal_status(self.status)


class Delivery(ModelBacked["gen.Delivery"]):
    _model_name = "Delivery"

    delivery_id = req_str()
    intent_id = req_str()
    attempt = int_or(0)
    lease_expires_at = opt_str()
    step_id = opt_str()

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

    seq = req_int()
    event_type = req_str()
    outcome = opt_str()
    comment = opt_str()


class Task(ModelBacked["gen.Task"]):
    _model_name = "Task"

    intent_id = req_str()
    status = opt_str()
    human_task = map_or_empty()

    @property
    def assignees(self) -> list[Any]:
        return list(self._data.get("assignees") or [])


class Agent(ModelBacked["gen.Agent"]):
    _model_name = "Agent"

    address = req_str()
    delivery_mode = opt_str()


class ApiKey(ModelBacked["gen.Key"]):
    _model_name = "Key"

    key_id = req_str()
    kind = opt_str()


class Workspace(ModelBacked["gen.Workspace"]):
    _model_name = "Workspace"

    org = req_str()
    name = req_str()


class CreateIntentResult(ModelBacked["gen.CreateIntentResponse"]):
    _model_name = "CreateIntentResponse"

    intent_id = req_str()
    status = req_str()
    created_at = opt_str()


# --- response envelopes (methods whose answer is more than one resource) ---


class Health(WireObject):
    ok = flag()
    version = opt_str()


class IntentPage(WireObject):
    intents = items(Intent)
    next_cursor = opt_str()


class EventPage(WireObject):
    events = items(Event)
    next_seq = int_or(0)


class WriteResult(WireObject):
    """Answer of resume / resolve / decide: whether it applied, and the intent after it."""

    applied = flag()
    intent = obj(Intent)


class RetryResult(WireObject):
    """Answer of retry_intent: the new attempt (REQ-REATTEMPT-005)."""

    intent_id = req_str()
    retry_of = req_str()
    attempt = req_int()
    status = req_str()
    from_step = req_str()


class AckResult(WireObject):
    intent = obj(Intent)
    lease_expires_at = opt_str()


class AuditTrail(WireObject):
    intent_id = req_str()
    audit = items(AuditEntry)
    next_seq = int_or(0)  # where the next page starts: since = next_seq - 1 (REQ-LIMIT-013)


class Notification(WireObject):
    """One notification of a human step to one target, with its delivery status."""

    notification_id = req_str()
    channel = req_str()
    to = req_str()
    status = req_str()
    attempts = req_int()
    last_error = opt_str()


class NotificationList(WireObject):
    notifications = items(Notification)


class AgentPage(WireObject):
    agents = items(Agent)
    next_cursor = opt_str()


class AgentWithKey(WireObject):
    agent = obj(Agent)
    api_key = req_str()


class KeyWithSecret(WireObject):
    key = obj(ApiKey)
    api_key = req_str()


class KeyList(WireObject):
    # Not `.keys`: that name belongs to Mapping (use `key_list["keys"]` for the raw list).
    entries = items(ApiKey, key="keys")


class AgentRemoved(WireObject):
    """deleteAgent's answer: the removed agent and the ids of the keys revoked with it."""

    agent = obj(Agent)

    @property
    def revoked_key_ids(self) -> list[str]:
        return [str(k) for k in self._data.get("revoked_key_ids") or []]


class CallbackSecretRotated(WireObject):
    """rotateCallbackSecret's answer: the new secret, shown only here (REQ-SECRET-002)."""

    agent = obj(Agent)
    callback_secret = req_str()
    previous_expires_at = opt_str(
        doc="Until when the previous secret still verifies; None when none was kept."
    )


class WebhookSecretRotated(WireObject):
    """rotateWebhookSecret's answer: the new secret, shown only here (REQ-SECRET-002)."""

    webhook_secret = req_str()
    previous_expires_at = opt_str()


class LinkSecretRotated(WireObject):
    """rotateLinkSecret's answer; the link-signing secret itself never leaves the server."""

    rotated_at = req_str()
    previous_expires_at = opt_str()


class WorkspaceWithKey(WireObject):
    workspace = obj(Workspace)
    api_key = req_str()


class WorkspaceList(WireObject):
    workspaces = items(Workspace)


class DeliveryBatch(WireObject):
    deliveries = items(Delivery)


class TaskPage(WireObject):
    tasks = items(Task)
    next_cursor = opt_str()


class ScenarioApplyResult(WireObject):
    intent_id = req_str()
    status = opt_str()
    scenario_id = opt_str()
    agents = maps()


class ScenarioValidation(WireObject):
    valid = flag()
    problems = maps()
