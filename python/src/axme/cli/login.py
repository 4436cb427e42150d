"""`axme login`: store the server URL and API key (the profile the SDKs read too)."""

from __future__ import annotations

import argparse
import getpass
import sys

from .. import AxmeClient, AxmeClientConfig
from .._transport import redact_key
from . import render
from .common import ClientFactory
from .settings import CONFIG_FILE, resolve_connection, write_private_json


def login(args: argparse.Namespace, make_client: ClientFactory) -> int:
    api_key, base_url = resolve_connection(args.api_key, args.base_url)
    if args.api_key_stdin:
        if args.api_key:
            raise ValueError("pass either --api-key or --api-key-stdin, not both")
        api_key = sys.stdin.readline().strip()
        if not api_key:
            raise ValueError("--api-key-stdin: standard input has no API key")
    elif not args.api_key and sys.stdin.isatty():
        api_key = prompt_for_key(api_key)
    if not api_key:
        raise ValueError("pass --api-key (or set AXME_API_KEY) to log in")
    config = AxmeClientConfig(api_key=api_key, base_url=base_url)  # validates the URL
    if not args.no_verify:
        with AxmeClient(config) as client:
            client.list_intents(limit=1)  # proves the key works, not just that the server is up
    path = write_private_json(CONFIG_FILE, {"base_url": config.base_url, "api_key": api_key})
    if args.json:
        render.print_json({"ok": True, "base_url": config.base_url, "config": str(path)})
    else:
        render.console().print(
            f"Logged in to {config.base_url} as {redact_key(api_key)}… (saved to {path})"
        )
    return 0


def prompt_for_key(current: str | None) -> str | None:
    """Ask without echo; Enter keeps `current` (shown redacted), end of input too."""
    shown = f" [{redact_key(current)}…]" if current else ""
    try:
        typed = getpass.getpass(f"API key{shown}: ").strip()
    except EOFError:
        typed = ""
    return typed or current
