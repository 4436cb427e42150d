"""Agent addresses: canonical `agent://org/workspace/name`; a bare name is local to the workspace;
the scheme-less `org/workspace/name` (what earlier AXME SDKs put in paths) is the full address (REQ-API-014)."""

from __future__ import annotations

import re

from axme_server.errors import ApiError

_SEGMENT = r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,127}"
_FULL_RE = re.compile(rf"^agent://({_SEGMENT})/({_SEGMENT})/({_SEGMENT})$")
_BARE_RE = re.compile(rf"^{_SEGMENT}$")
_SCHEMELESS_RE = re.compile(rf"^{_SEGMENT}/{_SEGMENT}/{_SEGMENT}$")


def canonical(address: object, org: str, workspace: str) -> str:
    """Canonical form of `address`, or ApiError(validation_error)."""
    if not isinstance(address, str) or not address:
        raise ApiError("validation_error", "agent address must be a non-empty string", {"field": "address"})
    if address.startswith("agent://"):
        if not _FULL_RE.match(address):
            raise ApiError(
                "validation_error",
                f"invalid agent address {address!r}: want agent://org/workspace/name",
                {"field": "address"},
            )
        return address
    if _BARE_RE.match(address):
        return f"agent://{org}/{workspace}/{address}"
    if _SCHEMELESS_RE.match(address):
        return f"agent://{address}"
    raise ApiError(
        "validation_error",
        f"invalid agent address {address!r}: want agent://org/workspace/name, "
        "org/workspace/name or a bare name of letters, digits, '_', '.', '-'",
        {"field": "address"},
    )


def is_valid(address: str) -> bool:
    return isinstance(address, str) and bool(
        _FULL_RE.match(address) or _BARE_RE.match(address) or _SCHEMELESS_RE.match(address)
    )


# An org or workspace name: the org/workspace segment of common.schema.json's AgentRef, so
# every address in the new workspace can also be written in request bodies.
_WORKSPACE_SEGMENT_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


def is_segment(value: object) -> bool:
    """An org or workspace name (lower-case letters, digits, '_', '-'; at most 63)."""
    return isinstance(value, str) and bool(_WORKSPACE_SEGMENT_RE.match(value))
