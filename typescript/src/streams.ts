/**
 * The two long-lived reads: `observeEvents` (an intent's event log,
 * REQ-OBSERVE-*) and `listenDeliveries` (an agent's deliveries, REQ-LISTEN-*).
 * Both stream over SSE, yield each item as soon as its frame is parsed, resume
 * after a drop with `since` + Last-Event-ID, reconnect with jittered backoff
 * (never a tight loop), and treat 45 s without a byte as a dead connection.
 */
import { AxmeApiError, AxmeConnectionError, ConflictError, StreamError } from "./errors.js";
import type { HttpTransport, RequestOptions } from "./http.js";
import { backoffDelayMs, isRetryableStatus, sleep, type RetryPolicy } from "./retry.js";
import { parseSseStream, type ServerSentEvent } from "./sse.js";
import {
  isTerminalStatus,
  type AckIntentResponse,
  type Delivery,
  type EventListResponse,
  type Intent,
  type IntentEvent,
} from "./types.js";

export const DEFAULT_IDLE_TIMEOUT_MS = 45_000;
const DEFAULT_POLL_INTERVAL_MS = 1_000;
/** A stream that ends sooner than this after connecting is paced like a failure. */
const QUICK_CLOSE_MS = 250;
/** How many recent delivery ids `listen` remembers to drop re-offers. */
const SEEN_DELIVERIES = 1_000;
const IDLE_TIMEOUT = Symbol("idle-timeout");

export interface StreamOptions {
  signal?: AbortSignal;
  /** Server-side window per connection (`wait_seconds`); server default when unset. */
  waitSeconds?: number;
  /** No byte (not even a keepalive) for this long → reconnect. Default 45 000 ms. */
  idleTimeoutMs?: number;
}

export interface ObserveOptions extends StreamOptions {
  /** Only events with seq greater than this (default 0: from the start). */
  since?: number;
  /** true (default): stop after the first terminal event. false: run until the signal aborts. */
  untilTerminal?: boolean;
  /** Polling interval when the server has no stream endpoint. Default 1 000 ms. */
  pollIntervalMs?: number;
}

export interface ListenOptions extends StreamOptions {
  /** Agent stream cursor to resume from (the SSE id of the last delivery seen). */
  since?: string;
}

export interface StreamContext {
  transport: HttpTransport;
  retry: RetryPolicy;
}

/** 404 (other than intent_not_found), 405 or 501: this server has no stream endpoint. */
function streamEndpointMissing(err: unknown): boolean {
  if (!(err instanceof AxmeApiError) || err.code === "intent_not_found") return false;
  return err.status === 404 || err.status === 405 || err.status === 501;
}

/** Consecutive failed connections and the pacing between them (REQ-OBSERVE-006). */
class Reconnector {
  private failures = 0;
  constructor(
    private readonly retry: RetryPolicy,
    /** Failed connections tolerated in a row; null = forever (listen). */
    private readonly limit: number | null,
  ) {}

  progressed(): void {
    this.failures = 0;
  }

  /** A normal end (stream.timeout): reconnect at once unless the server closed immediately. */
  afterCleanEnd(connectedAt: number): number {
    return Date.now() - connectedAt >= QUICK_CLOSE_MS ? 0 : backoffDelayMs(0, this.retry);
  }

  failed(reason: string, cause?: unknown): number {
    this.failures++;
    if (this.limit !== null && this.failures > this.limit) {
      throw new StreamError(`stream could not be resumed after ${this.failures} failed connections: ${reason}`, { cause });
    }
    return backoffDelayMs(Math.min(this.failures - 1, 10), this.retry);
  }

  /** Delay after a failed connection; throws what reconnecting cannot fix. */
  afterError(err: unknown): number {
    if (err instanceof AxmeApiError) {
      if (!isRetryableStatus(err.status)) throw err;
      if (err.retryAfter !== null) {
        if (err.retryAfter * 1000 > this.retry.maxRetryAfterMs) throw err;
        this.failed(`answered ${err.status}`, err);
        return err.retryAfter * 1000;
      }
      return this.failed(`answered ${err.status}`, err);
    }
    if (err instanceof AxmeConnectionError) return this.failed(err.message, err);
    throw err;
  }
}

