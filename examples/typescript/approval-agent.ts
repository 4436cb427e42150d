/**
 * The infrastructure validator agent of the human-approval workflow. It
 * connects with its own agent key, receives the intent's first step,
 * validates the change and returns the result; the platform then hands the
 * workflow to a human.
 *
 *   AXME_API_KEY=<agent key> AXME_BASE_URL=http://127.0.0.1:8787 \
 *     node approval-agent.js agent://local/default/infra-validator [max-deliveries]
 */
import { AxmeClient, type DeliveryContext, type Intent, type JsonObject } from "@axme/axme";

interface ChangePlan {
  change_type?: string;
  target?: string;
  rollback_plan?: string;
}

async function validateChange(intent: Intent, context: DeliveryContext): Promise<JsonObject> {
  const plan = intent.payload as ChangePlan;
  const { delivery_id: deliveryId, attempt } = context.delivery;
  console.log(`[agent] validating ${plan.change_type} on ${plan.target} (delivery ${deliveryId.slice(0, 8)}, attempt ${attempt})`);
  if (!plan.rollback_plan) throw new Error("a migration needs a rollback plan"); // fails the intent
  return { validation: "passed", checks: ["rollback plan present", "no downtime expected"] };
}

const [address, max] = process.argv.slice(2);
if (!address) {
  console.error("usage: approval-agent ADDRESS [max-deliveries]");
  process.exit(2);
}
const client = new AxmeClient(); // AXME_API_KEY and AXME_BASE_URL from the environment
// until max-deliveries are handled, or SIGINT/SIGTERM (then the delivery in hand is finished)
const handled = await client.runAgent(address, validateChange, { maxDeliveries: Number(max ?? 1) });
console.log(`[agent] done: handled ${handled} delivery`);
