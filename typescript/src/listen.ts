/**
 * The agent loop (REQ-LISTEN-*). `listenDeliveries` (below) reads the agent's
 * delivery stream on the reconnecting connection of sse.ts and yields each
 * delivery already acked; `serve` runs the handler while re-acking every third of the
 * remaining lease, then resumes the intent with the handler's result or fails
 * it with `{code: "agent_error", message}`. If serving stops (the signal
 * aborts) while a handler runs, nothing is written: the lease expires and the
 * server redelivers, exactly as after a crash. runAgent (run-agent.ts) gives
 * that handler a grace period first.
 */
import { AxmeApiError, AxmeError, ConflictError } from "./errors.js";
import type { AckIntentResponse, Delivery, ErrorObject, Intent, JsonObject } from "./models.js";
import { sleep } from "./retry.js";
import {
  parseFrame,
  readConnection,
  Reconnector,
  windowQuery,
  type ServerSentEvent,
  type StreamContext,
  type StreamOptions,
} from "./sse.js";

export interface DeliveryContext {
  /** The delivery (already acked; `lease_expires_at` is the current lease). */
  delivery: Delivery;
  /** Aborts when serving stops (runAgent: when its grace runs out); a handler should give up promptly. */
  signal: AbortSignal;
  /** Reports progress (→ IN_PROGRESS; also extends the lease). */
  reportProgress(details?: JsonObject): Promise<void>;
}

/** Returns the result object (nothing means `{}`); throws to fail the intent. */
export type DeliveryHandler = (intent: Intent, context: DeliveryContext) => Promise<JsonObject | void> | JsonObject | void;

export interface ServeOptions extends ListenOptions {
  /** Stop after this many deliveries have been handled (resumed or failed). */
  maxDeliveries?: number;
  /** Fixed lease renewal period; default a third of the remaining lease (at least 500 ms). */
  leaseRenewalMs?: number;
  /** Told about every write failure serve recovers from (default: console.warn). */
  onError?: (error: unknown, delivery: Delivery) => void;
}

/** The operations serve needs from the client (kept narrow for testing). */
export interface AgentOperations {
  listen(address: string, options: ListenOptions): AsyncIterable<Delivery>;
  ack(intentId: string, deliveryId: string, signal: AbortSignal): Promise<AckIntentResponse>;
  progress(intentId: string, deliveryId: string, details: JsonObject | undefined, signal: AbortSignal): Promise<unknown>;
  complete(intentId: string, deliveryId: string, result: JsonObject, signal: AbortSignal): Promise<unknown>;
  fail(intentId: string, deliveryId: string, error: ErrorObject, signal: AbortSignal): Promise<unknown>;
}

/** The error code of a failure that names none: a handler's error, or failIntent without a code. */
export const DEFAULT_ERROR_CODE = "agent_error";

const DEFAULT_RENEW_MS = 20_000;
const MIN_RENEW_MS = 500;

/** The error object a failing handler leaves on the intent (REQ-LISTEN-003). */
export function handlerError(err: unknown): ErrorObject {
  const text = err instanceof Error ? err.message || err.name : String(err);
  return { code: DEFAULT_ERROR_CODE, message: text };
}

/** A third of the remaining lease, so two renewals can fail before it lapses. */
export function renewalDelayMs(leaseExpiresAt: string | undefined, fixedMs?: number): number {
  if (fixedMs !== undefined) return fixedMs;
  const expires = leaseExpiresAt ? Date.parse(leaseExpiresAt) : Number.NaN;
  if (Number.isNaN(expires)) return DEFAULT_RENEW_MS;
  return Math.max(MIN_RENEW_MS, (expires - Date.now()) / 3);
}

