/**
 * AxmeClient: one method per AXP operation (spec/naming.yaml: canonical names in
 * camelCase) plus the helpers sendIntent, waitFor, observe, listen, serve, runAgent,
 * failIntent, cancelIntent, approveTask, rejectTask and completeTask.
 *
 * Operation methods return the server's JSON body as sent (snake_case keys);
 * request inputs accept camelCase or snake_case top-level fields.
 */
import { failBody, progressBody, resumeBody } from "./agent-writes.js";
import { toWireKeys, toWireQuery } from "./casing.js";
import { checkOptions, KNOWN_OPTIONS, transportOptions as plain } from "./options.js";
import { resolveConfig, type AxmeClientOptions } from "./config.js";
import { IntentHandle } from "./intent-handle.js";
import { waitOnStream } from "./wait.js";
import { AxmeApiError, WaitTimeoutError } from "./errors.js";
import { HttpTransport, seg, type RequestOptions } from "./transport.js";
import { TaskAndAdminCalls } from "./tasks-admin.js";
import {
  listenDeliveries,
  serveDeliveries,
  streamAgentDeliveriesOnce,
  type AgentOperations,
  type DeliveryHandler,
  type ListenOptions,
  type ServeOptions,
} from "./listen.js";
import { runAgentLoop, type RunAgentOptions } from "./run-agent.js";
import { observeEvents, streamIntentEventsOnce, type ObserveOptions } from "./observe.js";
import type { StreamContext } from "./sse.js";
import {
  isTerminalStatus,
  type AckIntentResponse,
  type AgentDeletedResponse,
  type AgentListResponse,
  type AgentResponse,
  type IntentWriteResponse,
  type AuditResponse,
  type CallbackSecretRotatedResponse,
  type NotificationListResponse,
  type Cased,
  type CreateIntentInput,
  type CreateIntentResponse,
  type CreateAgentKeyRequest,
  type RotateCallbackSecretRequest,
  type Delivery,
  type DeliveryPollResponse,
  type FailIntentError,
  type EventListResponse,
  type HealthResponse,
  type Intent,
  type IntentEvent,
  type IntentListResponse,
  type IntentResponse,
  type JsonObject,
  type KeyCreatedResponse,
  type KeyListResponse,
  type ListIntentsParams,
  type RegisterAgentRequest,
  type AgentRegisteredResponse,
  type ResolveIntentRequest,
  type RetryIntentRequest,
  type RetryIntentResponse,
  type ResumeRequest,
} from "./models.js";

export interface WaitForOptions {
  /** Give up after this many milliseconds with WaitTimeoutError (default: no limit). */
  timeout?: number;
  /** Cancels the wait (never the intent). */
  signal?: AbortSignal;
  /** Stream idle timeout (default 45 000 ms). */
  idleTimeoutMs?: number;
}

type PathId = string;
/** Terminal statuses retryIntent can start a new attempt from. */
const RETRIED_STATUSES = new Set(["FAILED", "TIMED_OUT"]);


export class AxmeClient extends TaskAndAdminCalls {
  readonly baseUrl: string;
  protected readonly http: HttpTransport;
  private readonly streams: StreamContext;

  constructor(options: AxmeClientOptions = {}) {
    super();
    checkOptions("AxmeClient", options, KNOWN_OPTIONS.client);
    const config = resolveConfig(options);
    this.baseUrl = config.baseUrl;
    this.http = new HttpTransport(config);
    this.streams = { transport: this.http, retry: config.retry };
  }

  /** Never print the key. */
  toJSON(): JsonObject {
    return { baseUrl: this.baseUrl };
  }

  // ---- service ---------------------------------------------------------------

  async getHealth(options?: RequestOptions): Promise<HealthResponse> {
    return this.http.request({ method: "GET", path: "/health", options, anonymous: true }); // REQ-CLIENT-002
  }

  // ---- intents ---------------------------------------------------------------

