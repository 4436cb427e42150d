"""The contract registry and the limits the suite starts the reference server with."""

import subprocess
import sys

import pytest

from axme_conformance.contract import server_limits
from axme_conformance.contract.client import CheckFailed
from axme_conformance.contract.rawhttp import RawResponse, request_head
from axme_conformance.contract.suite import load_checks


def test_a_check_module_imports_on_its_own():
    """Check modules import the registry, not the suite: no import circle either way."""
    for module in ("checks_limits", "checks_core"):
        code = f"import axme_conformance.contract.{module}"
        subprocess.run([sys.executable, "-c", code], check=True)


def test_small_limits_are_flags_the_reference_server_knows():
    from axme_server import limits

    flags = server_limits.SMALL.flags()
    names = flags[::2]
    assert set(names) <= set(limits.FLAGS), set(names) - set(limits.FLAGS)
    assert flags[flags.index("--header-timeout") + 1] == "1"
    # The defaults are the spec's (and the reference server's) defaults.
    for name, value in vars(server_limits.DEFAULT).items():
        assert getattr(limits.DEFAULT, name) == value, name


def test_cap_checks_ask_for_the_small_limits_server():
    checks = load_checks()
    small = {n for n, c in checks.items() if c.small_limits}
    assert {
        "limits/header-timeout-408",
        "limits/connection-cap-503",
        "limits/streams-per-key-429",
        "limits/streams-total-429",
    } <= small
    # The 100-stream check needs the default per-key cap.
    assert not checks["sse/hundred-concurrent-streams"].small_limits


def test_raw_response_envelope_is_checked():
    good = RawResponse(
        414,
        {},
        b'{"ok":false,"error":{"code":"uri_too_long","message":"m",'
        b'"category":"validation","retryable":false,'
        b'"details":{"limit_bytes":8192}},"detail":"m"}',
    )
    assert good.envelope(414, "uri_too_long") == {"limit_bytes": 8192}
    with pytest.raises(CheckFailed):
        good.envelope(431, "headers_too_large")
    with pytest.raises(AssertionError):
        RawResponse(414, {}, b"<html>too long</html>").envelope(414, "uri_too_long")


def test_request_head_is_one_http11_head():
    head = request_head("GET", "/health", {"x-a": "1"})
    assert head.startswith(b"GET /health HTTP/1.1\r\n") and head.endswith(b"\r\nx-a: 1\r\n\r\n")