/** Runs `work` but settles as soon as `signal` aborts (rejecting with its reason). */
async function untilAborted<T>(work: () => Promise<T> | T, signal: AbortSignal): Promise<T> {
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([Promise.resolve().then(work), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener("abort", onAbort);
  }
}

export async function serveDeliveries(
  ops: AgentOperations,
  address: string,
  handler: DeliveryHandler,
  options: ServeOptions = {},
): Promise<number> {
  if (options.signal?.aborted) throw options.signal.reason;
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  try {
    // serve stops at once: the handler in hand is abandoned with the taking (runAgent has a grace)
    const handled = await serveUntil(ops, address, handler, options, { taking: stop.signal, handling: stop.signal });
    if (options.signal?.aborted) throw options.signal.reason;
    return handled;
  } finally {
    options.signal?.removeEventListener("abort", onOuterAbort);
    stop.abort();
  }
}

/** When serving stops taking deliveries, and when it abandons the handler in hand. */
export interface StopSignals {
  taking: AbortSignal;
  handling: AbortSignal;
}

/**
 * The loop of serve and runAgent: until `stops.taking` aborts (or `maxDeliveries`), each
 * delivery's handler runs and its outcome is written; a handler still running when
 * `stops.handling` aborts is abandoned unwritten (REQ-LISTEN-004). Resolves with the number handled.
 */
export async function serveUntil(
  ops: AgentOperations,
  address: string,
  handler: DeliveryHandler,
  options: ServeOptions,
  stops: StopSignals,
): Promise<number> {
  const report =
    options.onError ??
    ((err: unknown, d: Delivery) => console.warn(`axme serve: delivery ${d.delivery_id} of intent ${d.intent_id}: ${String(err)}`));
  const { maxDeliveries, leaseRenewalMs, onError: _onError, signal: _signal, ...listenOptions } = options;
  let handled = 0;
  if (maxDeliveries !== undefined && maxDeliveries <= 0) return 0;
  try {
    for await (const delivery of ops.listen(address, { ...listenOptions, signal: stops.taking })) {
      await handleOne(ops, delivery, handler, leaseRenewalMs, stops.handling, report);
      if (stops.handling.aborted) break;
      handled++;
      if (stops.taking.aborted || (maxDeliveries !== undefined && handled >= maxDeliveries)) break;
    }
  } catch (err) {
    if (!stops.taking.aborted) throw err;
  }
  return handled;
}

/** Re-acks the delivery every third of the remaining lease until stopped (REQ-LISTEN-002). */
function startLeaseRenewal(
  ops: AgentOperations,
  delivery: Delivery,
  fixedMs: number | undefined,
  signal: AbortSignal,
  report: (err: unknown, d: Delivery) => void,
): () => Promise<void> {
  let lease = delivery.lease_expires_at;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const schedule = () => {
    timer = setTimeout(() => {
      inFlight = ops.ack(delivery.intent_id, delivery.delivery_id, signal).then(
        (acked) => {
          lease = acked.lease_expires_at ?? lease;
          if (!stopped) schedule();
        },
        (err: unknown) => {
          if (signal.aborted || stopped) return;
          report(err, delivery);
          if (!(err instanceof ConflictError)) schedule(); // 409: nothing left to renew
        },
      );
    }, renewalDelayMs(lease, fixedMs));
  };
  schedule();
  return async () => {
    stopped = true;
    if (timer !== undefined) clearTimeout(timer);
    await inFlight;
  };
}

/** Runs the handler for an acked delivery and writes its outcome; the push receiver shares it. */
export async function handleOne(
  ops: AgentOperations,
  delivery: Delivery,
  handler: DeliveryHandler,
  leaseRenewalMs: number | undefined,
  signal: AbortSignal,
  report: (err: unknown, d: Delivery) => void,
): Promise<void> {
  const { intent_id: intentId, delivery_id: deliveryId } = delivery;
  const stopRenewal = startLeaseRenewal(ops, delivery, leaseRenewalMs, signal, report);
  const context: DeliveryContext = {
    delivery,
    signal,
    reportProgress: async (details) => {
      await ops.progress(intentId, deliveryId, details, signal);
    },
  };
  let outcome: { ok: true; result: JsonObject } | { ok: false; error: unknown };
  try {
    // Stop waiting as soon as serving stops, even if the handler ignores its signal.
    const result = await untilAborted(() => handler(delivery.intent ?? ({ intent_id: intentId } as Intent), context), signal);
    outcome = { ok: true, result: result ?? {} };
  } catch (err) {
    outcome = { ok: false, error: err };
  } finally {
    await stopRenewal();
  }
  if (signal.aborted) return; // stopped mid-handler: leave the lease to expire (REQ-LISTEN-004)
  try {
    if (outcome.ok) await ops.complete(intentId, deliveryId, outcome.result, signal);
    else await ops.fail(intentId, deliveryId, handlerError(outcome.error), signal);
  } catch (err) {
    if (signal.aborted) return;
    // 409 stale_delivery / intent_terminal: the delivery is no longer ours (REQ-LISTEN-006).
    if (!(err instanceof AxmeError)) throw err;
    if (!(err instanceof AxmeApiError && err.status === 409)) report(err, delivery);
  }
}

// The delivery stream: each offer acked first (REQ-LISTEN-001), re-offers dropped,
// reconnected on the shared connection of sse.ts (REQ-LISTEN-005).

/** How many recent delivery ids `listen` remembers to drop re-offers. */
const SEEN_DELIVERIES = 1_000;

export interface ListenOptions extends StreamOptions {
  /** Agent stream cursor to resume from (the SSE id of the last delivery seen). */
  since?: string;
}

const parseDelivery = (frame: ServerSentEvent) =>
  parseFrame<Delivery>(frame, (d) => typeof d.delivery_id === "string" && typeof d.intent_id === "string");

/**
 * streamAgentDeliveries: the deliveries offered on ONE agent-stream
 * connection, not acked. `listenDeliveries` acks and reconnects.
 */
export async function* streamAgentDeliveriesOnce(
  ctx: StreamContext,
  address: string,
  options: ListenOptions = {},
): AsyncGenerator<Delivery, void, undefined> {
  const path = `/v1/agents/${encodeURIComponent(address)}/intents/stream`;
  for await (const frame of readConnection(ctx.transport, path, windowQuery(options), options.since ?? null, options)) {
    if (frame.event !== "intent.delivery") continue;
    yield parseDelivery(frame);
  }
}

/**
 * Acks a delivery (REQ-LISTEN-001) and returns it with the renewed lease, or
 * null when it is no longer ours (409) or the ack failed — the lease then
 * expires and the server redelivers, so nothing is lost.
 */
async function ackDelivery(ctx: StreamContext, delivery: Delivery, signal: AbortSignal | undefined): Promise<Delivery | null> {
  try {
    const acked = await ctx.transport.request<AckIntentResponse>({
      method: "POST",
      path: `/v1/intents/${encodeURIComponent(delivery.intent_id)}/ack`,
      body: { delivery_id: delivery.delivery_id },
      options: signal ? { signal } : {},
    });
    return { ...delivery, lease_expires_at: acked.lease_expires_at ?? delivery.lease_expires_at };
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    if (!(err instanceof ConflictError)) {
      console.warn(`axme listen: ack of delivery ${delivery.delivery_id} failed (${String(err)}); it will be redelivered`);
    }
    return null;
  }
}

/**
 * Yields the deliveries offered to an agent, each acked first, until the
 * signal aborts. Survives drops, stream.timeout, 429 and 5xx; stops on
 * 401/403/404 and other non-retryable errors (REQ-LISTEN-005).
 */
export async function* listenDeliveries(
  ctx: StreamContext,
  address: string,
  options: ListenOptions = {},
): AsyncGenerator<Delivery, void, undefined> {
  const path = `/v1/agents/${encodeURIComponent(address)}/intents/stream`;
  const reconnector = new Reconnector(ctx.retry, null);
  const seen = new Set<string>();
  let cursor = options.since ?? null;
  const query = windowQuery(options);
  for (;;) {
    const connectedAt = Date.now();
    let cleanEnd = false;
    let delay: number;
    try {
      for await (const frame of readConnection(ctx.transport, path, query, cursor || null, options)) {
        if (frame.event === "stream.timeout") cleanEnd = true;
        if (frame.event !== "intent.delivery") continue;
        const delivery = parseDelivery(frame);
        cursor = frame.id || cursor;
        reconnector.progressed();
        if (seen.has(delivery.delivery_id)) continue;
        seen.add(delivery.delivery_id);
        if (seen.size > SEEN_DELIVERIES) seen.delete(seen.values().next().value as string);
        const acked = await ackDelivery(ctx, delivery, options.signal);
        if (acked) yield acked;
      }
      delay = cleanEnd ? reconnector.afterCleanEnd(connectedAt) : reconnector.failed("the delivery stream ended");
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      delay = reconnector.afterError(err);
    }
    await sleep(delay, options.signal);
  }
}