  async createIntent(request: CreateIntentInput, options?: RequestOptions): Promise<CreateIntentResponse> {
    return this.http.request({ method: "POST", path: "/v1/intents", body: toWireKeys(request, "createIntent"), options });
  }

  /** Submits an intent and returns its id. */
  async sendIntent(request: CreateIntentInput, options?: RequestOptions): Promise<string> {
    return (await this.createIntent(request, options)).intent_id;
  }

  /**
   * Submits an intent (as sendIntent does) and returns its handle: wait, observe,
   * get, and the initiator's complete, fail and cancel act on it (REQ-CLIENT-010).
   */
  async submitIntent(request: CreateIntentInput, options?: RequestOptions): Promise<IntentHandle> {
    const created = await this.createIntent(request, options);
    return new IntentHandle(this, created.intent_id, created);
  }

  /** The handle of an intent that already exists (no request). */
  intent(intentId: PathId): IntentHandle {
    return new IntentHandle(this, intentId);
  }

  async getIntent(intentId: PathId, options?: RequestOptions): Promise<IntentResponse> {
    return this.http.request({ method: "GET", path: `/v1/intents/${seg(intentId, "intentId")}`, options });
  }

  async listIntents(params?: Cased<ListIntentsParams>, options?: RequestOptions): Promise<IntentListResponse> {
    return this.http.request({ method: "GET", path: "/v1/intents", query: toWireQuery(params), options });
  }

  async listIntentEvents(
    intentId: PathId,
    params?: { since?: number; limit?: number },
    options?: RequestOptions,
  ): Promise<EventListResponse> {
    const path = `/v1/intents/${seg(intentId, "intentId")}/events`;
    return this.http.request({ method: "GET", path, query: toWireQuery(params), options });
  }

  /**
   * The intent's events as they happen (SSE), resuming across reconnects, until
   * a terminal event. Break out of the loop (or abort the signal) to stop.
   */
  observe(intentId: PathId, options?: ObserveOptions): AsyncIterable<IntentEvent> {
    seg(intentId, "intentId");
    checkOptions("observe", options, KNOWN_OPTIONS.observe);
    return this.observeAttempts(intentId, options);
  }

  /** observe, going on with the new attempt when a FAILED/TIMED_OUT end was retried (REQ-REATTEMPT-009). */
  private async *observeAttempts(intentId: PathId, options?: ObserveOptions): AsyncIterable<IntentEvent> {
    let id = intentId;
    let current = options;
    for (;;) {
      let last: string | null = null;
      for await (const event of observeEvents(this.streams, id, current)) {
        last = event.status;
        yield event;
      }
      if (current?.untilTerminal === false || !RETRIED_STATUSES.has(last ?? "")) return;
      let next: string | undefined;
      try {
        const read: { intent?: Intent } = await this.getIntent(id, { signal: current?.signal });
        next = read.intent?.retried_by; // a server without retries may answer without it
      } catch (err) {
        if (!(err instanceof AxmeApiError)) throw err;
        return; // the terminal event was yielded: a failed read ends the stream quietly
      }
      if (!next) return;
      id = next;
      current = { ...current, since: 0 };
    }
  }

  /**
   * The raw operation: one SSE connection, ending when the server ends it
   * (terminal event or `stream.timeout`); no resume. Prefer `observe`.
   */
  streamIntentEvents(intentId: PathId, options?: ObserveOptions): AsyncIterable<IntentEvent> {
    seg(intentId, "intentId");
    checkOptions("streamIntentEvents", options, KNOWN_OPTIONS.observe);
    return streamIntentEventsOnce(this.streams, intentId, options);
  }

