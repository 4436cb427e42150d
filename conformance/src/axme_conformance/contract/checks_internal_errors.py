"""Contract check: a real internal failure answers 500 without internals (REQ-ERR-009). A
reference server of the check's own loses a table under its feet (renamed in its SQLite
file), so reading agents fails inside the store."""

from __future__ import annotations

import re
import sqlite3
import tempfile
from pathlib import Path

from axme_conformance.contract.client import CheckSkipped, ContractClient, expect
from axme_conformance.contract.private import private_server
from axme_conformance.contract.registry import check

LEAKS = re.compile(
    r"traceback|\bfile \"|sqlite|operationalerror|no such table|select |insert |"
    r"\.py\b|exception",
    re.I,
)


@check("errors/internal-failure-500-without-internals", requirements=["REQ-ERR-009"])
def internal_failure(c: ContractClient) -> None:
    with tempfile.TemporaryDirectory(prefix="axme-contract-500-") as tmp:
        log = Path(tmp) / "server.log"
        with private_server(c, log_path=log) as s:
            _, agent_key = s.new_agent()
            assert s.data_dir is not None
            database = s.data_dir / "axme.db"
            if not database.is_file():
                raise CheckSkipped("the reference server keeps no axme.db (another store)")
            with sqlite3.connect(database, timeout=5) as db:
                db.execute("ALTER TABLE agents RENAME TO agents_gone")
            response = s.request("GET", "/v1/agents")
            body = s.error(response, 500, "internal_error")
            text = response.text
            for secret in (s.admin_key, s.admin_key.rsplit("_", 1)[1], agent_key.rsplit("_", 1)[1]):
                expect(secret not in text, "a 500 must not carry a key")
            found = LEAKS.search(text)
            expect(
                found is None,
                f"a 500 must not show internals ({found and found.group(0)!r}): {body}",
            )
            request_id = response.headers.get("x-request-id", "")
        logged = log.read_text(errors="replace")
        expect(
            bool(request_id) and request_id in logged,
            f"the server log must name the 500's X-Request-Id {request_id}",
        )
