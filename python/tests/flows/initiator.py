# The initiator snippet of ARCHITECTURE.md ("must run unchanged against a local
# server with only AXME_API_KEY and AXME_BASE_URL set"). Two lines differ, both
# forced by the snippet being a fragment or by the interface conflict noted in
# python/README.md ("Known differences"): `import os` (the fragment uses os
# without importing it) and the `to_agent` workspace, `local/default` on a fresh
# server instead of `myorg/production`.
import os

from axme import AxmeClient, AxmeClientConfig

client = AxmeClient(AxmeClientConfig(api_key=os.environ["AXME_API_KEY"]))
intent_id = client.send_intent(
    {
        "intent_type": "intent.infra.change_approval.v1",
        "to_agent": "agent://local/default/infra-validator",
        "payload": {"change_type": "database_migration", "target": "prod-postgres-main"},
    }
)
result = client.wait_for(intent_id)
print(result["status"])  # COMPLETED, FAILED, CANCELED or TIMED_OUT