  /**
   * Resolves with the intent once it is terminal (COMPLETED, FAILED, CANCELED
   * or TIMED_OUT). Throws WaitTimeoutError after `timeout`; aborting the
   * signal stops waiting and leaves the intent alone.
   */
  async waitFor(intentId: PathId, options: WaitForOptions = {}): Promise<Intent> {
    seg(intentId, "intentId");
    checkOptions("waitFor", options, KNOWN_OPTIONS.waitFor);
    const controller = new AbortController();
    const timedOut = Symbol("wait-timeout");
    const onAbort = () => controller.abort(options.signal?.reason);
    if (options.signal?.aborted) throw options.signal.reason;
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const timer =
      options.timeout !== undefined ? setTimeout(() => controller.abort(timedOut), options.timeout) : undefined;
    let lastStatus: string | null = null;
    try {
      const signalOnly: RequestOptions = { signal: controller.signal };
      let id = intentId;
      for (;;) {
        const observeOptions: ObserveOptions = { signal: controller.signal };
        if (options.idleTimeoutMs !== undefined) observeOptions.idleTimeoutMs = options.idleTimeoutMs;
        // one request (REQ-WAIT-005); an older server without stream.intent frames: one read after
        const streamed = await waitOnStream(this.streams, id, observeOptions, (s) => (lastStatus = s));
        const current = streamed ?? (await this.getIntent(id, signalOnly)).intent;
        lastStatus = current.status;
        if (isTerminalStatus(current.status)) {
          // a retried FAILED/TIMED_OUT intent leads to its last attempt (REQ-REATTEMPT-008)
          if (!current.retried_by || !RETRIED_STATUSES.has(current.status)) return current;
          id = current.retried_by;
        }
      }
    } catch (err) {
      if (controller.signal.aborted && controller.signal.reason === timedOut) {
        throw new WaitTimeoutError(intentId, lastStatus, options.timeout ?? 0);
      }
      throw err;
    } finally {
      if (timer !== undefined) clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    }
  }

  /** Completes the current agent step with `result` (resume kind agent_result). */
  async resumeIntent(
    intentId: PathId,
    result: JsonObject = {},
    options?: RequestOptions & { deliveryId?: string },
  ): Promise<IntentWriteResponse> {
    return this.resumeIntentWith(intentId, resumeBody(result, options?.deliveryId), options);
  }

  /**
   * Sends any resume body (agent_result, task_result, progress, control, legacy
   * forms). Top-level camelCase keys of a tagged body become snake_case; a legacy
   * `{action, …}` body is sent unchanged, because its other members are the result.
   */
  async resumeIntentWith(intentId: PathId, body: ResumeRequest | JsonObject, options?: RequestOptions): Promise<IntentWriteResponse> {
    const path = `/v1/intents/${seg(intentId, "intentId")}/resume`;
    const legacyAction = typeof body === "object" && body !== null && !Array.isArray(body) && "action" in body;
    const wire = legacyAction ? { ...body } : toWireKeys(body, "resumeIntent");
    return this.http.request({ method: "POST", path, body: wire, options: plain(options) });
  }

  /**
   * Fails the current agent step (resume kind agent_result, outcome fail) with
   * `error` {code, message, details?}; a missing or empty code is sent as `agent_error`.
   */
  async failIntent(
    intentId: PathId,
    error: FailIntentError,
    options?: RequestOptions & { deliveryId?: string },
  ): Promise<IntentWriteResponse> {
    return this.resumeIntentWith(intentId, failBody(error, options?.deliveryId), options);
  }

  /** Reports progress on the current delivery (→ IN_PROGRESS; extends the lease). */
  async reportProgress(
    intentId: PathId,
    details?: JsonObject,
    options?: RequestOptions & { deliveryId?: string },
  ): Promise<IntentWriteResponse> {
    return this.resumeIntentWith(intentId, progressBody(details, options?.deliveryId), options);
  }

  async resolveIntent(
    intentId: PathId,
    request: Cased<ResolveIntentRequest>,
    options?: RequestOptions,
  ): Promise<IntentWriteResponse> {
    const path = `/v1/intents/${seg(intentId, "intentId")}/resolve`;
    return this.http.request({ method: "POST", path, body: toWireKeys(request, "resolveIntent"), options });
  }

