import sys

import pytest

from axme_conformance.checks import known_requirement_ids
from axme_conformance.contract.suite import check, list_checks, load_checks
from axme_conformance.paths import REPO_ROOT


def test_every_contract_check_cites_known_requirements():
    known = known_requirement_ids()
    checks = load_checks()
    assert len(checks) > 50
    for c in checks.values():
        assert c.requirements, c.name
        assert set(c.requirements) <= known, c.name


def test_spec_check_reads_the_same_citations_as_the_suite(monkeypatch):
    """spec/tools counts citations from the source (no import); it must agree."""
    monkeypatch.syspath_prepend(str(REPO_ROOT / "spec" / "tools"))
    sys.modules.pop("check_requirements", None)
    import check_requirements

    known = known_requirement_ids()
    problems, covered, n_checks = check_requirements.contract_coverage(known)
    checks = load_checks()
    assert problems == []
    assert n_checks == len(checks)
    assert covered == {r for c in checks.values() for r in c.requirements}


def test_a_check_must_cite_and_name_a_known_need():
    with pytest.raises(ValueError, match="cites no requirement"):
        check("x/none", requirements=[])
    with pytest.raises(ValueError, match="needs must be one of"):
        check("x/bad-need", requirements=["REQ-API-001"], needs="staging")


def test_list_is_json_with_requirements_and_needs():
    import json

    listed = json.loads(list_checks(["testing/*"]))
    assert listed and all(v["needs"] in ("testing", "production") for v in listed.values())
    assert "REQ-TEST-001" in listed["testing/absent-without-the-flag"]["requirements"]
