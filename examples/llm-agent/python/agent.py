"""An agent that calls an LLM: it triages a support ticket with any OpenAI-compatible chat
endpoint. It does not retry the model itself: when the call fails (or the answer is not the
JSON asked for) the handler raises, the step fails, and the platform delivers it again
(scenario.json: retry). Non-deterministic code is an ordinary step.

    OPENAI_BASE_URL=https://api.openai.com/v1 OPENAI_API_KEY=sk-… OPENAI_MODEL=gpt-4o-mini \
    AXME_API_KEY=<agent key> AXME_BASE_URL=http://127.0.0.1:8787 python agent.py [ticket-triage]
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from typing import Any

import httpx
from axme import AsyncAxmeClient, AxmeClientConfig

PROMPT = (
    "Triage this support ticket. Answer with a JSON object only: "
    '{"category": "billing|bug|question", "priority": "low|normal|high", "reply": "<one sentence>"}'
)


async def triage(delivery: Any) -> dict[str, Any]:
    ticket = delivery.intent["payload"]
    print(
        f"[agent] ticket {ticket['ticket_id']}: asking the model (attempt {delivery.attempt})",
        flush=True,
    )
    async with httpx.AsyncClient(timeout=60) as http:
        response = await http.post(
            f"{os.environ.get('OPENAI_BASE_URL', 'https://api.openai.com/v1')}/chat/completions",
            headers={"Authorization": f"Bearer {os.environ['OPENAI_API_KEY']}"},
            json={
                "model": os.environ.get("OPENAI_MODEL", "gpt-4o-mini"),
                "temperature": 0,
                "messages": [
                    {"role": "system", "content": PROMPT},
                    {"role": "user", "content": f"{ticket['subject']}\n\n{ticket['body']}"},
                ],
            },
        )
    if response.status_code != 200:
        print(
            f"[agent] the model answered {response.status_code}; the platform will retry",
            flush=True,
        )
        response.raise_for_status()  # fails the step
    answer = json.loads(
        response.json()["choices"][0]["message"]["content"]
    )  # not JSON: fails the step
    print(
        f"[agent] {ticket['ticket_id']}: {answer['category']}, priority {answer['priority']}",
        flush=True,
    )
    return {"ticket_id": ticket["ticket_id"], **answer}


async def main(address: str) -> None:
    async with AsyncAxmeClient(AxmeClientConfig()) as client:  # AXME_API_KEY, AXME_BASE_URL
        print(f"[agent] serving {address}", flush=True)
        await client.run_agent(address, triage)  # until SIGINT or SIGTERM
    print("[agent] stopped", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "ticket-triage"))
