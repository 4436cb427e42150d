/**
 * Submits a support ticket to the LLM triage agent (../scenario.json), follows it live and
 * prints the model's triage.
 *
 *   AXME_API_KEY=<admin key> AXME_BASE_URL=http://127.0.0.1:8787 npx tsx initiator.ts
 */
import { readFileSync } from "node:fs";
import { AxmeClient, type JsonObject } from "@axme/axme";

const client = new AxmeClient(); // AXME_API_KEY and AXME_BASE_URL from the environment
const bundle = JSON.parse(readFileSync("../scenario.json", "utf8")) as JsonObject;
const { intent_id: intentId } = await client.applyScenario(bundle);
console.log(`intent ${intentId} submitted`);
for await (const event of client.observe(intentId)) {
  const reason = event.data.reason as string | undefined;
  console.log(`  #${event.seq} ${event.event_type} -> ${event.status}${reason ? ` ${reason}` : ""}`);
}

const final = await client.waitFor(intentId);
console.log(`final status ${final.status}`);
console.log(`triage: ${JSON.stringify(final.status === "COMPLETED" ? final.result : final.error)}`);
process.exitCode = final.status === "COMPLETED" ? 0 : 1;
