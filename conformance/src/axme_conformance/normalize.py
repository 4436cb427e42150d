"""Replace run-specific values with stable placeholders so outputs compare.

UUIDs become ``<uuid:N>`` numbered by first appearance (objects are walked in
sorted-key order, so the numbering does not depend on how an SDK orders keys),
timestamps ``<ts>``, API keys ``<key:KIND>``, namespaces ``<ns>``, secrets the
server generated (REQ-SECRET-001) ``<whsec>``, the free port of a loopback URL (a push
receiver's) ``<port>``. Fields that
carry no meaning across languages (error messages, request ids, durations)
are dropped.
"""

from __future__ import annotations

import re
from typing import Any

from axme_conformance.matchers import TIMESTAMP_RE, UUID_RE

_UUID_ANYWHERE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I)
_KEY_RE = re.compile(r"axme_(admin|agent|human)_[A-Za-z0-9_\-]+")
# Server-made ids that are not UUIDs (principal and key ids, delivery ids, cursors):
# long hex runs, alone or inside a string such as "admin://6f2c…".
_HEX_ID = re.compile(r"(?<![0-9A-Za-z])[0-9a-f]{12,}(?![0-9A-Za-z])")
_NS_RE = re.compile(r"ns_[A-Za-z0-9]+")
# A generated signing secret (REQ-SECRET-001); a secret a scenario chose is longer or has '_'.
_LOOPBACK_PORT_RE = re.compile(r"(?<=//127\.0\.0\.1:)\d+")
_GENERATED_SECRET_RE = re.compile(r"\bwhsec_[0-9A-Za-z]{32}(?![0-9A-Za-z_])")
_USER_AGENT_RE = re.compile(r"^axme-[a-z]+/\S+")

# Opaque server values whose content differs run by run.
OPAQUE_KEYS = frozenset({"next_cursor", "cursor"})
DROPPED_KEYS = frozenset(
    {"message", "detail", "request_id", "duration_ms", "trace_id", "retry_after_ms"}
)


class Normalizer:
    """Stateful: the same UUID maps to the same placeholder within one transcript."""

    def __init__(self) -> None:
        self._uuids: dict[str, str] = {}
        self._ids: dict[str, str] = {}

    def _id(self, value: str) -> str:
        if value not in self._ids:
            self._ids[value] = f"<id:{len(self._ids) + 1}>"
        return self._ids[value]

    def _uuid(self, value: str) -> str:
        key = value.lower()
        if key not in self._uuids:
            self._uuids[key] = f"<uuid:{len(self._uuids) + 1}>"
        return self._uuids[key]

    def string(self, value: str) -> str:
        if TIMESTAMP_RE.match(value):
            return "<ts>"
        if UUID_RE.match(value):
            return self._uuid(value)
        if _USER_AGENT_RE.match(value):
            return "axme-<sdk>/<version>"
        value = _KEY_RE.sub(lambda m: f"<key:{m.group(1)}>", value)
        value = _GENERATED_SECRET_RE.sub("<whsec>", value)
        value = _LOOPBACK_PORT_RE.sub("<port>", value)
        value = _NS_RE.sub("<ns>", value)
        value = _UUID_ANYWHERE.sub(lambda m: self._uuid(m.group(0)), value)
        return _HEX_ID.sub(lambda m: self._id(m.group(0)), value)

    @staticmethod
    def _opaque(value: Any) -> Any:
        return None if value is None else "<opaque>"

    def value(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                self.string(k): self._opaque(value[k]) if k in OPAQUE_KEYS else self.value(value[k])
                for k in sorted(value)
                if k not in DROPPED_KEYS
            }
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value


def normalize(value: Any) -> Any:
    return Normalizer().value(value)
