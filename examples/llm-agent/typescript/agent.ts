/**
 * An agent that calls an LLM: it triages a support ticket with any OpenAI-compatible chat
 * endpoint. It does not retry the model itself: a failed call (or an answer that is not the JSON
 * asked for) throws, the step fails, and the platform delivers it again (scenario.json: retry).
 *
 *   OPENAI_BASE_URL=https://api.openai.com/v1 OPENAI_API_KEY=sk-… OPENAI_MODEL=gpt-4o-mini \
 *   AXME_API_KEY=<agent key> AXME_BASE_URL=http://127.0.0.1:8787 npx tsx agent.ts [ticket-triage]
 */
import { AxmeClient, type DeliveryContext, type Intent, type JsonObject } from "@axme/axme";

const PROMPT = 'Triage this support ticket. Answer with a JSON object only: ' +
  '{"category": "billing|bug|question", "priority": "low|normal|high", "reply": "<one sentence>"}';

async function triage(intent: Intent, { delivery, signal }: DeliveryContext): Promise<JsonObject> {
  const ticket = intent.payload as { ticket_id: string; subject: string; body: string };
  console.log(`[agent] ticket ${ticket.ticket_id}: asking the model (attempt ${delivery.attempt})`);
  const response = await fetch(`${process.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1"}/chat/completions`, {
    method: "POST",
    signal,
    headers: { "content-type": "application/json", authorization: `Bearer ${process.env.OPENAI_API_KEY}` },
    body: JSON.stringify({
      model: process.env.OPENAI_MODEL ?? "gpt-4o-mini",
      temperature: 0,
      messages: [{ role: "system", content: PROMPT }, { role: "user", content: `${ticket.subject}\n\n${ticket.body}` }],
    }),
  });
  if (!response.ok) {
    console.log(`[agent] the model answered ${response.status}; the platform will retry`);
    throw new Error(`chat completion failed: HTTP ${response.status}`); // fails the step
  }
  const completion = (await response.json()) as { choices: { message: { content: string } }[] };
  const answer = JSON.parse(completion.choices[0]!.message.content) as JsonObject; // not JSON: fails the step
  console.log(`[agent] ${ticket.ticket_id}: ${String(answer.category)}, priority ${String(answer.priority)}`);
  return { ticket_id: ticket.ticket_id, ...answer };
}

const address = process.argv[2] ?? "ticket-triage";
const client = new AxmeClient(); // AXME_API_KEY and AXME_BASE_URL from the environment
console.log(`[agent] serving ${address}`);
await client.runAgent(address, triage); // until SIGINT or SIGTERM, then it finishes the step in hand
console.log("[agent] stopped");
