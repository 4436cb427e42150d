/**
 * Runs the crash-safe pipeline (../scenario.json) and prints its lifecycle live: each step, a
 * redelivery when the agent died mid-step, and the final status. `wrong-table` misspells the
 * target table, so `load` fails and the run can be retried from that step with a payload patch.
 *
 *   AXME_API_KEY=<admin key> AXME_BASE_URL=http://127.0.0.1:8787 npx tsx initiator.ts [wrong-table]
 */
import { readFileSync } from "node:fs";
import { AxmeClient, type JsonObject } from "@axme/axme";

const client = new AxmeClient(); // AXME_API_KEY and AXME_BASE_URL from the environment
const bundle = JSON.parse(readFileSync("../scenario.json", "utf8")) as { intent: { payload: JsonObject } };
if (process.argv.includes("wrong-table")) bundle.intent.payload.table = "warehouse.daily_order";
const { intent_id: intentId } = await client.applyScenario(bundle as unknown as JsonObject);
console.log(`intent ${intentId} submitted`);
for await (const event of client.observe(intentId)) {
  const data = event.data as { step_id?: string; delivery_id?: string; attempt?: number; reason?: string; previous_delivery_id?: string };
  let detail = data.step_id ? ` [${data.step_id}]` : "";
  if (event.event_type === "intent.delivered") detail += ` delivery ${data.delivery_id!.slice(0, 8)} attempt ${data.attempt}`;
  if (event.event_type === "intent.redelivered") detail += ` ${data.reason} (delivery ${data.previous_delivery_id!.slice(0, 8)} lost)`;
  console.log(`  #${event.seq} ${event.event_type} -> ${event.status}${detail}`);
}

const final = await client.waitFor(intentId);
console.log(`final status ${final.status}`);
if (final.status === "COMPLETED") {
  console.log(`result: ${JSON.stringify(final.result)}`);
} else {
  console.log(`error: ${final.error?.message}`);
  console.log(`retry from the failed step: axme intents retry ${intentId} --payload-patch '{"table": "warehouse.daily_orders"}'`);
  process.exitCode = 1;
}
