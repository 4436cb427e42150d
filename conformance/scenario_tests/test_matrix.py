import pytest

from axme_conformance.baselines import load_baseline
from axme_conformance.paths import RESULTS_DIR
from axme_conformance.runner import run_on_private_server, run_scenario


def test_scenario(sdk, scenario, driver, server):
    if scenario.server:
        result = run_on_private_server(sdk, driver, scenario, RESULTS_DIR / "logs")
    else:
        result = run_scenario(sdk, driver, server, server.base_url, scenario)
    reason = load_baseline(sdk).get(scenario.id)
    if result.status == "SKIP":
        pytest.skip(result.detail)
    if reason is not None:
        if result.status == "PASS":
            pytest.fail(f"XPASS: listed in baselines/{sdk}.yaml ({reason}) but passed")
        pytest.xfail(reason)
    assert result.status == "PASS", f"{result.status}: {result.detail}"
