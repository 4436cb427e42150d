"""Runs scenarios through SDK drivers against one reference server.

One thread per SDK; within an SDK scenarios run in order. A scenario that moves
the server clock (``advance_clock``) is *exclusive*: the clock is global to the
server, so it waits until no other scenario is running and blocks new ones.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from axme_conformance.baselines import apply_baseline, load_baseline
from axme_conformance.compare import find_outliers
from axme_conformance.driver import DriverError, DriverProcess
from axme_conformance.driver_log import check_driver_log
from axme_conformance.matchers import PatternError
from axme_conformance.normalize import normalize
from axme_conformance.paths import DRIVERS_FILE, REPO_ROOT, RESULTS_DIR
from axme_conformance.report import Result
from axme_conformance.scenario import Scenario
from axme_conformance.server_process import ReferenceServer, ServerStartError
from axme_conformance.steps import ScenarioContext, StepError, StepFailure, run_step
from axme_conformance.templating import TemplateError, Variables
from axme_conformance.testing_api import HarnessHttpError, TestingApi
from axme_conformance.traffic import check_traffic, transcript_view

CANCEL_GRACE_S = 5.0
TRAFFIC_SETTLE_S = 3.0


class ClockLock:
    """Readers = ordinary scenarios; writer = a scenario that advances the clock.
    Writers are preferred so a queue of readers cannot starve them."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._readers = 0
        self._writer = False
        self._waiting_writers = 0

    @contextlib.contextmanager
    def shared(self) -> Iterator[None]:
        with self._cond:
            while self._writer or self._waiting_writers:
                self._cond.wait()
            self._readers += 1
        try:
            yield
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        with self._cond:
            self._waiting_writers += 1
            while self._writer or self._readers:
                self._cond.wait()
            self._waiting_writers -= 1
            self._writer = True
        try:
            yield
        finally:
            with self._cond:
                self._writer = False
                self._cond.notify_all()


@dataclass
class DriverSpec:
    sdk: str
    build: list[str]
    command: list[str]
    startup_timeout_s: float


def load_driver_specs(path: Path = DRIVERS_FILE) -> dict[str, DriverSpec]:
    data = yaml.safe_load(path.read_text())["drivers"]
    return {
        sdk: DriverSpec(
            sdk, list(d["build"]), list(d["command"]), float(d.get("startup_timeout_s", 30))
        )
        for sdk, d in data.items()
    }


def run_scenario(
    sdk: str,
    driver: DriverProcess,
    api: TestingApi,
    base_url: str,
    scenario: Scenario,
    operator_key: str | None = None,
) -> Result:
    """Run one scenario for one SDK and judge it (before cross-SDK comparison).
    `operator_key`: the server's first admin key (REQ-AUTH-017), known on a private server."""
    started = time.monotonic()

    def result(status: str, detail: str = "", output: Any = None) -> Result:
        ms = int((time.monotonic() - started) * 1000)
        return Result(sdk, scenario.id, status, scenario.requirements, ms, detail, output)

    missing = [c for c in scenario.requires if c not in driver.capabilities]
    if missing:
        return result("SKIP", f"driver lacks capabilities: {', '.join(missing)}")
    driver.take_violations()
    ctx: ScenarioContext | None = None
    status, detail = "PASS", ""
    try:
        namespace = api.new_namespace()
        variables = Variables(clock=api.now)
        variables.values.update(
            {
                "ns": namespace.name,
                "org": namespace.name,
                "admin_key": namespace.admin_api_key,
                "base_url": base_url,
                "sdk": sdk,
                "uid": namespace.name.removeprefix("ns_")[:12],
            }
        )
        if operator_key is not None:  # only a private server's: no scenario runs a shared one
            variables.values["operator_key"] = operator_key
        ctx = ScenarioContext(sdk, driver, api, base_url, namespace, variables, scenario.client)
        for fault in scenario.faults:
            rendered = variables.render(fault)
            api.add_fault(namespace.name, rendered["match"], rendered["action"])
        for index, step in enumerate(scenario.steps):
            if time.monotonic() - started > scenario.timeout_s:
                raise StepError(f"scenario exceeded {scenario.timeout_s}s at step {index + 1}")
            run_step(ctx, index, step)
    except StepFailure as exc:
        status, detail = "FAIL", str(exc)
    except (StepError, DriverError, HarnessHttpError, PatternError, TemplateError) as exc:
        status, detail = "ERROR", f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # a harness bug must not take the whole run down
        status = "ERROR"
        detail = f"harness: {type(exc).__name__}: {exc}\n{traceback.format_exc(limit=4)}"

    violations: list[str] = []
    if ctx is not None:
        problem = _stop_background(ctx)
        if problem and status == "PASS":
            status, detail = "FAIL", problem
        if status == "PASS" and "driver_log" in scenario.expect:
            try:
                spec = ctx.vars.render(scenario.expect["driver_log"])
            except TemplateError as exc:
                spec, status, detail = {}, "ERROR", f"expect.driver_log: {exc}"
            problems = check_driver_log(ctx.driver_log, spec) if spec else []
            if problems:
                status, detail = "FAIL", "; ".join(problems[:6])
        violations += ctx.stop_env_drivers()
        ctx.stop_receivers()
    violations += driver.take_violations()
    if violations:
        status, detail = "ERROR", "protocol violation: " + "; ".join(violations[:3])
    if not driver.alive and status != "ERROR":
        status, detail = "ERROR", "driver exited during the scenario"
    output: Any = None
    if ctx is not None and status == "PASS":
        try:
            records, problems = _judge_traffic(api, ctx, scenario)
        except HarnessHttpError as exc:
            return result("ERROR", f"cannot read recorded requests: {exc}")
        except (TemplateError, PatternError) as exc:
            return result("ERROR", f"expect.traffic: {type(exc).__name__}: {exc}")
        if problems:
            status, detail = "FAIL", "; ".join(problems[:6])
        output = {"steps": ctx.transcript}
        if scenario.compare_traffic:
            output["traffic"] = transcript_view(records)
    return result(status, detail, output)


