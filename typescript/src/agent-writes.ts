/**
 * The bodies of the agent's writes on the current step (resume kind
 * agent_result or progress, REQ-RESUME-*); the client sends them with
 * resumeIntentWith.
 */
import { DEFAULT_ERROR_CODE } from "./listen.js";
import type { FailIntentError, JsonObject } from "./models.js";

/** Top-level members that make the server read a body as a resume form (REQ-RESUME-002). */
const RESUME_FORM_MEMBERS = ["kind", "action", "task_result", "approve_current_step"];

/** True when `result` already is a resume body, which resumeIntent sends as given. */
function isResumeForm(result: unknown): result is JsonObject {
  return (
    typeof result === "object" && result !== null && !Array.isArray(result) &&
    RESUME_FORM_MEMBERS.some((k) => k in result)
  );
}

/** resumeIntent's body: `result` wrapped as an agent_result, or sent as given when it is a resume form. */
export function resumeBody(result: JsonObject, deliveryId: string | undefined): JsonObject {
  if (isResumeForm(result)) {
    // Already a resume body (e.g. the legacy {action: "fail", reason}): sent as given,
    // never wrapped as a result (REQ-RESUME-010); only a missing delivery id is added.
    const given: JsonObject = { ...result };
    if (deliveryId !== undefined && given["delivery_id"] === undefined && given["deliveryId"] === undefined) {
      given["delivery_id"] = deliveryId;
    }
    return given;
  }
  return withDelivery({ kind: "agent_result", outcome: "complete", result }, deliveryId);
}

/** failIntent's body; a missing or empty code is sent as `agent_error`. */
export function failBody(error: FailIntentError, deliveryId: string | undefined): JsonObject {
  if (error === null || typeof error !== "object" || Array.isArray(error)) {
    throw new TypeError("failIntent: error must be an object {code?, message}");
  }
  const body: JsonObject = { kind: "agent_result", outcome: "fail", error: { ...error, code: error.code || DEFAULT_ERROR_CODE } };
  return withDelivery(body, deliveryId);
}

/** reportProgress's body. */
export function progressBody(details: JsonObject | undefined, deliveryId: string | undefined): JsonObject {
  const body: JsonObject = { kind: "progress" };
  if (details !== undefined) body["details"] = details;
  return withDelivery(body, deliveryId);
}

function withDelivery(body: JsonObject, deliveryId: string | undefined): JsonObject {
  if (deliveryId !== undefined) body["delivery_id"] = deliveryId;
  return body;
}