  /**
   * Starts a new attempt of a FAILED or TIMED_OUT intent from the step that failed,
   * keeping the completed steps' results (REQ-REATTEMPT-005); `payloadPatch` is a JSON
   * merge patch of the payload. waitFor/observe on the old id lead to the new attempt.
   */
  async retryIntent(
    intentId: PathId,
    request: Cased<RetryIntentRequest> = {},
    options?: RequestOptions,
  ): Promise<RetryIntentResponse> {
    const path = `/v1/intents/${seg(intentId, "intentId")}/retry`;
    return this.http.request({ method: "POST", path, body: toWireKeys(request, "retryIntent"), options });
  }

  /** Cancels an intent (resolve with status CANCELED). */
  async cancelIntent(intentId: PathId, options?: RequestOptions & { reason?: string }): Promise<IntentWriteResponse> {
    const request: ResolveIntentRequest = { status: "CANCELED" };
    if (options?.reason !== undefined) request.reason = options.reason;
    return this.resolveIntent(intentId, request, plain(options));
  }

  async ackIntent(intentId: PathId, deliveryId: string, options?: RequestOptions): Promise<AckIntentResponse> {
    const path = `/v1/intents/${seg(intentId, "intentId")}/ack`;
    return this.http.request({ method: "POST", path, body: { delivery_id: deliveryId }, options });
  }

  /** One page of the audit trail: entries with seq > since, at most limit; the next page starts at since = nextSeq - 1 (REQ-LIMIT-013). */
  async getIntentAudit(
    intentId: PathId,
    params?: { since?: number; limit?: number },
    options?: RequestOptions,
  ): Promise<AuditResponse> {
    const path = `/v1/intents/${seg(intentId, "intentId")}/audit`;
    return this.http.request({ method: "GET", path, query: toWireQuery(params), options });
  }

  /** The intent's notifications and their delivery status (admin or initiator; REQ-NOTIFY-005). */
  async listNotifications(intentId: PathId, options?: RequestOptions): Promise<NotificationListResponse> {
    return this.http.request({ method: "GET", path: `/v1/intents/${seg(intentId, "intentId")}/notifications`, options });
  }

  // ---- agents ----------------------------------------------------------------

  async registerAgent(request: Cased<RegisterAgentRequest>, options?: RequestOptions): Promise<AgentRegisteredResponse> {
    return this.http.request({ method: "POST", path: "/v1/agents", body: toWireKeys(request, "registerAgent"), options });
  }

  async listAgents(params?: { limit?: number; cursor?: string }, options?: RequestOptions): Promise<AgentListResponse> {
    return this.http.request({ method: "GET", path: "/v1/agents", query: toWireQuery(params), options });
  }

  async getAgent(address: string, options?: RequestOptions): Promise<AgentResponse> {
    return this.http.request({ method: "GET", path: `/v1/agents/${seg(address, "address")}`, options });
  }

  /** Deregister an agent; its keys are revoked with it (REQ-AUTH-015). */
  async deleteAgent(address: string, options?: RequestOptions): Promise<AgentDeletedResponse> {
    return this.http.request({ method: "DELETE", path: `/v1/agents/${seg(address, "address")}`, options });
  }

  /** The keys of one agent, metadata only (REQ-AUTH-016). */
  async listAgentKeys(address: string, options?: RequestOptions): Promise<KeyListResponse> {
    return this.http.request({ method: "GET", path: `/v1/agents/${seg(address, "address")}/keys`, options });
  }

  async createAgentKey(
    address: string,
    request: Cased<CreateAgentKeyRequest> = {},
    options?: RequestOptions,
  ): Promise<KeyCreatedResponse> {
    const path = `/v1/agents/${seg(address, "address")}/keys`;
    return this.http.request({ method: "POST", path, body: toWireKeys(request, "createAgentKey"), options });
  }

