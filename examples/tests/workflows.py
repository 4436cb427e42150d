"""The end-to-end checks of each workflow in one language: the agent and the initiator run as
real processes against the reference server; every check reads the output a user sees and the
intent as the server stored it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from harness import ExampleFailed, Proc, Server, Workspace
from languages import command, env
from llm_stub import ChatStub

TIMEOUT = 60.0
#: How long an agent may take to stop after SIGTERM: the SDKs' default grace (REQ-LISTEN-007).
AGENT_GRACE_SECONDS = 10.0
INTENT_LINE = re.compile(r"^intent ([0-9a-f-]{36}) submitted")


def expect(condition: bool, what: str, *procs: Proc) -> None:
    if not condition:
        logs = "\n".join(f"--- {p.name} output:\n{p.output}" for p in procs)
        raise ExampleFailed(f"{what}\n{logs}")


class Run:
    """One language's run of one workflow, in a workspace of its own."""

    def __init__(self, server: Server, language: str, workflow: str, tmp: Path) -> None:
        self.language, self.workflow, self.tmp = language, workflow, tmp
        self.ws: Workspace = server.workspace(f"{workflow}-{language}"[:40])
        self.procs: list[Proc] = []
        self.agents: list[Proc] = []

    def start(self, role: str, key: str, *args: str, **extra_env: str) -> Proc:
        argv, cwd = command(self.language, self.workflow, role, *args)
        name = f"{self.workflow}/{self.language} {role} {' '.join(args)}".rstrip()
        proc = Proc(
            name, argv, self.ws.env(key, self.tmp / "cli", **env(self.language), **extra_env), cwd
        )
        self.procs.append(proc)
        if role == "agent":
            self.agents.append(proc)
        return proc

    def initiator(self, *args: str) -> tuple[Proc, str]:
        proc = self.start("initiator", self.ws.admin_key, *args)
        line = proc.wait_line(lambda line: INTENT_LINE.match(line) is not None, TIMEOUT)
        match = INTENT_LINE.match(line)
        assert match is not None
        return proc, match.group(1)

    def finish(self, proc: Proc, intent_id: str, status: str) -> Any:
        rc = proc.wait(TIMEOUT)
        intent = self.ws.intent(intent_id)
        expect(
            intent["status"] == status,
            f"{proc.name}: intent ended {intent['status']}, expected {status}",
            *self.procs,
        )
        expect(
            rc == (0 if status == "COMPLETED" else 1), f"{proc.name}: exit code {rc}", *self.procs
        )
        expect(
            f"final status {status}" in proc.output,
            f"{proc.name}: no 'final status {status}'",
            *self.procs,
        )
        return intent

    def stop_agents(self) -> None:
        """REQ-LISTEN-007 in every language: an agent told SIGTERM stops serving and exits by
        itself with status 0 within the grace (its steps are done by now: at once, in fact).
        An agent that already ended (the crash of crash-safe-pipeline) was checked before."""
        for proc in self.agents:
            if proc.popen.poll() is not None:
                continue
            rc = proc.terminate(AGENT_GRACE_SECONDS, dump_threads=True)
            ended = f"exit status {rc}" if rc is not None else "still running"
            expect(
                rc == 0,
                f"{proc.name}, {AGENT_GRACE_SECONDS:.0f}s after SIGTERM: {ended}",
                *self.procs,
            )

    def close(self) -> None:
        for proc in self.procs:
            proc.stop()
        self.ws.admin.close()


def approval(run: Run) -> None:
    """The on-call SRE, with a human key of their own (the step's assignee is their contact),
    approves one migration and rejects another with the CLI."""
    cli = run.tmp / "cli"
    sre_key = run.ws.axme(
        cli,
        "keys",
        "create-human",
        "sre-oncall",
        "--display-name",
        "SRE On-Call",
        "--contact",
        "sre-oncall@example.com",
        "-q",
    ).strip()
    run.start("agent", run.ws.agent_key("infra-validator"))
    approved, approved_id = run.initiator()
    rejected, rejected_id = run.initiator()
    malformed, malformed_id = run.initiator("bad-sql")
    for proc, intent_id, decision, comment in (
        (approved, approved_id, "approve", "plan reviewed"),
        (rejected, rejected_id, "reject", "not during the sale"),
    ):
        proc.wait_line(lambda line: "waiting for the on-call SRE" in line, TIMEOUT)
        run.ws.axme(cli, "tasks", decision, intent_id, "--comment", comment, key=sre_key)
    intent = run.finish(approved, approved_id, "COMPLETED")
    verdict = (intent["steps"][0] or {}).get("result") or {}
    expect(
        verdict.get("risk") == "low" and verdict.get("syntax") == "ok",
        f"validator verdict {verdict}",
        *run.procs,
    )
    intent = run.finish(malformed, malformed_id, "FAILED")
    expect(
        intent["error"]["message"].startswith("syntax: not a single DDL statement")
        and "intent.human_task_assigned" not in malformed.output,
        f"the malformed migration reached a person or failed otherwise: {intent['error']}",
        *run.procs,
    )
    intent = run.finish(rejected, rejected_id, "FAILED")
    expect(
        intent["error"]
        == {
            "code": "rejected",
            "message": "rejected by SRE On-Call",
            "details": {**intent["error"]["details"], "comment": "not during the sale"},
        },
        f"error {intent['error']}",
        *run.procs,
    )
    expect(
        "reviewer's comment: not during the sale" in rejected.output,
        "the comment is not shown",
        *run.procs,
    )


