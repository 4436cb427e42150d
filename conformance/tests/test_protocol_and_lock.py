import json
import threading

import jsonschema

from axme_conformance.paths import DRIVER_SCHEMA_FILE
from axme_conformance.runner import ClockLock
from axme_conformance.steps import _driver_message
from axme_conformance.templating import Variables

SCHEMA = json.loads(DRIVER_SCHEMA_FILE.read_text())


def harness_validator():
    schema = {**SCHEMA, "$ref": "#/$defs/harnessLine"}
    return jsonschema.Draft202012Validator(schema)


class _Ctx:
    vars = Variables()


def test_messages_the_harness_sends_follow_the_schema():
    validator = harness_validator()
    steps = [
        ("call", {"call": "getIntent", "args": {"intent_id": "x"}}),
        ("observe", {"observe": {"intent_id": "x"}}),
        ("wait_for", {"wait_for": {"intent_id": "x"}}),
        ("listen", {"listen": {"address": "worker"}}),
    ]
    for op_id, (action, step) in enumerate(steps, start=1):
        message = {"id": op_id, **_driver_message(_Ctx(), step, action)}
        assert list(validator.iter_errors(message)) == [], message
    assert list(validator.iter_errors({"id": 9, "op": "observe"})), "missing params must fail"


def test_driver_lines_are_validated():
    validator = jsonschema.Draft202012Validator(SCHEMA)
    good = [
        {"id": 1, "ok": True, "result": {}},
        {"id": 1, "ok": False, "error": {"type": "NotFound", "message": "m", "status": 404}},
        {"id": 1, "event": {"seq": 1, "event_type": "intent.submitted"}},
        {"id": 1, "delivery": {"delivery_id": "d", "intent_id": "i"}},
        {"id": 1, "done": True},
    ]
    bad = [
        {"id": 1, "ok": True},
        {"id": 1, "ok": False, "error": {"type": "Oops", "message": "m"}},
        {"id": 0, "done": True},
        {"id": 1, "done": True, "extra": 1},
    ]
    assert all(not list(validator.iter_errors(line)) for line in good)
    assert all(list(validator.iter_errors(line)) for line in bad)


def test_exclusive_waits_for_shared_holders():
    lock = ClockLock()
    order = []
    reader_in = threading.Event()
    release_reader = threading.Event()

    def reader():
        with lock.shared():
            reader_in.set()
            release_reader.wait(5)
            order.append("reader done")

    def writer():
        with lock.exclusive():
            order.append("writer")

    t1 = threading.Thread(target=reader)
    t1.start()
    assert reader_in.wait(5)
    t2 = threading.Thread(target=writer)
    t2.start()
    t2.join(0.2)
    assert order == []  # the writer is still waiting
    release_reader.set()
    t1.join(5)
    t2.join(5)
    assert order == ["reader done", "writer"]
