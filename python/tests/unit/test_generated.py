"""The generated layer (spec -> attrs models) agrees with the hand-written one."""

from __future__ import annotations

from axme import TERMINAL_STATUSES, Intent
from axme._generated.models import Intent as GeneratedIntent
from axme._generated.models import IntentStatus

WIRE_INTENT = {
    "intent_id": "0b6c2f1e-7d0a-4c55-9d1e-0c1f6a9b1c11",
    "intent_type": "intent.demo.v1",
    "from_agent": "agent://local/default/a",
    "to_agent": "agent://local/default/b",
    "correlation_id": "c1",
    "reply_to": None,
    "payload": {"camelCase": 1},
    "status": "COMPLETED",
    "lifecycle_status": "COMPLETED",
    "waiting_reason": None,
    "pending_with": None,
    "result": {"ok": True},
    "error": None,
    "human_task": None,
    "current_step": None,
    "steps": None,
    "delivery_attempt": 1,
    "max_delivery_attempts": 3,
    "remind_count": 0,
    "deadline_at": None,
    "created_at": "2026-11-21T10:00:00.123Z",
    "updated_at": "2026-11-21T10:00:01.456Z",
    "last_seq": 4,
}


def test_terminal_set_is_part_of_the_spec_status_enum() -> None:
    statuses = {s.value for s in IntentStatus}
    assert statuses >= TERMINAL_STATUSES
    assert len(statuses - TERMINAL_STATUSES) == 6  # CREATED ... WAITING


def test_to_model_gives_the_generated_attrs_class() -> None:
    model = Intent(WIRE_INTENT).to_model()
    assert isinstance(model, GeneratedIntent)
    assert model.status == IntentStatus.COMPLETED and model.status == "COMPLETED"
    assert str(model.intent_id) == WIRE_INTENT["intent_id"]  # typed: a UUID
    assert model.created_at.microsecond == 123000  # typed: a datetime


def test_every_model_backed_class_names_a_generated_model() -> None:
    from axme import _generated
    from axme.models import ModelBacked

    classes = ModelBacked.__subclasses__()
    assert len(classes) >= 9  # Intent ... Workspace; a new view is counted by the loop below
    for cls in classes:
        generated = getattr(_generated.models, cls._model_name, None)
        assert generated is not None and hasattr(generated, "from_dict"), cls.__name__


def test_every_typed_field_of_a_model_backed_view_is_a_member_of_its_generated_model() -> None:
    # The views are written by hand (one line a field, see axme.models.Field); this keeps
    # each field's wire name the spec's, so a renamed or removed member fails here.
    import attrs

    from axme import _generated
    from axme.models import Field, ModelBacked

    for cls in ModelBacked.__subclasses__():
        generated = getattr(_generated.models, cls._model_name)
        members = {a.name for a in attrs.fields(generated)}
        keys = {f.key for c in cls.__mro__ for f in vars(c).values() if isinstance(f, Field)}
        assert keys, cls.__name__
        assert keys <= members, (cls.__name__, keys - members)
