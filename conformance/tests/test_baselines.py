import pytest

from axme_conformance.baselines import BaselineError, apply_baseline, load_baseline


def test_reason_required(tmp_path):
    (tmp_path / "go.yaml").write_text("expected_failures:\n  - scenario: a/b\n")
    with pytest.raises(BaselineError):
        load_baseline("go", tmp_path)


def test_listed_failures_become_xfail_and_passes_xpass(tmp_path):
    (tmp_path / "go.yaml").write_text(
        "expected_failures:\n  - scenario: a/b\n    reason: known, issue 12\n"
    )
    assert load_baseline("go", tmp_path) == {"a/b": "known, issue 12"}
    assert load_baseline("java", tmp_path) == {}
    assert apply_baseline("FAIL", "r") == "XFAIL"
    assert apply_baseline("ERROR", "r") == "XFAIL"
    assert apply_baseline("PASS", "r") == "XPASS"
    assert apply_baseline("SKIP", "r") == "SKIP"
    assert apply_baseline("FAIL", None) == "FAIL"