def server_args(options: dict[str, Any]) -> list[str]:
    """`server: {lease_seconds: 6}` → `--lease-seconds 6` for axme-server."""
    args: list[str] = []
    for name, value in sorted(options.items()):
        args += ["--" + name.replace("_", "-"), str(value)]
    return args


def run_on_private_server(
    sdk: str, driver: DriverProcess, scenario: Scenario, log_dir: Path
) -> Result:
    """Run a scenario that names `server:` options on its own fresh reference server."""
    log = log_dir / f"server-{sdk}-{scenario.id.replace('/', '-')}.log"
    server = ReferenceServer(testing=True, log_path=log, extra_args=server_args(scenario.server))
    try:
        info = server.start()
    except ServerStartError as exc:
        return Result(sdk, scenario.id, "ERROR", scenario.requirements, 0, f"private server: {exc}")
    api = TestingApi(info.base_url)
    try:
        return run_scenario(sdk, driver, api, info.base_url, scenario, info.admin_api_key)
    finally:
        api.close()
        server.stop()


def _judge_traffic(
    api: TestingApi, ctx: ScenarioContext, scenario: Scenario
) -> tuple[list[dict[str, Any]], list[str]]:
    """Check expect.traffic. The server records a request when it ends, and a stream
    the SDK just closed may be recorded a moment later: re-read (bounded) until the
    expectations hold or TRAFFIC_SETTLE_S has passed."""
    assertions = [ctx.vars.render(a) for a in scenario.expect.get("traffic", [])]
    deadline = time.monotonic() + TRAFFIC_SETTLE_S
    while True:
        records = api.requests(ctx.namespace.name)
        problems = [p for a in assertions for p in check_traffic(a, records)]
        if not problems or time.monotonic() >= deadline:
            return records, problems
        time.sleep(0.1)


def _stop_background(ctx: ScenarioContext) -> str:
    """Cancel ops the scenario left running; they must stop promptly."""
    stuck = []
    for name, handle in list(ctx.handles.items()):
        if handle.done:
            continue
        with contextlib.suppress(DriverError):
            (handle.driver or ctx.driver).send(
                {"op": "cancel", "target_id": handle.op_id, "args": {"target_id": handle.op_id}}
            )
        if not handle.wait(CANCEL_GRACE_S):
            stuck.append(name)
    if stuck:
        return f"background op(s) {stuck} did not stop within {CANCEL_GRACE_S}s of cancel"
    return ""


