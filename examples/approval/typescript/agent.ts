/**
 * The migration validator of the human-approval workflow: checks the SQL's syntax, the target
 * database and the risk, and returns its assessment for the on-call SRE (throwing fails the intent).
 *
 *   AXME_API_KEY=<agent key> AXME_BASE_URL=http://127.0.0.1:8787 npx tsx agent.ts [infra-validator]
 */
import { AxmeClient, type DeliveryContext, type Intent, type JsonObject } from "@axme/axme";

const KNOWN_TARGETS = new Set(["prod-postgres-main", "staging-postgres-main"]);
const DDL = /^(CREATE|ALTER|DROP)\s+(UNIQUE\s+)?(INDEX|TABLE|COLUMN|VIEW)\b/i;
const DESTRUCTIVE = /\b(DROP\s+(TABLE|COLUMN)|TRUNCATE|DELETE\s+FROM)\b/i;

interface Migration { migration?: string; target?: string; sql?: string; rollback_plan?: string }

function assess(change: Migration): JsonObject {
  const sql = (change.sql ?? "").trim();
  const parens = (c: string) => sql.split(c).length;
  if (!DDL.test(sql) || !sql.endsWith(";") || parens("(") !== parens(")")) throw new Error(`syntax: not a single DDL statement: ${sql}`);
  if (!change.target || !KNOWN_TARGETS.has(change.target)) throw new Error(`target: unknown database ${change.target}`);
  if (!change.rollback_plan) throw new Error("risk: a migration needs a rollback plan");
  const risk = DESTRUCTIVE.test(sql) ? "high" : change.target.startsWith("prod-") && !/CONCURRENTLY/i.test(sql) ? "medium" : "low";
  return { syntax: "ok", target: change.target, risk, checks: ["single DDL statement", "known target", "rollback plan present"] };
}

async function validateChange(intent: Intent, context: DeliveryContext): Promise<JsonObject> {
  const change = intent.payload as Migration;
  console.log(`[agent] validating ${change.migration} on ${change.target} (attempt ${context.delivery.attempt})`);
  const verdict = assess(change);
  console.log(`[agent] risk ${verdict.risk}: handing over to the on-call SRE`);
  return verdict;
}

const address = process.argv[2] ?? "infra-validator";
const client = new AxmeClient(); // AXME_API_KEY and AXME_BASE_URL from the environment
console.log(`[agent] serving ${address}`);
await client.runAgent(address, validateChange); // until SIGINT or SIGTERM, then it finishes the step in hand
console.log("[agent] stopped");
