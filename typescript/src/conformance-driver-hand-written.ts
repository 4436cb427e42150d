/**
 * The conformance driver's calls that scripts/gen-driver-calls.mjs cannot read from the
 * spec and AxmeClient's signatures: resumeIntent (a plain agent result through the
 * resumeIntent helper, every other body through resumeIntentWith), the SDK-only helpers
 * of spec/naming.yaml (their arguments are not one operation's wire members, and some
 * answer no response body) and the intent handle. Every other operation is in the
 * generated conformance-driver-calls.ts; an operation named here is left out of it.
 */
import type { JsonObject } from "./index.js";
import { num, obj, rest, str, type DriverCall } from "./conformance-driver-args.js";

/** The wire members of the body `resumeIntent(id, result, { deliveryId })` sends. */
const HELPER_RESUME_KEYS = ["kind", "outcome", "result", "delivery_id"];

/** A plain agent result goes through resumeIntent; every other body through resumeIntentWith. */
function isHelperResume(body: JsonObject): boolean {
  const result = body["result"];
  return (
    Object.keys(body).every((k) => HELPER_RESUME_KEYS.includes(k)) &&
    body["kind"] === "agent_result" &&
    body["outcome"] === "complete" &&
    typeof result === "object" && result !== null && !Array.isArray(result) &&
    (body["delivery_id"] === undefined || typeof body["delivery_id"] === "string")
  );
}

/** The per-call options the helpers take besides the signal. */
type HelperOptions = { signal: AbortSignal; deliveryId?: string; reason?: string; comment?: string; data?: JsonObject };

/** The per-call options plus the named option when the args have it as a string. */
function withString(o: { signal: AbortSignal }, option: "deliveryId" | "reason" | "comment", value: unknown): HelperOptions {
  return typeof value === "string" ? { ...o, [option]: value } : { ...o };
}

export const handWrittenCalls: Record<string, DriverCall> = {
  sendIntent: async (c, a, o) => ({ intent_id: await c.sendIntent(a as never, o) }),
  submitIntent: async (c, a, o) => ({ intent_id: (await c.submitIntent(a as never, o)).intentId }),
  // client.intent(id).<action>(…): the handle of an existing intent (REQ-CLIENT-010)
  intentHandle: (c, a, o) => {
    const handle = c.intent(str(a, "intent_id"));
    if (a["action"] === "complete") return a["result"] === undefined ? handle.complete(undefined, o) : handle.complete(obj(a["result"]), o);
    if (a["action"] === "fail") return handle.fail(obj(a["error"]) as never, o);
    if (a["action"] === "cancel") return handle.cancel(withString(o, "reason", a["reason"]));
    throw new TypeError(`intentHandle: unknown action ${String(a["action"])}`);
  },
  resumeIntent: (c, a, o) => {
    const body = rest(a, "intent_id");
    if (!isHelperResume(body)) return c.resumeIntentWith(str(a, "intent_id"), body, o); // sent as given
    return c.resumeIntent(str(a, "intent_id"), obj(body["result"]), withString(o, "deliveryId", body["delivery_id"]));
  },
  // the helper itself, whatever the result is (REQ-RESUME-010: a resume form is sent as is)
  resumeIntentHelper: (c, a, o) => c.resumeIntent(str(a, "intent_id"), obj(a["result"]), withString(o, "deliveryId", a["delivery_id"])),
  failIntent: (c, a, o) => c.failIntent(str(a, "intent_id"), obj(a["error"]) as never, withString(o, "deliveryId", a["delivery_id"])),
  cancelIntent: (c, a, o) => c.cancelIntent(str(a, "intent_id"), withString(o, "reason", a["reason"])),
  approveTask: (c, a, o) => c.approveTask(str(a, "intent_id"), withString(o, "comment", a["comment"])),
  rejectTask: (c, a, o) => c.rejectTask(str(a, "intent_id"), withString(o, "comment", a["comment"])),
  completeTask: (c, a, o) => {
    const options = withString(o, "comment", a["comment"]);
    if (a["data"] !== undefined) options.data = obj(a["data"]);
    return c.completeTask(str(a, "intent_id"), typeof a["outcome"] === "string" ? a["outcome"] : undefined, options);
  },
  waitFor: (c, a, o) => {
    const timeout = num(a["timeout_ms"]);
    return c.waitFor(str(a, "intent_id"), timeout === undefined ? o : { ...o, timeout });
  },
};
