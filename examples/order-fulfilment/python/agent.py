"""The order fulfilment agent: one handler per workflow step (validate_inventory,
charge_payment, ship). A raised exception fails the step; the platform retries
charge_payment and ship (scenario.json: retry) and otherwise ends the order FAILED
with the exception's message as the reason.

    AXME_API_KEY=<agent key> AXME_BASE_URL=http://127.0.0.1:8787 python agent.py [order-fulfilment]
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from typing import Any

from axme import AsyncAxmeClient, AxmeClientConfig

STOCK = {"mug-blue": 10, "tea-green": 4, "lamp-red": 0}
gateway_calls: Counter[str] = Counter()  # charge attempts per intent, to simulate a flaky gateway


def validate_inventory(order: dict[str, Any], intent_id: str) -> dict[str, Any]:
    for item in order["items"]:
        left = STOCK.get(item["sku"], 0)
        if left < item["qty"]:
            raise ValueError(f"out of stock: {item['sku']} (ordered {item['qty']}, {left} left)")
    return {"reserved": [item["sku"] for item in order["items"]]}


def charge_payment(order: dict[str, Any], intent_id: str) -> dict[str, Any]:
    if order["card"] == "tok_declined":
        raise ValueError(f"payment declined: card {order['card']} (insufficient funds)")
    gateway_calls[intent_id] += 1
    if gateway_calls[intent_id] <= order.get("simulate_gateway_timeouts", 0):
        raise TimeoutError("payment gateway timed out")  # transient: the platform retries the step
    return {"charge_id": f"ch_{order['order_id']}", "amount_cents": order["amount_cents"]}


def ship(order: dict[str, Any], intent_id: str) -> dict[str, Any]:
    return {
        "tracking_number": f"TRK-{intent_id[-8:].upper()}",
        "carrier": "ParcelCo",
        "ship_to": order["ship_to"]["city"],
    }


STEPS = {"validate_inventory": validate_inventory, "charge_payment": charge_payment, "ship": ship}


async def handle(delivery: Any) -> dict[str, Any]:
    step = delivery.step_id
    print(
        f"[agent] {delivery.intent['payload']['order_id']}: {step} (attempt {delivery.attempt})",
        flush=True,
    )
    try:
        return STEPS[step](delivery.intent["payload"], delivery.intent_id)
    except Exception as exc:
        print(f"[agent] {step} failed: {exc}", flush=True)
        raise


async def main(address: str) -> None:
    async with AsyncAxmeClient(AxmeClientConfig()) as client:  # AXME_API_KEY, AXME_BASE_URL
        print(f"[agent] serving {address}", flush=True)
        await client.run_agent(address, handle)  # until SIGINT or SIGTERM
    print("[agent] stopped", flush=True)


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "order-fulfilment"))