  /** A new callback secret for an http agent, shown only here; the old one verifies until previous_expires_at (REQ-SECRET-006). */
  async rotateCallbackSecret(
    address: string,
    request: Cased<RotateCallbackSecretRequest> = {},
    options?: RequestOptions,
  ): Promise<CallbackSecretRotatedResponse> {
    const path = `/v1/agents/${seg(address, "address")}/callback-secret`;
    return this.http.request({ method: "POST", path, body: toWireKeys(request, "rotateCallbackSecret"), options });
  }

  /**
   * Deliveries offered to an agent, each acked before it is yielded, as they
   * arrive (SSE, reconnecting). Use `serve` to also renew leases and resume.
   */
  listen(address: string, options?: ListenOptions): AsyncIterable<Delivery> {
    seg(address, "address");
    checkOptions("listen", options, KNOWN_OPTIONS.listen);
    return listenDeliveries(this.streams, address, options);
  }

  /**
   * The raw operation: the deliveries offered on one agent-stream connection,
   * not acked, no reconnect. Prefer `listen` or `serve`.
   */
  streamAgentDeliveries(address: string, options?: ListenOptions): AsyncIterable<Delivery> {
    seg(address, "address");
    checkOptions("streamAgentDeliveries", options, KNOWN_OPTIONS.listen);
    return streamAgentDeliveriesOnce(this.streams, address, options);
  }

  async pollAgentDeliveries(
    address: string,
    params?: { status?: string; waitSeconds?: number; limit?: number },
    options?: RequestOptions,
  ): Promise<DeliveryPollResponse> {
    const query = toWireQuery(params);
    const waitMs = Number(query["wait_seconds"] ?? 0) * 1000;
    const timeout = options?.timeout ?? (waitMs > 0 ? waitMs + 30_000 : undefined);
    return this.http.request({
      method: "GET",
      path: `/v1/agents/${seg(address, "address")}/intents`,
      query,
      options: timeout === undefined ? options : { ...options, timeout },
    });
  }

  /**
   * Runs `handler` for every delivery to `address`: acks it, renews the lease
   * while the handler runs, then resumes with the returned result or fails the
   * intent with the thrown error. Resolves with the number handled when
   * `maxDeliveries` is reached; rejects with the abort reason when stopped.
   */
  async serve(address: string, handler: DeliveryHandler, options: ServeOptions = {}): Promise<number> {
    seg(address, "address");
    checkOptions("serve", options, KNOWN_OPTIONS.serve);
    return serveDeliveries(this.agentOperations(), address, handler, options);
  }

  /**
   * `serve` until the process gets SIGINT or SIGTERM or `signal` aborts
   * (REQ-LISTEN-007): then no further delivery is taken, the handler in hand
   * gets `graceMs` (default 10 000) to finish and send its result (after that
   * its `context.signal` aborts and nothing is sent: the lease expires and the
   * server redelivers), the signal listeners are removed and the promise
   * resolves with the number handled. The listeners are in place when the call
   * returns its promise. A handler that ignores its signal is no longer awaited,
   * but whatever it still holds (a timer, a socket) keeps Node running.
   */
  async runAgent(address: string, handler: DeliveryHandler, options: RunAgentOptions = {}): Promise<number> {
    seg(address, "address");
    checkOptions("runAgent", options, KNOWN_OPTIONS.runAgent);
    return runAgentLoop(this.agentOperations(), address, handler, options);
  }

  private agentOperations(): AgentOperations {
    return {
      listen: (a, o) => this.listen(a, o),
      ack: (id, deliveryId, signal) => this.ackIntent(id, deliveryId, { signal }),
      progress: (id, deliveryId, details, signal) => this.reportProgress(id, details, { deliveryId, signal }),
      complete: (id, deliveryId, result, signal) => this.resumeIntent(id, result, { deliveryId, signal }),
      fail: (id, deliveryId, error, signal) => this.failIntent(id, error, { deliveryId, signal }),
    };
  }
}
