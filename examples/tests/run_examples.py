"""`make -C examples test`: every workflow in every language against one fresh reference server
(short lease, so a crashed agent's step is redelivered within seconds).

    python run_examples.py [--languages python,go] [--workflows approval,crash-safe-pipeline]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import languages
import workflows
from harness import ExampleFailed, Server
from llm_stub import ChatStub

LEASE_SECONDS = (
    4  # short, so a crashed step is redelivered in seconds; long enough for a loaded CI machine
)
CHECKS = {
    "approval": workflows.approval,
    "order-fulfilment": workflows.order_fulfilment,
    "crash-safe-pipeline": workflows.crash_safe_pipeline,
}


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--languages", default=",".join(languages.LANGUAGES))
    ap.add_argument("--workflows", default=",".join(languages.WORKFLOWS))
    ap.add_argument("--jobs", type=int, default=4)
    ap.add_argument("--show-output", action="store_true", help="print every program's output")
    args = ap.parse_args()
    chosen = args.languages.split(",")
    cases = [
        (w, lang) for w in args.workflows.split(",") for lang in chosen if languages.has(w, lang)
    ]

    started = time.monotonic()
    for lang in chosen:
        if any(lang == c[1] for c in cases) and lang != "python":
            languages.build(lang)
    print(f"examples: built {', '.join(chosen)} in {time.monotonic() - started:.1f}s", flush=True)

    with tempfile.TemporaryDirectory(prefix="axme-examples-") as tmp:
        server = Server(Path(tmp) / "data", LEASE_SECONDS)
        stub = ChatStub()

        def check(case: tuple[str, str]) -> str | None:
            workflow, lang = case
            case_dir = Path(tmp) / f"{workflow}-{lang}"
            case_dir.mkdir()
            begun = time.monotonic()
            run = workflows.Run(server, lang, workflow, case_dir)
            try:
                if workflow == "llm-agent":
                    workflows.llm_agent(run, stub)
                else:
                    CHECKS[workflow](run)
                run.stop_agents()
            except ExampleFailed as exc:
                return f"FAIL {workflow}/{lang}: {exc}"
            except Exception:  # noqa: BLE001 (report every failure, keep checking the others)
                return f"FAIL {workflow}/{lang}:\n{traceback.format_exc()}"
            finally:
                run.close()
                if args.show_output:
                    print("\n".join(f"--- {p.name}\n{p.output}" for p in run.procs), flush=True)
            print(f"  ok {workflow}/{lang} ({time.monotonic() - begun:.1f}s)", flush=True)
            return None

        try:
            with ThreadPoolExecutor(max_workers=args.jobs) as pool:
                failures = [f for f in pool.map(check, cases) if f]
        finally:
            stub.close()
            server.close()
    for failure in failures:
        print(failure, file=sys.stderr)
    print(
        f"examples: {len(cases) - len(failures)} passed, {len(failures)} failed "
        f"in {time.monotonic() - started:.1f}s"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
