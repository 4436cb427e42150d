/**
 * Initiator of the human-approval workflow: applies the scenario bundle
 * (which provisions the infra-validator agent and creates the intent), follows
 * the intent live, and waits for the terminal status.
 *
 *   AXME_API_KEY=<admin key> AXME_BASE_URL=http://127.0.0.1:8787 \
 *     node approval-initiator.js ../approval/scenario.json [--approve]
 *
 * Without --approve a human decides, e.g. `axme tasks approve <intent_id>`;
 * with it this program approves as the on-call SRE once the task appears.
 */
import { readFileSync } from "node:fs";
import { AxmeClient, type JsonObject } from "@axme/axme";

const [scenarioPath, flag] = process.argv.slice(2);
if (!scenarioPath) {
  console.error("usage: approval-initiator SCENARIO.json [--approve]");
  process.exit(2);
}
const bundle = JSON.parse(readFileSync(scenarioPath, "utf8")) as JsonObject;
const client = new AxmeClient(); // AXME_API_KEY and AXME_BASE_URL from the environment

const applied = await client.applyScenario(bundle);
for (const agent of applied.agents) {
  console.log(`agent ${agent.address} key: ${agent.api_key ?? "(already registered; key not shown again)"}`);
}
console.log(`intent ${applied.intent_id} submitted`);

for await (const event of client.observe(applied.intent_id)) {
  const waiting = event.waiting_reason ? ` (${event.waiting_reason})` : "";
  console.log(`  [event ${event.seq}] ${event.event_type} -> ${event.status}${waiting}`);
  if (event.event_type === "intent.human_task_assigned") {
    if (flag === "--approve") {
      await client.approveTask(applied.intent_id, { comment: "change plan reviewed" });
    } else {
      console.log(`  waiting for a human: axme tasks approve ${applied.intent_id}`);
    }
  }
}

const result = await client.waitFor(applied.intent_id);
console.log(`Done: ${result.status}`);
process.exitCode = result.status === "COMPLETED" ? 0 : 1;
