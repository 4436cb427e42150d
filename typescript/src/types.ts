/**
 * Public types. Wire objects keep the wire's snake_case keys (they are what
 * the server sends); request inputs accept the same fields in camelCase too.
 */

/** JSON object as sent or received (payloads, results, data). */
export type JsonObject = { [key: string]: unknown };

export type IntentStatus =
  | "CREATED"
  | "SUBMITTED"
  | "DELIVERED"
  | "ACKNOWLEDGED"
  | "IN_PROGRESS"
  | "WAITING"
  | "COMPLETED"
  | "FAILED"
  | "CANCELED"
  | "TIMED_OUT";

export type TerminalStatus = "COMPLETED" | "FAILED" | "CANCELED" | "TIMED_OUT";

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

export interface PendingWith {
  type: "agent" | "human" | "internal";
  ref: string;
  name: string | null;
}

export interface ErrorObject {
  code: string;
  message: string;
  details?: unknown;
}

export interface Actor {
  type: "agent" | "human" | "system" | "admin";
  id: string;
  display_name: string | null;
}

export interface Intent {
  intent_id: string;
  intent_type: string;
  from_agent: string | null;
  to_agent: string;
  correlation_id: string | null;
  reply_to: string | null;
  payload: JsonObject;
  status: IntentStatus;
  lifecycle_status: IntentStatus;
  waiting_reason: string | null;
  pending_with: PendingWith | null;
  result: JsonObject | null;
  error: ErrorObject | null;
  human_task: JsonObject | null;
  current_step: JsonObject | null;
  steps: JsonObject[] | null;
  delivery_attempt: number;
  max_delivery_attempts: number;
  remind_count: number;
  deadline_at: string | null;
  created_at: string;
  updated_at: string;
  last_seq: number;
  [key: string]: unknown;
}

export interface IntentEvent {
  intent_id: string;
  seq: number;
  event_type: string;
  at: string;
  status: IntentStatus;
  waiting_reason: string | null;
  pending_with: PendingWith | null;
  actor: Actor | null;
  channel: string | null;
  data: JsonObject;
  [key: string]: unknown;
}

export interface Delivery {
  delivery_id: string;
  intent_id: string;
  attempt: number;
  lease_expires_at: string;
  status: string;
  step_id: string | null;
  intent: Intent;
  [key: string]: unknown;
}

export interface AuditEntry {
  seq: number;
  at: string;
  event_type: string;
  actor: Actor | null;
  channel: string | null;
  outcome: string | null;
  comment: string | null;
  data: JsonObject | null;
  [key: string]: unknown;
}

export interface Task {
  intent_id: string;
  step_id: string | null;
  status: "pending" | "decided" | "expired";
  human_task: JsonObject;
  assignees: unknown[];
  created_at: string;
  deadline_at: string | null;
  remind_count: number;
  intent_type: string;
  [key: string]: unknown;
}

export interface Agent {
  address: string;
  display_name?: string | null;
  delivery_mode: "stream" | "poll" | "http";
  callback_url?: string | null;
  [key: string]: unknown;
}

export interface ApiKeyInfo {
  key_id: string;
  kind: "admin" | "agent" | "human";
  [key: string]: unknown;
}

// ---- responses (every success body has ok: true) ---------------------------

