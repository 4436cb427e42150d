"""Cross-SDK comparison: every SDK's normalized output must be the same."""

from __future__ import annotations

import difflib
import json
from typing import Any


def _dump(value: Any) -> str:
    return json.dumps(value, indent=1, sort_keys=True, ensure_ascii=False)


def find_outliers(outputs: dict[str, Any], order: list[str]) -> dict[str, tuple[str, str]]:
    """Group SDKs by identical output; the largest group (ties: the one holding the
    earliest SDK in ``order``) is the reference. Returns ``{sdk: (reference_sdk, diff)}``
    for every SDK outside it."""
    if len(outputs) < 2:
        return {}
    groups: dict[str, list[str]] = {}
    for sdk in sorted(outputs, key=order.index):
        groups.setdefault(_dump(outputs[sdk]), []).append(sdk)
    if len(groups) == 1:
        return {}
    reference_text, members = max(
        groups.items(), key=lambda kv: (len(kv[1]), -order.index(kv[1][0]))
    )
    reference = members[0]
    outliers = {}
    for text, sdks in groups.items():
        if text == reference_text:
            continue
        diff = "\n".join(
            difflib.unified_diff(
                reference_text.splitlines(),
                text.splitlines(),
                fromfile=reference,
                tofile=",".join(sdks),
                lineterm="",
                n=2,
            )
        )
        for sdk in sdks:
            outliers[sdk] = (reference, diff)
    return outliers
