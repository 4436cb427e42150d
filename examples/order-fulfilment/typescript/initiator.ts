/**
 * Places an order through the fulfilment workflow (../scenario.json), prints every step live and
 * the tracking number from the result. Exits 1 when the order FAILED (the reason is printed).
 *
 *   AXME_API_KEY=<admin key> AXME_BASE_URL=http://127.0.0.1:8787 npx tsx initiator.ts [in-stock|out-of-stock|declined]
 */
import { readFileSync } from "node:fs";
import { AxmeClient, type JsonObject } from "@axme/axme";

const VARIANTS: Record<string, JsonObject> = {
  "in-stock": { order_id: "ord-1001" },
  "out-of-stock": { order_id: "ord-1002", items: [{ sku: "lamp-red", qty: 1 }] },
  declined: { order_id: "ord-1003", card: "tok_declined" },
};
const variant = process.argv[2] ?? "in-stock";
const bundle = JSON.parse(readFileSync("../scenario.json", "utf8")) as { intent: { payload: JsonObject } };
Object.assign(bundle.intent.payload, VARIANTS[variant]);
const client = new AxmeClient(); // AXME_API_KEY and AXME_BASE_URL from the environment

const { intent_id: intentId } = await client.applyScenario(bundle as unknown as JsonObject);
console.log(`intent ${intentId} submitted (order ${String(bundle.intent.payload.order_id)}, ${variant})`);
for await (const event of client.observe(intentId)) {
  const data = event.data as { step_id?: string; reason?: string; error?: { message?: string } };
  let detail = data.step_id ? ` [${data.step_id}]` : "";
  if (event.event_type === "intent.redelivered") detail += ` ${data.reason}: ${data.error?.message ?? ""}`;
  console.log(`  #${event.seq} ${event.event_type} -> ${event.status}${detail}`);
}

const final = await client.waitFor(intentId);
console.log(`final status ${final.status}`);
if (final.status === "COMPLETED") {
  console.log(`tracking number: ${String(final.result?.tracking_number)}`);
} else {
  console.log(`reason: ${final.error?.message}`);
  process.exitCode = 1;
}
