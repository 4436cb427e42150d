/**
 * Public types, derived from the generated OpenAPI types (./generated/).
 * Wire objects keep the wire's snake_case keys; request inputs accept the same
 * top-level fields in camelCase too (see `Cased`).
 */
import type { components } from "./generated/openapi.js";

type Schemas = components["schemas"];

/** JSON object as sent or received (payloads, results, data). */
export type JsonObject = { [key: string]: unknown };

/**
 * openapi-typescript renders a free-form `type: object` as
 * `Record<string, never>`, which no payload could satisfy; `Wire` turns those
 * into JsonObject throughout a schema type and leaves everything else as is.
 */
export type Wire<T> = T extends readonly (infer E)[]
  ? Wire<E>[]
  : T extends object
    ? string extends keyof T
      ? [T[string & keyof T]] extends [never]
        ? JsonObject
        : T
      : { [K in keyof T]: Wire<T[K]> }
    : T;

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

export type Intent = Wire<Schemas["Intent"]>;
/** One entry of an intent's event log (the spec's `Event`). */
export type IntentEvent = Wire<Schemas["Event"]>;
export type EventType = Schemas["EventType"];
export type Delivery = Wire<Schemas["Delivery"]>;
export type AuditEntry = Wire<Schemas["AuditEntry"]>;
export type Task = Wire<Schemas["Task"]>;
export type Agent = Wire<Schemas["Agent"]>;
export type Key = Wire<Schemas["Key"]>;
export type HumanTask = Wire<Schemas["HumanTask"]>;
export type PendingWith = Wire<Schemas["PendingWith"]>;
export type Actor = Wire<Schemas["Actor"]>;
/** The `error` object of a FAILED intent (and of failIntent). */
export type ErrorObject = Wire<Schemas["IntentError"]>;
/** The error failIntent takes: an ErrorObject whose code may be left out (sent as `agent_error`). */
export type FailIntentError = Omit<ErrorObject, "code"> & { code?: string };
export type ScenarioBundle = Wire<Schemas["ScenarioBundle"]>;

// ---- responses (every success body has ok: true) ---------------------------

export type HealthResponse = Wire<Schemas["HealthResponse"]>;
export type CreateIntentResponse = Wire<Schemas["CreateIntentResponse"]>;
export type IntentResponse = Wire<Schemas["IntentResponse"]>;
export type IntentListResponse = Wire<Schemas["IntentListResponse"]>;
export type EventListResponse = Wire<Schemas["EventListResponse"]>;
export type IntentWriteResponse = Wire<Schemas["IntentWriteResponse"]>;
export type AckIntentResponse = Wire<Schemas["AckIntentResponse"]>;
export type AuditResponse = Wire<Schemas["AuditResponse"]>;
export type AgentRegisteredResponse = Wire<Schemas["AgentRegisteredResponse"]>;
export type AgentResponse = Wire<Schemas["AgentResponse"]>;
export type AgentListResponse = Wire<Schemas["AgentListResponse"]>;
export type DeliveryPollResponse = Wire<Schemas["DeliveryPollResponse"]>;
export type TaskListResponse = Wire<Schemas["TaskListResponse"]>;
export type ApplyScenarioResponse = Wire<Schemas["ApplyScenarioResponse"]>;
export type ValidateScenarioResponse = Wire<Schemas["ValidateScenarioResponse"]>;
export type KeyCreatedResponse = Wire<Schemas["KeyCreatedResponse"]>;
export type KeyResponse = Wire<Schemas["KeyResponse"]>;
export type KeyListResponse = Wire<Schemas["KeyListResponse"]>;

// ---- requests (wire shape; inputs accept either spelling) ------------------

type SnakeToCamel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<SnakeToCamel<Tail>>}`
  : S;

/** The same object with top-level keys in camelCase. */
export type CamelKeys<T> = { [K in keyof T as K extends string ? SnakeToCamel<K> : K]: T[K] };

/** A request written in the wire's snake_case or in camelCase. */
export type Cased<T> = T | CamelKeys<T>;

export type CreateIntentRequest = Wire<Schemas["CreateIntentRequest"]>;
export type CreateIntentInput = Cased<CreateIntentRequest>;
export type ResolveIntentRequest = Wire<Schemas["ResolveIntentRequest"]>;
/** The resume body: a tagged union on `kind` (legacy shapes accepted too). */
export type ResumeRequest = Wire<Schemas["ResumeBody"]>;
export type RegisterAgentRequest = Wire<Schemas["RegisterAgentRequest"]>;
export type CreateKeyRequest = Wire<Schemas["CreateKeyRequest"]>;
export type CreateAgentKeyRequest = Wire<Schemas["CreateAgentKeyRequest"]>;
/** A human decision (the spec's `TaskDecision`). */
export type DecideTaskRequest = Wire<Schemas["TaskDecision"]>;

export interface ListIntentsParams {
  status?: IntentStatus;
  to_agent?: string;
  from_agent?: string;
  limit?: number;
  cursor?: string;
}

export interface ListTasksParams {
  status?: "pending" | "all";
  assignee?: string;
  limit?: number;
  cursor?: string;
}