/**
 * One SSE connection: yields its frames and ends when the server ends it.
 * The idle clock runs only while we wait for bytes, not while the consumer
 * holds a yielded frame (a long handler must not kill the connection).
 */
async function* readConnection(
  transport: HttpTransport,
  path: string,
  query: Record<string, string>,
  cursor: string | null,
  options: StreamOptions,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const requestOptions: RequestOptions = options.signal ? { signal: options.signal } : {};
  const headers: Record<string, string> = { "cache-control": "no-store" };
  if (cursor !== null) {
    query = { ...query, since: cursor };
    headers["last-event-id"] = cursor;
  }
  const { response, controller } = await transport.openStream(path, query, headers, requestOptions);
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const pauseIdle = () => {
    if (idleTimer !== undefined) clearTimeout(idleTimer);
    idleTimer = undefined;
  };
  const armIdle = () => {
    pauseIdle();
    idleTimer = setTimeout(() => controller.abort(IDLE_TIMEOUT), idleMs);
  };
  armIdle();
  try {
    if (!response.body) return;
    for await (const frame of parseSseStream(response.body, undefined, armIdle)) {
      pauseIdle();
      yield frame;
      armIdle();
    }
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason;
    const why = controller.signal.reason === IDLE_TIMEOUT ? `no data for ${idleMs} ms` : String(err);
    throw new AxmeConnectionError(`stream ${transport.url(path)} dropped: ${why}`, { cause: err }); // names the URL (REQ-CLIENT-009)
  } finally {
    pauseIdle();
    controller.abort();
  }
}

function parseFrame<T>(frame: ServerSentEvent, check: (value: T) => boolean): T {
  let value: T;
  try {
    value = JSON.parse(frame.data) as T;
  } catch (err) {
    throw new StreamError(`malformed ${frame.event} frame: ${frame.data.slice(0, 200)}`, { cause: err });
  }
  if (value === null || typeof value !== "object" || !check(value)) {
    throw new StreamError(`malformed ${frame.event} frame: ${frame.data.slice(0, 200)}`);
  }
  return value;
}

function nextSeqOf(frame: ServerSentEvent): number | null {
  try {
    const value = (JSON.parse(frame.data) as { next_seq?: unknown }).next_seq;
    return typeof value === "number" && Number.isInteger(value) ? value : null;
  } catch {
    return null;
  }
}

const parseEvent = (frame: ServerSentEvent) => parseFrame<IntentEvent>(frame, (e) => typeof e.seq === "number");
const parseStreamIntent = (frame: ServerSentEvent) =>
  parseFrame<{ intent: Intent }>(frame, (f) => typeof f.intent === "object" && f.intent !== null && typeof f.intent.status === "string").intent;
const parseDelivery = (frame: ServerSentEvent) =>
  parseFrame<Delivery>(frame, (d) => typeof d.delivery_id === "string" && typeof d.intent_id === "string");

/** The `wait_seconds` query of a stream request. */
function windowQuery(options: StreamOptions): Record<string, string> {
  return options.waitSeconds !== undefined ? { wait_seconds: String(options.waitSeconds) } : {};
}

/**
 * streamIntentEvents: the intent's events on ONE SSE connection, ending when
 * the server ends it (terminal event or `stream.timeout`). No resume, no
 * reconnect: that is `observeEvents`.
 */
export async function* streamIntentEventsOnce(
  ctx: StreamContext,
  intentId: string,
  options: ObserveOptions = {},
): AsyncGenerator<IntentEvent, void, undefined> {
  const path = `/v1/intents/${encodeURIComponent(intentId)}/events/stream`;
  const since = options.since ?? 0;
  for await (const frame of readConnection(ctx.transport, path, windowQuery(options), since > 0 ? String(since) : null, options)) {
    if (!frame.event.startsWith("intent.")) continue; // REQ-SSE-013
    yield parseEvent(frame);
  }
}

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
 * Yields an intent's events with seq > since, each exactly once, in order.
 * With `onIntent` (waitFor) the stream is asked for its `stream.intent` frames
 * (REQ-SSE-016), each handed to `onIntent`; a terminal one ends the stream (after
 * the terminal event, or alone when the intent was already terminal).
 */
