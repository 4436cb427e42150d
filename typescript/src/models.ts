/**
 * Public types, derived from the generated OpenAPI types (./generated/).
 * Wire objects keep the wire's snake_case keys; request inputs accept the same
 * top-level fields in camelCase too (see `Cased`).
 */
import type { components } from "./generated/openapi.js";

type Schemas = components["schemas"];

/**
 * JSON object as sent or received (payloads, results, data). The spec declares
 * every free-form object `additionalProperties: true`, which openapi-typescript
 * renders as exactly this type, so the schema types below are used as generated.
 */
export type JsonObject = { [key: string]: unknown };

export type IntentStatus = Schemas["IntentStatus"];
export type TerminalStatus = Extract<IntentStatus, "COMPLETED" | "FAILED" | "CANCELED" | "TIMED_OUT">;

/** The spec's terminal set: an intent in one of these never changes again. */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set<TerminalStatus>([
  "COMPLETED",
  "FAILED",
  "CANCELED",
  "TIMED_OUT",
]);

export function isTerminalStatus(status: unknown): status is TerminalStatus {
  return typeof status === "string" && TERMINAL_STATUSES.has(status);
}

// ---- wire objects ------------------------------------------------------------

export type Intent = Schemas["Intent"];
/** One entry of an intent's event log (the spec's `Event`). */
export type IntentEvent = Schemas["Event"];
export type EventType = Schemas["EventType"];
export type Delivery = Schemas["Delivery"];
export type AuditEntry = Schemas["AuditEntry"];
export type Task = Schemas["Task"];
export type Agent = Schemas["Agent"];
export type Key = Schemas["Key"];
export type HumanTask = Schemas["HumanTask"];
export type PendingWith = Schemas["PendingWith"];
export type Actor = Schemas["Actor"];
/** The `error` object of a FAILED intent (and of failIntent). */
export type ErrorObject = Schemas["IntentError"];
/** The error failIntent takes: an ErrorObject whose code may be left out (sent as `agent_error`). */
export type FailIntentError = Omit<ErrorObject, "code"> & { code?: string };
export type ScenarioBundle = Schemas["ScenarioBundle"];

// ---- responses (every success body has ok: true) ---------------------------

export type HealthResponse = Schemas["HealthResponse"];
export type CreateIntentResponse = Schemas["CreateIntentResponse"];
export type IntentResponse = Schemas["IntentResponse"];
export type IntentListResponse = Schemas["IntentListResponse"];
export type EventListResponse = Schemas["EventListResponse"];
export type IntentWriteResponse = Schemas["IntentWriteResponse"];
export type AckIntentResponse = Schemas["AckIntentResponse"];
export type AuditResponse = Schemas["AuditResponse"];
export type NotificationListResponse = Schemas["NotificationListResponse"];
export type Notification = Schemas["Notification"];
export type AgentRegisteredResponse = Schemas["AgentRegisteredResponse"];
export type AgentResponse = Schemas["AgentResponse"];
export type AgentListResponse = Schemas["AgentListResponse"];
export type DeliveryPollResponse = Schemas["DeliveryPollResponse"];
export type TaskListResponse = Schemas["TaskListResponse"];
export type ApplyScenarioResponse = Schemas["ApplyScenarioResponse"];
export type ValidateScenarioResponse = Schemas["ValidateScenarioResponse"];
export type KeyCreatedResponse = Schemas["KeyCreatedResponse"];
export type KeyResponse = Schemas["KeyResponse"];
export type KeyListResponse = Schemas["KeyListResponse"];
export type AgentDeletedResponse = Schemas["AgentDeletedResponse"];
export type Workspace = Schemas["Workspace"];
export type WorkspaceCreatedResponse = Schemas["WorkspaceCreatedResponse"];
export type WorkspaceListResponse = Schemas["WorkspaceListResponse"];
/** rotateCallbackSecret's answer: the new secret, shown only here (REQ-SECRET-002). */
export type CallbackSecretRotatedResponse = Schemas["CallbackSecretRotatedResponse"];
/** rotateWebhookSecret's answer: the new secret, shown only here (REQ-SECRET-002). */
export type WebhookSecretRotatedResponse = Schemas["WebhookSecretRotatedResponse"];
/** rotateLinkSecret's answer; the link-signing secret never leaves the server. */
export type LinkSecretRotatedResponse = Schemas["LinkSecretRotatedResponse"];

// ---- requests (wire shape; inputs accept either spelling) ------------------

type SnakeToCamel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<SnakeToCamel<Tail>>}`
  : S;

/** The same object with top-level keys in camelCase. */
export type CamelKeys<T> = { [K in keyof T as K extends string ? SnakeToCamel<K> : K]: T[K] };

/** A request written in the wire's snake_case or in camelCase. */
export type Cased<T> = T | CamelKeys<T>;

export type CreateIntentRequest = Schemas["CreateIntentRequest"];
export type CreateIntentInput = Cased<CreateIntentRequest>;
export type ResolveIntentRequest = Schemas["ResolveIntentRequest"];
/** The body of retryIntent: reason, payload_patch (a JSON merge patch), deadline_at. */
export type RetryIntentRequest = Schemas["RetryIntentRequest"];
/** The new attempt retryIntent created (REQ-REATTEMPT-005). */
export type RetryIntentResponse = Schemas["RetryIntentResponse"];
/** The resume body: a tagged union on `kind` (legacy shapes accepted too). */
export type ResumeRequest = Schemas["ResumeBody"];
export type RegisterAgentRequest = Schemas["RegisterAgentRequest"];
export type CreateKeyRequest = Schemas["CreateKeyRequest"];
export type CreateAgentKeyRequest = Schemas["CreateAgentKeyRequest"];
/** rotateCallbackSecret's body: callback_secret (generated when absent), overlap_seconds. */
export type RotateCallbackSecretRequest = Schemas["RotateCallbackSecretRequest"];
/** rotateWebhookSecret's and rotateLinkSecret's body: overlap_seconds. */
export type RotateSecretRequest = Schemas["RotateSecretRequest"];
/** A human decision (the spec's `TaskDecision`). */
export type DecideTaskRequest = Schemas["TaskDecision"];

export interface ListIntentsParams {
  status?: IntentStatus;
  to_agent?: string;
  from_agent?: string;
  limit?: number;
  cursor?: string;
}

/** Paging of the caller's inbox (`listMyTasks`). */
export interface ListMyTasksParams {
  limit?: number;
  cursor?: string;
}

export interface ListTasksParams {
  status?: "pending" | "all";
  assignee?: string;
  limit?: number;
  cursor?: string;
}
