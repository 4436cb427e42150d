"""`axme` entry point: argument parsing, connection settings, error reporting."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .. import AxmeClient, AxmeClientConfig, __version__
from ..errors import AxmeApiError, AxmeError
from . import commands
from .render import print_json
from .settings import SettingsError, resolve_connection

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="axme", description="Command-line client for AXME (AXP v1)."
    )
    parser.add_argument("--version", action="version", version=f"axme {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable JSON output")
    common.add_argument("--api-key", help="API key (default: $AXME_API_KEY, then `axme login`)")
    common.add_argument("--base-url", help="server URL (default: $AXME_BASE_URL, then login)")
    groups = parser.add_subparsers(dest="group", metavar="COMMAND", required=True)
    commands.register(groups, common)
    return parser


def make_client(args: argparse.Namespace) -> AxmeClient:
    api_key, base_url = resolve_connection(args.api_key, args.base_url)
    if not api_key:
        raise SettingsError("no API key: run `axme login`, set AXME_API_KEY or pass --api-key")
    # The audit trail records which channel a decision came through
    # (REQ-AUDIT: the CLI sends `cli`).
    return AxmeClient(
        AxmeClientConfig(
            api_key=api_key, base_url=base_url, default_headers={"X-Axme-Channel": "cli"}
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args, make_client)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit flush
        return code
    except BrokenPipeError:  # before OSError, its base class
        # The reader went away (`axme intents watch --json | head`): stop quietly, and point
        # stdout at /dev/null so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except AxmeApiError as exc:
        return report(
            args, exc.error_type, str(exc), exc.body if isinstance(exc.body, dict) else None
        )
    except (AxmeError, SettingsError, ValueError, OSError) as exc:
        return report(args, type(exc).__name__, str(exc), None)
    except KeyboardInterrupt:
        return 130


def report(
    args: argparse.Namespace, kind: str, message: str, body: dict[str, object] | None
) -> int:
    if getattr(args, "json", False):
        print_json(body or {"ok": False, "error": {"type": kind, "message": message}})
        return EXIT_FAILURE
    problems = listed_problems(body)
    if problems:  # every problem with its path, as `scenarios validate` shows them
        sys.stderr.write(f"axme: error: {len(problems)} problem(s):\n")
        for problem in problems:
            sys.stderr.write(f"  {problem.get('path') or '$'}: {problem.get('message')}\n")
    else:
        sys.stderr.write(f"axme: error: {message}\n")
    return EXIT_FAILURE


def listed_problems(body: dict[str, object] | None) -> list[dict[str, object]]:
    """The `details.errors` list of a validation error envelope, when it has more than a message."""
    error = (body or {}).get("error")
    details = error.get("details") if isinstance(error, dict) else None
    errors = details.get("errors") if isinstance(details, dict) else None
    return [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []


if __name__ == "__main__":
    raise SystemExit(main())