def order_fulfilment(run: Run) -> None:
    run.start("agent", run.ws.agent_key("order-fulfilment"))
    shipped, shipped_id = run.initiator("in-stock")
    missing, missing_id = run.initiator("out-of-stock")
    declined, declined_id = run.initiator("declined")
    intent = run.finish(shipped, shipped_id, "COMPLETED")
    tracking = intent["result"]["tracking_number"]
    expect(
        f"tracking number: {tracking}" in shipped.output, "tracking number not printed", *run.procs
    )
    for step in ("validate_inventory", "charge_payment", "ship"):
        expect(
            "intent.step_completed -> " in shipped.output and f"[{step}]" in shipped.output,
            f"step {step} not observed",
            *run.procs,
        )
    expect(
        re.search(r"intent\.redelivered .*\[charge_payment\].*step_retry", shipped.output)
        is not None,
        "the gateway timeout was not retried by the platform",
        *run.procs,
    )
    intent = run.finish(missing, missing_id, "FAILED")
    expect(
        "out of stock: lamp-red" in intent["error"]["message"],
        f"error {intent['error']}",
        *run.procs,
    )
    expect(
        "out of stock: lamp-red" in missing.output, "out-of-stock reason not printed", *run.procs
    )
    intent = run.finish(declined, declined_id, "FAILED")
    expect("payment declined" in intent["error"]["message"], f"error {intent['error']}", *run.procs)
    expect("payment declined" in declined.output, "decline reason not printed", *run.procs)


def crash_safe_pipeline(run: Run) -> None:
    """The agent kills itself in the middle of `transform`, after its effect and before its result;
    a restarted agent gets the redelivery and the effect is still recorded exactly once."""
    key = run.ws.agent_key("etl-worker")
    effects = run.tmp / f"effects-{run.language}.log"
    crashing = run.start("agent", key, PIPELINE_EFFECTS=str(effects), CRASH_DURING_STEP="transform")
    initiator, intent_id = run.initiator()
    rc = crashing.wait(TIMEOUT)
    expect(
        rc != 0 and "crashing in the middle of transform" in crashing.output,
        f"the agent did not crash (exit {rc})",
        *run.procs,
    )
    expect(
        run.ws.intent(intent_id)["status"] not in ("COMPLETED", "FAILED"),
        "ended without the agent",
        *run.procs,
    )
    restarted = run.start("agent", key, PIPELINE_EFFECTS=str(effects))
    intent = run.finish(initiator, intent_id, "COMPLETED")
    expect(
        re.search(r"intent\.redelivered .*lease_expired", initiator.output) is not None,
        "the redelivery is not shown",
        *run.procs,
    )
    expect(
        "already recorded" in restarted.output,
        "the restarted agent did not skip the effect",
        *run.procs,
    )
    expect(intent["result"].get("rows_loaded") == 3, f"result {intent['result']}", *run.procs)
    failed_id, retried_id = retry_from_failed_step(run)

    records = [line.split() for line in effects.read_text().splitlines() if line.strip()]
    for attempts in ([intent_id], [failed_id, retried_id]):  # one run; a run and its retry
        steps = sorted(r[1] for r in records if r[0] in attempts)
        expect(
            steps == ["extract", "load", "transform", "validate"],
            f"effects not exactly once per step of {attempts}: {records}",
            *run.procs,
        )


def retry_from_failed_step(run: Run) -> tuple[str, str]:
    """`load` into a misspelt table fails for good; `axme intents retry` with a payload patch starts
    a new attempt at `load`, keeping the three completed steps (they are not delivered again)."""
    failing, failed_id = run.initiator("wrong-table")
    intent = run.finish(failing, failed_id, "FAILED")
    expect(
        "no table warehouse.daily_order in the warehouse" in intent["error"]["message"],
        f"error {intent['error']}",
        *run.procs,
    )
    expect(f"axme intents retry {failed_id}" in failing.output, "no retry hint", *run.procs)
    retried_id = run.ws.axme(
        run.tmp / "cli",
        "intents",
        "retry",
        failed_id,
        "--reason",
        "table name fixed",
        "--payload-patch",
        '{"table": "warehouse.daily_orders"}',
    ).strip()
    retried = run.ws.admin.wait_for(retried_id, timeout=TIMEOUT)
    expect(
        retried["status"] == "COMPLETED" and retried["result"]["table"] == "warehouse.daily_orders",
        f"retry ended {retried['status']}: {retried['error']}",
        *run.procs,
    )
    delivered = [
        e["data"]["step_id"]
        for e in run.ws.admin.list_intent_events(retried_id).events
        if e["event_type"] == "intent.delivered"
    ]
    expect(delivered == ["load"], f"the retry delivered {delivered}, not only load", *run.procs)
    return failed_id, retried_id


def llm_agent(run: Run, stub: ChatStub) -> None:
    api_key = f"sk-local-{run.language}"
    run.start(
        "agent",
        run.ws.agent_key("ticket-triage"),
        OPENAI_BASE_URL=stub.base_url,
        OPENAI_API_KEY=api_key,
        OPENAI_MODEL="stub-model",
    )
    initiator, intent_id = run.initiator()
    intent = run.finish(initiator, intent_id, "COMPLETED")
    expect(intent["result"].get("category") == "billing", f"result {intent['result']}", *run.procs)
    expect("step_retry" in initiator.output, "the 503 was not retried by the platform", *run.procs)
    expect(stub.requests.get(f"Bearer {api_key}") == 2, f"model calls {stub.requests}", *run.procs)