class SdkRunner:
    """Builds one SDK, runs its driver through every scenario (a thread per SDK)."""

    def __init__(
        self,
        spec: DriverSpec,
        scenarios: list[Scenario],
        base_url: str,
        lock: ClockLock,
        on_result: Callable[[Result], None],
        *,
        build: bool,
        log_dir: Path,
    ) -> None:
        self.spec = spec
        self.scenarios = scenarios
        self.base_url = base_url
        self.lock = lock
        self.on_result = on_result
        self.build = build
        self.log_dir = log_dir
        self.results: list[Result] = []

    def _emit(self, result: Result) -> None:
        self.results.append(result)
        self.on_result(result)

    def _error_all(self, detail: str) -> None:
        for scenario in self.scenarios:
            self._emit(
                Result(self.spec.sdk, scenario.id, "ERROR", scenario.requirements, 0, detail)
            )

    def _build(self) -> str:
        log = self.log_dir / f"{self.spec.sdk}.build.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w") as out:
            try:
                proc = subprocess.run(
                    self.spec.build,
                    cwd=REPO_ROOT,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    timeout=1200,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                return f"build failed: {exc}"
        if proc.returncode != 0:
            tail = log.read_text()[-1500:]
            return f"build failed ({' '.join(self.spec.build)} → {proc.returncode}):\n{tail}"
        return ""

    def _start_driver(self) -> DriverProcess:
        driver = DriverProcess(
            self.spec.sdk,
            self.spec.command,
            REPO_ROOT,
            self.log_dir / f"{self.spec.sdk}.driver.log",
        )
        driver.start(self.spec.startup_timeout_s)
        return driver

    def run(self) -> None:
        try:
            self._run()
        except Exception as exc:  # never lose a thread silently
            done = {r.scenario for r in self.results}
            for scenario in self.scenarios:
                if scenario.id not in done:
                    self._emit(
                        Result(
                            self.spec.sdk,
                            scenario.id,
                            "ERROR",
                            scenario.requirements,
                            0,
                            f"runner crashed: {exc}",
                        )
                    )

    def _run(self) -> None:
        if self.build:
            problem = self._build()
            if problem:
                self._error_all(problem)
                return
        command = REPO_ROOT / self.spec.command[0]
        if not command.exists():
            self._error_all(f"no driver at {self.spec.command[0]}")
            return
        api = TestingApi(self.base_url)
        driver: DriverProcess | None = None
        try:
            for scenario in self.scenarios:
                if driver is None or not driver.alive:
                    if driver is not None:
                        driver.stop()
                    try:
                        driver = self._start_driver()
                    except (DriverError, OSError) as exc:
                        self._emit(
                            Result(
                                self.spec.sdk,
                                scenario.id,
                                "ERROR",
                                scenario.requirements,
                                0,
                                f"driver start: {exc}",
                            )
                        )
                        driver = None
                        continue
                if scenario.server:
                    result = run_on_private_server(self.spec.sdk, driver, scenario, self.log_dir)
                else:
                    guard = self.lock.exclusive() if scenario.exclusive else self.lock.shared()
                    with guard:
                        result = run_scenario(self.spec.sdk, driver, api, self.base_url, scenario)
                if result.status == "ERROR" or driver.pending() or scenario.debug_logging:
                    driver.stop()  # a fresh driver (and logging setup) for the next scenario
                self._emit(result)
        finally:
            if driver is not None:
                driver.stop()
            api.close()


def cross_compare(results: list[Result], scenarios: list[Scenario], order: list[str]) -> None:
    """Turn PASS into FAIL for SDKs whose normalized output differs from the majority."""
    by_id = {s.id: s for s in scenarios}
    for scenario_id in {r.scenario for r in results}:
        scenario = by_id.get(scenario_id)
        if scenario is None or not scenario.compare:
            continue
        passing = {r.sdk: r for r in results if r.scenario == scenario_id and r.status == "PASS"}
        outliers = find_outliers({sdk: normalize(r.output) for sdk, r in passing.items()}, order)
        for sdk, (reference, diff) in outliers.items():
            passing[sdk].status = "FAIL"
            passing[sdk].detail = f"output differs from {reference}:\n{diff}"


def finalize(results: list[Result], sdks: list[str]) -> None:
    for sdk in sdks:
        baseline = load_baseline(sdk)
        for r in results:
            if r.sdk == sdk:
                reason = baseline.get(r.scenario)
                new = apply_baseline(r.status, reason)
                if new != r.status:
                    prefix = f"baseline: {reason}"
                    r.detail = f"{prefix}\n{r.detail}" if r.detail else prefix
                    r.status = new


def run_matrix(
    sdks: list[str],
    scenarios: list[Scenario],
    base_url: str,
    *,
    build: bool = True,
    log_dir: Path = RESULTS_DIR / "logs",
    on_result: Callable[[Result], None] | None = None,
) -> list[Result]:
    specs = load_driver_specs()
    unknown = [s for s in sdks if s not in specs]
    if unknown:
        raise ValueError(f"no driver in drivers.yaml for: {', '.join(unknown)}")
    lock = ClockLock()
    printer_lock = threading.Lock()

    def report(result: Result) -> None:
        with printer_lock:
            if on_result is not None:
                on_result(result)

    runners = [
        SdkRunner(specs[sdk], scenarios, base_url, lock, report, build=build, log_dir=log_dir)
        for sdk in sdks
    ]
    threads = [threading.Thread(target=r.run, name=f"sdk-{r.spec.sdk}") for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    results = [res for runner in runners for res in runner.results]
    cross_compare(results, scenarios, sdks)
    finalize(results, sdks)
    order = {s.id: i for i, s in enumerate(scenarios)}
    results.sort(key=lambda r: (order.get(r.scenario, 0), sdks.index(r.sdk)))
    return results


def progress_printer(result: Result) -> None:
    line = f"[{result.sdk}] {result.status:<5} {result.scenario} ({result.duration_ms} ms)"
    if result.status in ("FAIL", "ERROR") and result.detail:
        line += "\n    " + result.detail.splitlines()[0][:300]
    print(line, file=sys.stderr, flush=True)