export interface Ok {
  ok: true;
}
export interface HealthResponse extends Ok {
  service: string;
  version: string;
  protocol: string;
}
export interface CreateIntentResponse extends Ok {
  intent_id: string;
  status: IntentStatus;
  created_at: string;
}
export interface IntentResponse extends Ok {
  intent: Intent;
}
export interface IntentListResponse extends Ok {
  intents: Intent[];
  next_cursor: string | null;
}
export interface EventListResponse extends Ok {
  events: IntentEvent[];
  next_seq: number;
}
export interface AppliedResponse extends Ok {
  applied: boolean;
  intent: Intent;
}
export interface AckResponse extends Ok {
  intent: Intent;
  lease_expires_at: string;
}
export interface AuditResponse extends Ok {
  intent_id: string;
  audit: AuditEntry[];
}
export interface RegisterAgentResponse extends Ok {
  agent: Agent;
  api_key: string;
}
export interface AgentResponse extends Ok {
  agent: Agent;
}
export interface AgentListResponse extends Ok {
  agents: Agent[];
  next_cursor: string | null;
}
export interface KeyResponse extends Ok {
  key: ApiKeyInfo;
  api_key?: string;
}
export interface KeyListResponse extends Ok {
  keys: ApiKeyInfo[];
}
export interface DeliveryListResponse extends Ok {
  deliveries: Delivery[];
}
export interface TaskListResponse extends Ok {
  tasks: Task[];
  next_cursor: string | null;
}
export interface ApplyScenarioResponse extends Ok {
  intent_id: string;
  status: IntentStatus;
  scenario_id: string;
  agents: { role: string; address: string; api_key: string | null; created: boolean }[];
}
export interface ValidateScenarioResponse extends Ok {
  valid: boolean;
  problems: { path: string; code: string; message: string }[];
}

// ---- requests (wire shape; inputs accept either spelling) ------------------

type SnakeToCamel<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<SnakeToCamel<Tail>>}`
  : S;

/** The same object with top-level keys in camelCase. */
export type CamelKeys<T> = { [K in keyof T as K extends string ? SnakeToCamel<K> : K]: T[K] };

/** A request written in the wire's snake_case or in camelCase. */
export type Cased<T> = T | CamelKeys<T>;

export interface HumanTask {
  title: string;
  description?: string;
  task_type?: string;
  allowed_outcomes?: string[];
  required_comment?: boolean;
  evidence_required?: boolean;
  form_schema?: JsonObject;
  assignees?: unknown[];
  notify?: unknown[];
  [key: string]: unknown;
}

export interface CreateIntentRequest {
  intent_type: string;
  to_agent: string;
  payload?: JsonObject;
  correlation_id?: string;
  reply_to?: string;
  deadline_at?: string;
  remind_after_seconds?: number;
  remind_interval_seconds?: number;
  max_reminders?: number;
  escalate_to?: string;
  max_delivery_attempts?: number;
  human_task?: HumanTask;
}
export type CreateIntentInput = Cased<CreateIntentRequest>;

export interface ListIntentsParams {
  status?: string;
  to_agent?: string;
  from_agent?: string;
  limit?: number;
  cursor?: string;
}

export interface ResolveIntentRequest {
  status: "COMPLETED" | "FAILED" | "CANCELED";
  result?: JsonObject;
  error?: ErrorObject;
  reason?: string;
}

/** The resume body: a tagged union on `kind` (legacy shapes accepted too). */
export type ResumeRequest =
  | { kind: "agent_result"; outcome: "complete"; result?: JsonObject; delivery_id?: string }
  | { kind: "agent_result"; outcome: "fail"; error?: ErrorObject; delivery_id?: string }
  | { kind: "task_result"; outcome: string; comment?: string; data?: JsonObject; evidence?: unknown }
  | { kind: "progress"; details?: JsonObject; delivery_id?: string }
  | { kind: "control"; approve_current_step?: boolean; next_handler?: string }
  | JsonObject;

export interface RegisterAgentRequest {
  address: string;
  display_name?: string;
  delivery_mode?: "stream" | "poll" | "http";
  callback_url?: string;
}

export interface DecideTaskRequest {
  outcome: string;
  comment?: string;
  data?: JsonObject;
  evidence?: unknown;
}

export interface ListTasksParams {
  status?: "pending" | "all";
  assignee?: string;
  limit?: number;
  cursor?: string;
}

export interface CreateKeyRequest {
  kind: "admin" | "agent" | "human";
  name: string;
  agent_address?: string;
  human?: { id: string; display_name: string; contact?: string };
  expires_at?: string;
}
