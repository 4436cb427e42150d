"""Writes tests/data/v1-data/ with a server of the first schema (run once, at commit
857ac83, before versioned migrations existed; kept to show how the fixture was made).

    python tests/data/make_v1_fixture.py

The data dir holds a workspace, agents, keys and intents in several states (a human
task WAITING, COMPLETED, FAILED, CANCELED, SUBMITTED, handed off to another agent)
and idempotency records, one of them of createKey (which kept the secret in plain
text). `manifest.json` lists the keys and what test_migrations.py expects to read."""

from __future__ import annotations

import gzip
import json
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from helpers import Api, start_server


def build(data: Path) -> dict:
    srv = start_server(data)
    api = Api(srv.base_url, srv.admin_key)
    try:
        worker, agent = api.register_agent("worker")
        helper, helper_key = api.register_agent("helper")
        carol = api.human("carol")
        idem_key = api.ok(
            api.post(
                "/v1/admin/keys",
                {"kind": "human", "name": "dave", "human": {"id": "dave", "display_name": "Dave"}},
                headers={"Idempotency-Key": "mint-dave"},
            )
        )
        created = api.ok(
            api.post(
                "/v1/intents",
                {"intent_type": "intent.test.thing.v1", "to_agent": worker, "payload": {"n": 1}},
                headers={"Idempotency-Key": "create-1"},
            )
        )
        done = created["intent_id"]
        agent.ok(agent.complete(done, {"v": 1}))
        waiting = api.create(worker, human_task={"title": "approve", "assignees": ["carol"]})
        agent.ok(agent.complete(waiting, {"checked": True}))
        failed = api.create(worker)
        agent.ok(
            agent.resume(
                failed,
                {"kind": "agent_result", "outcome": "fail", "error": {"code": "nope", "message": "no"}},
            )
        )
        canceled = api.create(worker)
        api.ok(api.post(f"/v1/intents/{canceled}/resolve", {"status": "CANCELED", "reason": "not needed"}))
        handed = api.create(worker)
        agent.ok(agent.resume(handed, {"kind": "control", "next_handler": helper}))
        submitted = api.create(helper)
        intents = {
            "done": done,
            "waiting": waiting,
            "failed": failed,
            "canceled": canceled,
            "handed": handed,
            "submitted": submitted,
        }
        expect = {
            name: {"status": api.intent(iid)["status"], "events": len(api.events(iid))}
            for name, iid in intents.items()
        }
        return {
            "admin_key": srv.admin_key,
            "agents": {"worker": [worker, agent.key], "helper": [helper, helper_key.key]},
            "human_carol_key": carol.key,
            "minted": {
                "idempotency_key": "mint-dave",
                "key_id": idem_key["key"]["key_id"],
                "api_key": idem_key["api_key"],
            },
            "create_replay": {"idempotency_key": "create-1", "intent_id": done},
            "intents": intents,
            "expect": expect,
        }
    finally:
        assert srv.stop() == 0


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        manifest = build(data)
        out = HERE / "v1-data"
        shutil.rmtree(out, ignore_errors=True)
        out.mkdir()
        assert not (data / "axme.db-wal").exists() or (data / "axme.db-wal").stat().st_size == 0
        (out / "axme.db.gz").write_bytes(gzip.compress((data / "axme.db").read_bytes(), mtime=0))
        (out / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
