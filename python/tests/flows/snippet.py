"""The initiator snippet of docs/architecture.md, which "must run unchanged against a local
server (only AXME_API_KEY and AXME_BASE_URL set)".

It is read from docs/architecture.md at test time; the verbatim copy below must stay
equal to it (test_snippet_is_the_documented_one). The only change made to
run it: `import os` is prepended, because the fragment uses `os` without importing it.
"""

from __future__ import annotations

import re
from pathlib import Path

ARCHITECTURE_MD = Path(__file__).resolve().parents[3] / "docs" / "architecture.md"
#: The sentence that introduces the snippet; the first ```python block after it is the snippet.
INTRODUCTION = "The snippet below must run unchanged"

VERBATIM_COPY = """\
from axme import AxmeClient, AxmeClientConfig
client = AxmeClient(AxmeClientConfig(api_key=os.environ["AXME_API_KEY"]))
intent_id = client.send_intent({
    "intent_type": "intent.infra.change_approval.v1",
    "to_agent": "agent://myorg/production/infra-validator",
    "payload": {"change_type": "database_migration", "target": "prod-postgres-main"},
})
result = client.wait_for(intent_id)
print(result["status"])   # COMPLETED, FAILED, CANCELED or TIMED_OUT
"""

#: The org/workspace and agent the snippet addresses (the server is started with these).
ORG, WORKSPACE = "myorg", "production"
AGENT_ADDRESS = f"agent://{ORG}/{WORKSPACE}/infra-validator"


def extract(markdown: str) -> str:
    """The snippet's text, exactly as the document has it."""
    start = markdown.find(INTRODUCTION)
    if start < 0:
        raise ValueError(f"docs/architecture.md no longer says {INTRODUCTION!r}")
    block = re.compile(r"^```python\n(.*?)^```", re.DOTALL | re.MULTILINE).search(markdown, start)
    if block is None:
        raise ValueError("no ```python block after the snippet's introduction")
    return block.group(1)


def initiator_snippet() -> tuple[str, str]:
    """(the snippet text, where it came from)."""
    if ARCHITECTURE_MD.is_file():
        return extract(ARCHITECTURE_MD.read_text(encoding="utf-8")), str(ARCHITECTURE_MD)
    return VERBATIM_COPY, "the verbatim copy in tests/flows/snippet.py"


def runnable(snippet: str) -> str:
    """The script that is run: the snippet with `import os` prepended, nothing else."""
    return "import os\n" + snippet
