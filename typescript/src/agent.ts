/**
 * `serve`: the agent loop. For each delivery: ack it, run the handler while
 * renewing the lease, then resume the intent with the handler's result or
 * fail it with the handler's error. If serving is stopped (the signal aborts)
 * while a handler runs, nothing is written: the lease expires and the server
 * redelivers, exactly as after a crash.
 */
import { AxmeApiError, AxmeError } from "./errors.js";
import type { ListenOptions } from "./streams.js";
import type { AckIntentResponse, Delivery, ErrorObject, Intent, JsonObject } from "./types.js";

export interface DeliveryContext {
  delivery: Delivery;
  /** Aborts when serving stops; a handler should give up promptly. */
  signal: AbortSignal;
  /** Reports progress (→ IN_PROGRESS) and extends the lease. */
  progress(details?: JsonObject): Promise<void>;
}

/** Returns the result object (or nothing for `{}`); throws to fail the intent. */
export type DeliveryHandler = (intent: Intent, context: DeliveryContext) => Promise<JsonObject | void> | JsonObject | void;

export interface ServeOptions extends Omit<ListenOptions, "signal"> {
  signal?: AbortSignal;
  /** Stop after handling this many deliveries. */
  maxDeliveries?: number;
  /** Lease renewal period; default half the time left on the lease (1–30 s). */
  leaseRenewalMs?: number;
  /** Told about every delivery-level failure serve recovers from. */
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

/** An error thrown by a handler, as the intent's `error` object. */
export function errorObjectFrom(err: unknown): ErrorObject {
  if (err instanceof AxmeApiError) return { code: err.code, message: err.message };
  if (err !== null && typeof err === "object") {
    const record = err as { code?: unknown; message?: unknown; details?: unknown };
    const out: ErrorObject = {
      code: typeof record.code === "string" && record.code !== "" ? record.code : "handler_error",
      message: typeof record.message === "string" ? record.message : String(err),
    };
    if (record.details !== undefined) out.details = record.details as JsonObject | null;
    return out;
  }
  return { code: "handler_error", message: String(err) };
}

function renewalPeriodMs(options: ServeOptions, leaseExpiresAt: string | undefined): number {
  if (options.leaseRenewalMs !== undefined) return options.leaseRenewalMs;
  const expires = leaseExpiresAt ? Date.parse(leaseExpiresAt) : Number.NaN;
  const left = Number.isNaN(expires) ? 40_000 : expires - Date.now();
  return Math.min(30_000, Math.max(1_000, left / 2));
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

/** The write is moot (already terminal, redelivered elsewhere): skip quietly. */
function isStaleWrite(err: unknown): boolean {
  return err instanceof AxmeApiError && err.status === 409;
}

export async function serveDeliveries(
  ops: AgentOperations,
  address: string,
  handler: DeliveryHandler,
  options: ServeOptions = {},
): Promise<number> {
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort(options.signal?.reason);
  if (options.signal?.aborted) throw options.signal.reason;
  options.signal?.addEventListener("abort", onOuterAbort, { once: true });
  const report = options.onError ?? ((err: unknown, d: Delivery) => console.warn(`axme serve: delivery ${d.delivery_id}: ${String(err)}`));
  let handled = 0;
  try {
    const { signal: _ignored, maxDeliveries: _max, leaseRenewalMs: _l, onError: _e, ...listenOptions } = options;
    for await (const delivery of ops.listen(address, { ...listenOptions, signal: stop.signal })) {
      await handleOne(ops, delivery, handler, options, stop.signal, report);
      handled++;
      if (options.maxDeliveries !== undefined && handled >= options.maxDeliveries) break;
    }
  } catch (err) {
    if (!stop.signal.aborted) throw err;
  } finally {
    options.signal?.removeEventListener("abort", onOuterAbort);
    stop.abort();
  }
  if (options.signal?.aborted) throw options.signal.reason;
  return handled;
}

async function handleOne(
  ops: AgentOperations,
  delivery: Delivery,
  handler: DeliveryHandler,
  options: ServeOptions,
  signal: AbortSignal,
  report: (err: unknown, d: Delivery) => void,
): Promise<void> {
  const intentId = delivery.intent_id;
  const deliveryId = delivery.delivery_id;
  let ack: AckIntentResponse;
  try {
    ack = await ops.ack(intentId, deliveryId, signal);
  } catch (err) {
    if (signal.aborted) return;
    report(err, delivery); // not ours any more, or unreachable: the lease will expire
    return;
  }
  let renewing = Promise.resolve();
  const renew = setInterval(() => {
    renewing = renewing
      .then(() => ops.progress(intentId, deliveryId, undefined, signal))
      .then(() => undefined, (err) => { if (!signal.aborted) report(err, delivery); });
  }, renewalPeriodMs(options, ack.lease_expires_at ?? delivery.lease_expires_at));
  const context: DeliveryContext = {
    delivery,
    signal,
    progress: async (details) => {
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
    clearInterval(renew);
  }
  await renewing;
  if (signal.aborted) return; // stopped mid-handler: leave the lease to expire
  try {
    if (outcome.ok) await ops.complete(intentId, deliveryId, outcome.result, signal);
    else await ops.fail(intentId, deliveryId, errorObjectFrom(outcome.error), signal);
  } catch (err) {
    if (signal.aborted) return;
    if (!isStaleWrite(err) && !(err instanceof AxmeError)) throw err;
    report(err, delivery);
  }
}
