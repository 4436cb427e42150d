/**
 * Human tasks, scenarios and workspace administration: the operations of
 * AxmeClient that are not about one intent's life or an agent's deliveries
 * (REQ-HUMAN-*, REQ-SCENARIO-*, REQ-AUTH-*, REQ-SECRET-*). AxmeClient extends
 * this class and supplies the transport.
 */
import { toWireKeys, toWireQuery } from "./casing.js";
import { transportOptions as plain } from "./options.js";
import { seg, type HttpTransport, type RequestOptions } from "./transport.js";
import type {
  Cased,
  JsonObject,
  ApplyScenarioResponse,
  CreateKeyRequest,
  DecideTaskRequest,
  IntentWriteResponse,
  KeyCreatedResponse,
  KeyListResponse,
  KeyResponse,
  LinkSecretRotatedResponse,
  ListMyTasksParams,
  ListTasksParams,
  RotateSecretRequest,
  TaskListResponse,
  ValidateScenarioResponse,
  WebhookSecretRotatedResponse,
  WorkspaceCreatedResponse,
  WorkspaceListResponse,
} from "./models.js";

type PathId = string;

export abstract class TaskAndAdminCalls {
  protected abstract readonly http: HttpTransport;

  // ---- human tasks -----------------------------------------------------------

  /** The calling human key's inbox: its pending tasks, oldest first (REQ-HUMAN-024). */
  async listMyTasks(params?: ListMyTasksParams, options?: RequestOptions): Promise<TaskListResponse> {
    return this.http.request({ method: "GET", path: "/v1/me/tasks", query: toWireQuery(params), options });
  }

  async listTasks(params?: Cased<ListTasksParams>, options?: RequestOptions): Promise<TaskListResponse> {
    return this.http.request({ method: "GET", path: "/v1/tasks", query: toWireQuery(params), options });
  }

  async decideTask(intentId: PathId, request: Cased<DecideTaskRequest>, options?: RequestOptions): Promise<IntentWriteResponse> {
    const path = `/v1/tasks/${seg(intentId, "intentId")}/decision`;
    return this.http.request({ method: "POST", path, body: toWireKeys(request, "decideTask"), options });
  }

  async approveTask(intentId: PathId, options?: RequestOptions & { comment?: string; data?: JsonObject }): Promise<IntentWriteResponse> {
    return this.decideTask(intentId, decision("approved", options), plain(options));
  }

  async rejectTask(intentId: PathId, options?: RequestOptions & { comment?: string; data?: JsonObject }): Promise<IntentWriteResponse> {
    return this.decideTask(intentId, decision("rejected", options), plain(options));
  }

  async completeTask(
    intentId: PathId,
    outcome = "completed",
    options?: RequestOptions & { data?: JsonObject; comment?: string; evidence?: DecideTaskRequest["evidence"] },
  ): Promise<IntentWriteResponse> {
    return this.decideTask(intentId, decision(outcome, options), plain(options));
  }

  // ---- scenarios -------------------------------------------------------------

  async applyScenario(bundle: JsonObject, options?: RequestOptions): Promise<ApplyScenarioResponse> {
    return this.http.request({ method: "POST", path: "/v1/scenarios/apply", body: toWireKeys(bundle, "applyScenario"), options });
  }

  async validateScenario(bundle: JsonObject, options?: RequestOptions): Promise<ValidateScenarioResponse> {
    const body = toWireKeys(bundle, "validateScenario");
    return this.http.request({ method: "POST", path: "/v1/scenarios/validate", body, options });
  }

  // ---- admin keys ------------------------------------------------------------

  async createKey(request: Cased<CreateKeyRequest>, options?: RequestOptions): Promise<KeyCreatedResponse> {
    return this.http.request({ method: "POST", path: "/v1/admin/keys", body: toWireKeys(request, "createKey"), options });
  }

  /** A new workspace and its first admin key, shown once (operator keys, REQ-AUTH-017). */
  async createWorkspace(org: string, name: string, options?: RequestOptions): Promise<WorkspaceCreatedResponse> {
    return this.http.request({ method: "POST", path: "/v1/admin/workspaces", body: { org, name }, options });
  }

  async listWorkspaces(options?: RequestOptions): Promise<WorkspaceListResponse> {
    return this.http.request({ method: "GET", path: "/v1/admin/workspaces", options });
  }

  /** A new webhook-signing secret for the workspace, shown only here (admin keys, REQ-SECRET-007). */
  async rotateWebhookSecret(request: Cased<RotateSecretRequest> = {}, options?: RequestOptions): Promise<WebhookSecretRotatedResponse> {
    const body = toWireKeys(request, "rotateWebhookSecret");
    return this.http.request({ method: "POST", path: "/v1/workspace/webhook-secret", body, options });
  }

  /** Replace the server's decision-link secret, never returned (first workspace's admin, REQ-SECRET-008). */
  async rotateLinkSecret(request: Cased<RotateSecretRequest> = {}, options?: RequestOptions): Promise<LinkSecretRotatedResponse> {
    const body = toWireKeys(request, "rotateLinkSecret");
    return this.http.request({ method: "POST", path: "/v1/server/link-secret", body, options });
  }

  async listKeys(options?: RequestOptions): Promise<KeyListResponse> {
    return this.http.request({ method: "GET", path: "/v1/admin/keys", options });
  }

  async revokeKey(keyId: string, options?: RequestOptions): Promise<KeyResponse> {
    return this.http.request({ method: "DELETE", path: `/v1/admin/keys/${seg(keyId, "keyId")}`, options });
  }
}


function decision(
  outcome: string,
  options: { comment?: string; data?: JsonObject; evidence?: DecideTaskRequest["evidence"] } | undefined,
): DecideTaskRequest {
  const request: DecideTaskRequest = { outcome };
  if (options?.comment !== undefined) request.comment = options.comment;
  if (options?.data !== undefined) request.data = options.data;
  if (options?.evidence !== undefined) request.evidence = options.evidence;
  return request;
}
