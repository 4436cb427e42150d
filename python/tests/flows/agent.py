# The agent of issue 4's "done when": `for delivery in client.listen(address): …
# client.resume_intent(id, result)`, configured only by AXME_API_KEY / AXME_BASE_URL
# (plus the address it serves as its one argument).
import os
import sys

from axme import AxmeClient, AxmeClientConfig

client = AxmeClient(AxmeClientConfig(api_key=os.environ["AXME_API_KEY"]))
address = sys.argv[1]
for delivery in client.listen(address):
    payload = delivery.intent["payload"]
    result = {"validated": True, "target": payload.get("target")}
    client.resume_intent(delivery.intent_id, result)
    print(f"completed {delivery.intent_id}", flush=True)
