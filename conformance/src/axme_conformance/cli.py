"""``axme-conformance``: run the SDK matrix, the server contract suite, or checks."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from axme_conformance.paths import REPO_ROOT, RESULTS_DIR
from axme_conformance.report import (
    FAILING,
    render_markdown,
    render_terminal,
    write_jsonl,
    write_outputs,
)

README_START = "<!-- conformance-matrix:start -->"
README_END = "<!-- conformance-matrix:end -->"


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def cmd_run(args: argparse.Namespace) -> int:
    from axme_conformance.pg_database import run_database
    from axme_conformance.scenario import load_scenarios

    sdks = _csv(args.sdks)
    scenarios = load_scenarios(_csv(args.scenarios) if args.scenarios else None)
    if not scenarios:
        print("no scenario matches", file=sys.stderr)
        return 2
    results_dir = Path(args.results_dir)
    print(f"axme-conformance: {len(scenarios)} scenarios × {', '.join(sdks)}", file=sys.stderr)
    with ExitStack() as stack:
        if args.postgres:
            database = stack.enter_context(run_database(args.postgres))
            print(
                f"axme-conformance: on PostgreSQL, database {database.rpartition('/')[2]}",
                file=sys.stderr,
            )
        return _run(args, sdks, scenarios, results_dir)


def _run(args: argparse.Namespace, sdks: list[str], scenarios: list[Any], results_dir: Path) -> int:
    from axme_conformance.runner import progress_printer, run_matrix
    from axme_conformance.server_process import ReferenceServer

    server: ReferenceServer | None = None
    base_url = args.base_url
    if base_url is None:
        server = ReferenceServer(testing=True, log_path=results_dir / "logs" / "server.log")
        base_url = server.start().base_url
        print(f"axme-conformance: reference server at {base_url}", file=sys.stderr)
    try:
        results = run_matrix(
            sdks,
            scenarios,
            base_url,
            build=not args.no_build,
            log_dir=results_dir / "logs",
            on_result=progress_printer,
        )
    finally:
        if server is not None:
            server.stop()
    write_jsonl(results, results_dir / "results.jsonl")
    shutil.rmtree(results_dir / "outputs", ignore_errors=True)
    write_outputs(results, results_dir / "outputs")
    markdown = render_markdown(results, sdks)
    (results_dir / "matrix.md").write_text(markdown)
    if args.update_readme:
        _update_readme(Path(args.update_readme), markdown)
    failing = [r for r in results if r.status in FAILING]
    for r in failing:
        print(f"\n--- {r.sdk} · {r.scenario}: {r.status}\n{r.detail}")
    print()
    print(render_terminal(results, sdks))
    print(f"\nresults: {results_dir / 'results.jsonl'}, {results_dir / 'matrix.md'}")
    passed = sum(1 for r in results if r.status not in FAILING)
    print(f"conformance: {passed} passed, {len(failing)} failed")
    return 1 if failing else 0


def _update_readme(path: Path, markdown: str) -> None:
    text = path.read_text()
    block = f"{README_START}\n```text\n{markdown.rstrip()}\n```\n{README_END}"
    pattern = re.compile(re.escape(README_START) + r".*?" + re.escape(README_END), re.S)
    if not pattern.search(text):
        print(f"{path}: no matrix markers; not updated", file=sys.stderr)
        return
    path.write_text(pattern.sub(lambda _: block, text))


def cmd_server(args: argparse.Namespace) -> int:
    from axme_conformance.contract.suite import (
        list_checks,
        run_against_reference,
        run_contract_suite,
    )

    only = _csv(args.only) if args.only else None
    if args.list:
        print(list_checks(only))
        return 0
    if args.reference:
        return run_against_reference(only)
    if not args.base_url or not args.api_key:
        print("--base-url and --api-key are required (or --reference)", file=sys.stderr)
        return 2
    return run_contract_suite(args.base_url, args.api_key, only)


def cmd_diff(args: argparse.Namespace) -> int:
    """Compare saved outputs of a run (results/outputs/<sdk>/<scenario>.json)."""
    from axme_conformance.compare import find_outliers
    from axme_conformance.normalize import normalize

    sdks = _csv(args.sdks)
    outputs = {}
    for sdk in sdks:
        path = Path(args.results_dir) / "outputs" / sdk / f"{args.scenario}.json"
        if path.is_file():
            outputs[sdk] = normalize(json.loads(path.read_text()))
        else:
            print(f"{sdk}: no saved output (the scenario did not pass its expectations)")
    outliers = find_outliers(outputs, sdks)
    for sdk, (reference, diff) in outliers.items():
        print(f"--- {sdk} differs from {reference}\n{diff}")
    if not outliers:
        print(f"{args.scenario}: {', '.join(outputs)} agree")
    return 1 if outliers else 0


def cmd_validate(args: argparse.Namespace) -> int:
    from axme_conformance.checks import validate_all

    return validate_all(verbose=args.verbose)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="axme-conformance", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run scenarios through SDK drivers (the matrix)")
    run.add_argument("--sdks", default="python", help="comma-separated, e.g. python,go")
    run.add_argument("--scenarios", help="comma-separated globs of scenario ids ('observe/*')")
    run.add_argument("--no-build", action="store_true", help="skip `make -C <lang> build`")
    run.add_argument("--base-url", help="use a running `axme-server --testing` instead")
    run.add_argument("--results-dir", default=str(RESULTS_DIR))
    run.add_argument(
        "--postgres",
        metavar="ADMIN_URL",
        help="run the reference servers on PostgreSQL: a fresh database per run (made and dropped "
        "with this role), a fresh schema per server",
    )
    run.add_argument(
        "--update-readme",
        nargs="?",
        const=str(REPO_ROOT / "README.md"),
        help="paste matrix.md into README.md between the matrix markers",
    )
    run.set_defaults(func=cmd_run)

    server = sub.add_parser("server", help="HTTP contract suite against any AXP server")
    server.add_argument("--base-url")
    server.add_argument("--api-key", help="a workspace admin key")
    server.add_argument(
        "--reference", action="store_true", help="start a fresh local reference server and check it"
    )
    server.add_argument("--only", help="comma-separated glob(s) of check names")
    server.add_argument(
        "--list",
        action="store_true",
        help="print the checks and the requirement ids each cites (JSON)",
    )
    server.set_defaults(func=cmd_server)

    diff = sub.add_parser("diff", help="compare the saved outputs of the last run")
    diff.add_argument("scenario")
    diff.add_argument("--sdks", default="python,typescript,go,java,dotnet")
    diff.add_argument("--results-dir", default=str(RESULTS_DIR))
    diff.set_defaults(func=cmd_diff)

    validate = sub.add_parser(
        "validate", help="check scenarios, vectors, baselines and requirement links offline"
    )
    validate.add_argument("-v", "--verbose", action="store_true")
    validate.set_defaults(func=cmd_validate)

    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
