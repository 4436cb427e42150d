from axme_conformance.compare import find_outliers
from axme_conformance.normalize import normalize

U1 = "0b6c3c1e-7a3b-4c3f-9a55-2f1d2e3c4b5a"
U2 = "1b6c3c1e-7a3b-4c3f-9a55-2f1d2e3c4b5a"


def test_uuid_numbering_ignores_key_order():
    a = normalize({"x": U1, "y": U2, "path": f"/v1/intents/{U1}"})
    b = normalize({"path": f"/v1/intents/{U2}", "y": U1, "x": U2})
    assert a["x"] == "<uuid:1>" and a["path"] == "/v1/intents/<uuid:1>"
    assert b["x"] == "<uuid:1>" and b["y"] == "<uuid:2>"


def test_run_specific_values():
    out = normalize(
        {
            "at": "2026-11-21T10:00:00.123Z",
            "key": "axme_agent_abc_secret",
            "org": "agent://ns_ab12/default/w",
            "message": "dropped",
            "ua": "axme-go/0.1.0 (linux)",
            "n": 2.0,
        }
    )
    assert out == {
        "at": "<ts>",
        "key": "<key:agent>",
        "org": "agent://<ns>/default/w",
        "ua": "axme-<sdk>/<version>",
        "n": 2,
    }


def test_majority_wins_and_diff_names_both():
    outputs = {"python": {"a": 1}, "go": {"a": 2}, "java": {"a": 1}}
    outliers = find_outliers(outputs, ["python", "go", "java"])
    assert list(outliers) == ["go"]
    reference, diff = outliers["go"]
    assert reference == "python"
    assert '- "a": 1' in diff and '+ "a": 2' in diff


def test_tie_prefers_earliest_sdk_and_equal_outputs_pass():
    assert find_outliers({"python": 1, "go": 2}, ["python", "go"]).keys() == {"go"}
    assert find_outliers({"python": 1, "go": 1}, ["python", "go"]) == {}
    assert find_outliers({"python": 1}, ["python"]) == {}


def test_server_ids_and_cursors_are_placeholders():
    a = normalize(
        {
            "from_agent": "admin://6f2c0a9b1d3e4f50",
            "next_cursor": "202",
            "actor": {"id": "6f2c0a9b1d3e4f50"},
        }
    )
    b = normalize(
        {
            "from_agent": "admin://0123456789abcdef",
            "next_cursor": "77",
            "actor": {"id": "0123456789abcdef"},
        }
    )
    assert a == b
    assert a["from_agent"] == "admin://<id:1>" and a["next_cursor"] == "<opaque>"
    assert normalize({"next_cursor": None}) == {"next_cursor": None}


def test_non_api_errors_compare_by_type_only():
    from axme_conformance.steps import comparable

    a = comparable({"ok": False, "error": {"type": "Timeout", "status": None, "retryable": True}})
    b = comparable({"ok": False, "error": {"type": "Timeout", "status": None, "retryable": None}})
    assert a == b == {"ok": False, "error": {"type": "Timeout"}}
    api = comparable(
        {
            "ok": False,
            "error": {
                "type": "NotFound",
                "status": 404,
                "code": "x",
                "retryable": False,
                "message": "m",
            },
        }
    )
    assert api["error"] == {"type": "NotFound", "status": 404, "code": "x", "retryable": False}


def test_generated_secrets_and_loopback_ports():
    generated = "whsec_" + "aB3dE6gH9j" * 3 + "k2"
    chosen = "whsec_conformance_rotated_new_0123456789"
    out = normalize({"s": generated, "c": chosen, "u": "http://127.0.0.1:41537/push"})
    assert out == {"s": "<whsec>", "c": chosen, "u": "http://127.0.0.1:<port>/push"}
