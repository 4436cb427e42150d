/**
 * Starts the human-approval workflow from ../scenario.json, follows it live and prints the
 * outcome. The on-call SRE decides in between: `axme tasks approve <intent_id> --comment "…"`
 * (or `axme tasks reject`). Exits 0 when approved (COMPLETED), 1 otherwise. `bad-sql` submits a
 * malformed statement, which the validator fails before anyone is asked.
 *
 *   AXME_API_KEY=<admin key> AXME_BASE_URL=http://127.0.0.1:8787 npx tsx initiator.ts [bad-sql]
 */
import { readFileSync } from "node:fs";
import { AxmeClient, type JsonObject } from "@axme/axme";

const bundle = JSON.parse(readFileSync("../scenario.json", "utf8")) as { intent: { payload: JsonObject } };
if (process.argv.includes("bad-sql")) bundle.intent.payload.sql = "CREATE INDEX idx_users_email ON users (email;";
const client = new AxmeClient(); // AXME_API_KEY and AXME_BASE_URL from the environment

const applied = await client.applyScenario(bundle as unknown as JsonObject);
for (const agent of applied.agents) {
  if (agent.api_key) console.log(`agent ${agent.address} created; its key (shown once): ${agent.api_key}`);
}
const intentId = applied.intent_id;
console.log(`intent ${intentId} submitted`);

for await (const event of client.observe(intentId)) {
  const step = event.data.step_id as string | undefined;
  console.log(`  #${event.seq} ${event.event_type} -> ${event.status}${step ? ` [${step}]` : ""}`);
  if (event.event_type === "intent.step_completed" && step === "validate_change") {
    console.log(`  validator: ${JSON.stringify(event.data.result)}`);
  }
  if (event.event_type === "intent.human_task_assigned") {
    console.log(`  waiting for the on-call SRE: axme tasks approve ${intentId} --comment "…" (or reject)`);
  }
}

const final = await client.waitFor(intentId);
console.log(`final status ${final.status}`);
if (final.status === "COMPLETED") {
  console.log(`result: ${JSON.stringify(final.result)}`);
} else {
  console.log(`error: ${final.error?.code}: ${final.error?.message}`);
  const comment = final.error?.details?.comment;
  if (comment !== undefined) console.log(`reviewer's comment: ${String(comment)}`);
  process.exitCode = 1;
}
