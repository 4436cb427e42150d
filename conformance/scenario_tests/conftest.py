"""pytest entry to the SDK matrix: `pytest conformance/scenario_tests --sdks python,go`.

One test per (scenario, SDK), judged exactly as `axme-conformance run` judges it
(without the cross-SDK comparison, which needs every SDK's output: use the CLI
for that). Builds are not run here; run `make -C <lang> build` first.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from axme_conformance.driver import DriverProcess
from axme_conformance.paths import REPO_ROOT, RESULTS_DIR
from axme_conformance.runner import load_driver_specs
from axme_conformance.scenario import load_scenarios
from axme_conformance.server_process import ReferenceServer
from axme_conformance.testing_api import TestingApi


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--sdks", default="python", help="comma-separated SDKs")
    parser.addoption("--scenario-glob", default=None, help="e.g. 'observe/*'")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "scenario" in metafunc.fixturenames:
        sdks = [s for s in metafunc.config.getoption("--sdks").split(",") if s]
        glob = metafunc.config.getoption("--scenario-glob")
        scenarios = load_scenarios([glob] if glob else None)
        params = [pytest.param(sdk, s, id=f"{sdk}:{s.id}") for sdk in sdks for s in scenarios]
        metafunc.parametrize("sdk,scenario", params)


@pytest.fixture(scope="session")
def server() -> Iterator[TestingApi]:
    with ReferenceServer(testing=True, log_path=RESULTS_DIR / "logs" / "pytest-server.log") as srv:
        assert srv.info is not None
        api = TestingApi(srv.info.base_url)
        yield api
        api.close()


@pytest.fixture(scope="session")
def drivers() -> Iterator[dict[str, DriverProcess]]:
    started: dict[str, DriverProcess] = {}
    yield started
    for driver in started.values():
        driver.stop()


@pytest.fixture
def driver(sdk: str, drivers: dict[str, DriverProcess]) -> DriverProcess:
    current = drivers.get(sdk)
    if current is None or not current.alive:
        spec = load_driver_specs()[sdk]
        current = DriverProcess(
            sdk, spec.command, REPO_ROOT, RESULTS_DIR / "logs" / f"{sdk}.pytest-driver.log"
        )
        current.start(spec.startup_timeout_s)
        drivers[sdk] = current
    return current
