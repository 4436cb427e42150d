"""A scripted stand-in driver for the harness's own unit tests (not an SDK driver).

Its behaviour is chosen by argv[1]: `good` answers per the protocol, `bad`
writes a line that violates it, `crash` exits on the first call, `leaky` logs
the API key on stderr. `new_client` reads the key like an SDK (config, else
AXME_API_KEY) and logs to stderr with `log_level: debug`.
"""

import json
import os
import sys

mode = sys.argv[1]
for raw in sys.stdin:
    msg = json.loads(raw)
    op, op_id = msg["op"], msg["id"]
    if op == "hello":
        out = {
            "id": op_id,
            "ok": True,
            "result": {"sdk": "fake", "version": "0", "capabilities": ["observe"]},
        }
    elif op == "shutdown":
        print(json.dumps({"id": op_id, "ok": True, "result": {}}), flush=True)
        break
    elif mode == "crash":
        sys.exit(3)
    elif op == "new_client":
        config = msg["config"]
        key = config.get("api_key") or os.environ.get("AXME_API_KEY")
        if key is None:
            out = {
                "id": op_id,
                "ok": False,
                "error": {"type": "Configuration", "message": "no API key"},
            }
        else:
            if config.get("log_level") == "debug":
                shown = key if mode == "leaky" else key[: key.index("_", 5) + 1]
                print(f"DEBUG new client, key {shown}", file=sys.stderr, flush=True)
            out = {"id": op_id, "ok": True, "result": {"client": "c1", "key": key[:11]}}
    elif mode == "bad":
        out = {"id": op_id, "ok": True}  # no result: a protocol violation
    elif op == "observe":
        for seq in (1, 2):
            print(
                json.dumps({"id": op_id, "event": {"seq": seq, "event_type": "intent.x"}}),
                flush=True,
            )
        out = {"id": op_id, "done": True}
    else:
        out = {
            "id": op_id,
            "ok": False,
            "error": {
                "type": "NotFound",
                "status": 404,
                "code": "intent_not_found",
                "retryable": False,
                "message": "no",
            },
        }
    print(json.dumps(out), flush=True)
