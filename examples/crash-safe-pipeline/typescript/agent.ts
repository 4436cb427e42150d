/**
 * The ETL worker of the crash-safe pipeline: extract -> validate -> transform -> load. Each step
 * records its side effect once, keyed on intent id + step id (a redelivery has a new delivery id).
 * With CRASH_DURING_STEP=transform it kills itself in the middle of that step (after the effect,
 * before the result); the platform redelivers after the lease and a restarted agent finishes.
 *
 *   AXME_API_KEY=<agent key> AXME_BASE_URL=http://127.0.0.1:8787 \
 *     PIPELINE_EFFECTS=effects.log [CRASH_DURING_STEP=transform] npx tsx agent.ts [etl-worker]
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { AxmeClient, type DeliveryContext, type Intent, type JsonObject } from "@axme/axme";

const EFFECTS = process.env.PIPELINE_EFFECTS ?? "effects.log";
const CRASH_DURING = process.env.CRASH_DURING_STEP;
const WAREHOUSE_TABLES = new Set(["warehouse.daily_orders"]);
type Row = { order_id: string; amount: string; currency: string };

/** The step's side effect, e.g. a row under a unique key (intent_id, step_id). */
function recordOnce(intentId: string, step: string, deliveryId: string): void {
  const lines = existsSync(EFFECTS) ? readFileSync(EFFECTS, "utf8").split("\n") : [];
  const done = lines.find((line) => line.startsWith(`${intentId} ${step} `));
  if (done) {
    console.log(`[agent] ${step}: effect already recorded by delivery ${done.split(" ")[2]!.slice(0, 8)}; not repeating it`);
    return;
  }
  appendFileSync(EFFECTS, `${intentId} ${step} ${deliveryId}\n`);
}

function earlier<T>(intent: Intent, stepId: string): T {
  return intent.steps!.find((step) => step.step_id === stepId)!.result as unknown as T;
}

function runStep(step: string, intent: Intent): JsonObject {
  switch (step) {
    case "extract":
      return { rows: intent.payload.rows! };
    case "validate": {
      const rows = earlier<{ rows: Row[] }>(intent, "extract").rows;
      const ok = (row: Row) => !Number.isNaN(Number(row.amount));
      return { valid: rows.filter(ok), rejected: rows.filter((row) => !ok(row)).map((row) => row.order_id) };
    }
    case "transform": {
      const valid = earlier<{ valid: Row[] }>(intent, "validate").valid;
      const totals: Record<string, number> = {};
      for (const row of valid) totals[row.currency] = (totals[row.currency] ?? 0) + Math.round(Number(row.amount) * 100);
      return { totals_cents: totals, rows: valid.length };
    }
    default: {
      const table = String(intent.payload.table);
      if (!WAREHOUSE_TABLES.has(table)) throw new Error(`load: no table ${table} in the warehouse`); // fix and retry
      return { table, rows_loaded: earlier<{ rows: number }>(intent, "transform").rows };
    }
  }
}

async function handle(intent: Intent, { delivery }: DeliveryContext): Promise<JsonObject> {
  const step = delivery.step_id ?? "";
  console.log(`[agent] ${step} (delivery ${delivery.delivery_id.slice(0, 8)}, attempt ${delivery.attempt})`);
  const result = runStep(step, intent);
  recordOnce(intent.intent_id, step, delivery.delivery_id);
  if (step === CRASH_DURING) {
    console.log(`[agent] crashing in the middle of ${step}: effect recorded, result not sent`);
    process.kill(process.pid, "SIGKILL");
  }
  return result;
}

const address = process.argv[2] ?? "etl-worker";
const client = new AxmeClient(); // AXME_API_KEY and AXME_BASE_URL from the environment
console.log(`[agent] serving ${address}`);
await client.runAgent(address, handle); // until SIGINT or SIGTERM, then it finishes the step in hand
console.log("[agent] stopped");
