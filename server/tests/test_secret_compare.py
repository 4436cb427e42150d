"""REQ-SECRET-009: a presented signature, token, MAC or secret is compared in constant time.

Timing is not observable reliably on the wire, so this reads the code: in the server
and the Python SDK, an `==`/`!=` with an operand whose name says it holds such a value
fails the test; `hmac.compare_digest` is the way. The second test proves the check bites."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SOURCES = [REPO / "server" / "src" / "axme_server", REPO / "python" / "src" / "axme"]
SECRET_WORDS = ("signature", "sig", "mac", "token", "secret", "csrf", "digest", "secret_hash")


def _names(node: ast.expr) -> list[str]:
    """Identifiers an operand reads (`x`, `self.x`, `d["x"]`, `f(x)` → its name)."""
    found: list[str] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            found.append(sub.id)
        elif isinstance(sub, ast.Attribute):
            found.append(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            found.append(sub.value)
    return found


def _secretish(name: str) -> bool:
    parts = name.lower().split("_")
    return any(word in parts or name.lower() == word for word in SECRET_WORDS)


def plain_comparisons(source: str, filename: str) -> list[str]:
    hits = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Compare) or not any(
            isinstance(op, (ast.Eq, ast.NotEq)) for op in node.ops
        ):
            continue
        operands = [node.left, *node.comparators]
        if any(isinstance(o, ast.Constant) for o in operands):
            continue  # against a literal (None, "", a scheme name): no presented secret is matched
        if any(_secretish(n) for o in operands for n in _names(o)):
            hits.append(f"{filename}:{node.lineno}: {ast.unparse(node)}")
    return hits


def test_secrets_are_compared_in_constant_time() -> None:
    hits: list[str] = []
    for root in SOURCES:
        for path in sorted(root.rglob("*.py")):
            if "_generated" in path.parts:
                continue
            hits += plain_comparisons(path.read_text(), str(path.relative_to(REPO)))
    assert hits == [], "compare these with hmac.compare_digest (REQ-SECRET-009):\n" + "\n".join(hits)


def test_the_check_finds_a_plain_comparison() -> None:
    bad = (
        "def verify(given_signature, expected_signature):\n    return given_signature == expected_signature\n"
    )
    good = "import hmac\ndef verify(a_signature, b_signature):\n    return hmac.compare_digest(a_signature, b_signature)\n"
    assert len(plain_comparisons(bad, "bad.py")) == 1
    assert plain_comparisons(good, "good.py") == []
    assert plain_comparisons("ok = doc['secret_hash'] == stored.secret_hash\n", "x.py") != []
    assert plain_comparisons("if token != expected:\n    pass\n", "x.py") != []