export async function* observeEvents(
  ctx: StreamContext,
  intentId: string,
  options: ObserveOptions = {},
  onIntent?: (intent: Intent) => void,
): AsyncGenerator<IntentEvent, void, undefined> {
  const path = `/v1/intents/${encodeURIComponent(intentId)}/events/stream`;
  const untilTerminal = options.untilTerminal ?? true;
  const reconnector = new Reconnector(ctx.retry, Math.max(ctx.retry.maxRetries, 5));
  let cursor = options.since ?? 0; // the last seq yielded; anything at or below it is dropped
  let resumeFrom = cursor; // what the next connection asks for
  let lastStatus: string | null = null;
  const query = onIntent ? { ...windowQuery(options), include_intent: "true" } : windowQuery(options);
  for (;;) {
    const connectedAt = Date.now();
    let cleanEnd = false;
    let delay: number;
    try {
      const frames = readConnection(ctx.transport, path, query, resumeFrom > 0 ? String(resumeFrom) : null, options);
      for await (const frame of frames) {
        if (frame.event === "stream.timeout") {
          cleanEnd = true; // REQ-OBSERVE-004: reconnect at once from next_seq − 1
          const nextSeq = nextSeqOf(frame);
          resumeFrom = nextSeq === null ? cursor : Math.max(0, nextSeq - 1);
          continue;
        }
        if (onIntent && frame.event === "stream.intent") {
          const intent = parseStreamIntent(frame);
          onIntent(intent);
          if (isTerminalStatus(intent.status)) return; // the wait is over (REQ-SSE-016)
        }
        if (!frame.event.startsWith("intent.")) continue; // REQ-SSE-013
        const event = parseEvent(frame);
        if (event.seq <= cursor) continue; // already yielded before a reconnect
        cursor = resumeFrom = event.seq;
        lastStatus = event.status;
        reconnector.progressed();
        yield event;
        if (untilTerminal && isTerminalStatus(event.status) && !onIntent) return;
      }
      if (untilTerminal && isTerminalStatus(lastStatus)) return; // waitFor: the connection was read to its end
      if (!cleanEnd) resumeFrom = cursor;
      if (cleanEnd) delay = reconnector.afterCleanEnd(connectedAt);
      else if (isTerminalStatus(lastStatus)) delay = backoffDelayMs(Math.max(ctx.retry.maxRetries, 5), ctx.retry);
      else delay = reconnector.failed("the stream ended before a terminal event");
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (streamEndpointMissing(err)) {
        yield* pollEvents(ctx, intentId, cursor, untilTerminal, options);
        return;
      }
      if (!cleanEnd) resumeFrom = cursor;
      delay = reconnector.afterError(err);
    }
    await sleep(delay, options.signal);
  }
}


/** Polling fallback (REQ-OBSERVE-007) for servers without the stream endpoint. */
async function* pollEvents(
  ctx: StreamContext,
  intentId: string,
  since: number,
  untilTerminal: boolean,
  options: ObserveOptions,
): AsyncGenerator<IntentEvent, void, undefined> {
  let cursor = since;
  const requestOptions: RequestOptions = options.signal ? { signal: options.signal } : {};
  for (;;) {
    const page = await ctx.transport.request<EventListResponse>({
      method: "GET",
      path: `/v1/intents/${encodeURIComponent(intentId)}/events`,
      query: cursor > 0 ? { since: String(cursor) } : {},
      options: requestOptions,
    });
    const fresh = (page.events ?? []).filter((e) => e.seq > cursor);
    for (const event of fresh) {
      cursor = event.seq;
      yield event;
      if (untilTerminal && isTerminalStatus(event.status)) return;
    }
    if (fresh.length === 0) await sleep(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, options.signal);
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
