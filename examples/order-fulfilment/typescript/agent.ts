/**
 * The order fulfilment agent: one handler per workflow step. Throwing fails the step; the
 * platform retries charge_payment and ship (scenario.json: retry), otherwise the order ends
 * FAILED with the error's message as the reason.
 *
 *   AXME_API_KEY=<agent key> AXME_BASE_URL=http://127.0.0.1:8787 npx tsx agent.ts [order-fulfilment]
 */
import { AxmeClient, type DeliveryContext, type Intent, type JsonObject } from "@axme/axme";

interface Order {
  order_id: string; items: { sku: string; qty: number }[]; card: string; amount_cents: number;
  ship_to: { city: string }; simulate_gateway_timeouts?: number;
}
const STOCK: Record<string, number> = { "mug-blue": 10, "tea-green": 4, "lamp-red": 0 };
const gatewayCalls = new Map<string, number>(); // charge attempts per intent, to simulate a flaky gateway

const steps: Record<string, (order: Order, intentId: string) => JsonObject> = {
  validate_inventory(order) {
    for (const { sku, qty } of order.items) {
      const left = STOCK[sku] ?? 0;
      if (left < qty) throw new Error(`out of stock: ${sku} (ordered ${qty}, ${left} left)`);
    }
    return { reserved: order.items.map((item) => item.sku) };
  },
  charge_payment(order, intentId) {
    if (order.card === "tok_declined") throw new Error(`payment declined: card ${order.card} (insufficient funds)`);
    const calls = (gatewayCalls.get(intentId) ?? 0) + 1;
    gatewayCalls.set(intentId, calls);
    if (calls <= (order.simulate_gateway_timeouts ?? 0)) throw new Error("payment gateway timed out"); // transient: retried
    return { charge_id: `ch_${order.order_id}`, amount_cents: order.amount_cents };
  },
  ship(order, intentId) {
    return { tracking_number: `TRK-${intentId.slice(-8).toUpperCase()}`, carrier: "ParcelCo", ship_to: order.ship_to.city };
  },
};

async function handle(intent: Intent, { delivery }: DeliveryContext): Promise<JsonObject> {
  const order = intent.payload as unknown as Order;
  const step = delivery.step_id ?? "";
  console.log(`[agent] ${order.order_id}: ${step} (attempt ${delivery.attempt})`);
  try {
    return steps[step]!(order, intent.intent_id);
  } catch (err) {
    console.log(`[agent] ${step} failed: ${(err as Error).message}`);
    throw err;
  }
}

const address = process.argv[2] ?? "order-fulfilment";
const client = new AxmeClient(); // AXME_API_KEY and AXME_BASE_URL from the environment
console.log(`[agent] serving ${address}`);
await client.runAgent(address, handle); // until SIGINT or SIGTERM, then it finishes the step in hand
console.log("[agent] stopped");
