/**
 * The two long-lived reads: `observeEvents` (an intent's event log) and
 * `listenDeliveries` (an agent's deliveries). Both stream over SSE, yield each
 * item as soon as its bytes arrive, resume after a drop with Last-Event-ID,
 * reconnect with jittered backoff (never a tight loop), treat 45 s without a
 * byte as a dead connection, and fall back to polling only when the stream
 * endpoint is missing (404/405/501).
 */
import { AxmeApiError, AxmeConnectionError, StreamError } from "./errors.js";
import type { HttpTransport, RequestOptions } from "./http.js";
import { backoffDelayMs, isRetryableStatus, sleep } from "./retry.js";
import { parseSseStream, SseParser, type ServerSentEvent } from "./sse.js";
import {
  isTerminalStatus,
  type Delivery,
  type DeliveryPollResponse,
  type EventListResponse,
  type IntentEvent,
} from "./types.js";

export const DEFAULT_IDLE_TIMEOUT_MS = 45_000;
const DEFAULT_POLL_INTERVAL_MS = 1_000;
const IDLE_TIMEOUT = Symbol("idle-timeout");

export interface StreamOptions {
  signal?: AbortSignal;
  /** Server-side window per connection (`wait_seconds`); server default when unset. */
  waitSeconds?: number;
  /** No byte (not even a keepalive) for this long → reconnect. Default 45 000 ms. */
  idleTimeoutMs?: number;
  /** Delay between polls when polling fallback finds nothing. Default 1 000 ms. */
  pollIntervalMs?: number;
}

export interface ObserveOptions extends StreamOptions {
  /** Only events with seq greater than this (default 0: from the start). */
  since?: number;
  /**
   * true (default): keep reconnecting until a terminal event. false: stop at
   * the end of the first stream window (or the first empty poll).
   */
  untilTerminal?: boolean;
}

export interface ListenOptions extends StreamOptions {
  /** Agent stream cursor to resume from (the SSE id of the last delivery seen). */
  since?: string;
}

/** The endpoint is missing on this server: switch to polling. */
function streamEndpointMissing(err: unknown): boolean {
  if (!(err instanceof AxmeApiError)) return false;
  if (err.code === "intent_not_found" || err.code === "agent_not_found") return false;
  return err.status === 404 || err.status === 405 || err.status === 501;
}

/** A failure worth reconnecting after; anything else is thrown to the caller. */
function reconnectable(err: unknown): boolean {
  if (err instanceof AxmeApiError) return isRetryableStatus(err.status);
  return err instanceof AxmeConnectionError;
}

/** Reconnection pacing shared by both loops. */
class Reconnector {
  private failures = 0;
  constructor(private readonly baseDelayMs: number, private readonly maxDelayMs: number) {}

  succeeded(): void {
    this.failures = 0;
  }

  /**
   * After a failure (or a close that delivered nothing) back off
   * exponentially; after a productive connection wait only a short jittered
   * pause before resuming.
   */
  async wait(productive: boolean, signal: AbortSignal | undefined, retryAfterSeconds: number | null): Promise<void> {
    const policy = { maxRetries: 0, baseDelayMs: this.baseDelayMs, maxDelayMs: this.maxDelayMs, maxRetryAfterMs: 60_000 };
    const delay = productive ? Math.random() * this.baseDelayMs : backoffDelayMs(this.failures++, policy);
    const floor = retryAfterSeconds !== null ? Math.min(retryAfterSeconds * 1000, policy.maxRetryAfterMs) : 0;
    await sleep(Math.max(delay, floor), signal);
  }
}

/** One SSE connection: yields frames, aborting the connection when idle. */
async function* readConnection(
  transport: HttpTransport,
  path: string,
  query: Record<string, string>,
  headers: Record<string, string>,
  options: StreamOptions,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const requestOptions: RequestOptions = options.signal ? { signal: options.signal } : {};
  const { response, controller } = await transport.openStream(path, query, headers, requestOptions);
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  const touch = () => {
    if (idleTimer !== undefined) clearTimeout(idleTimer);
    idleTimer = setTimeout(() => controller.abort(IDLE_TIMEOUT), idleMs);
  };
  touch();
  try {
    if (!response.body) return;
    yield* parseSseStream(response.body, new SseParser(), touch);
  } catch (err) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (err instanceof StreamError) throw err;
    const why = controller.signal.reason === IDLE_TIMEOUT ? `no data for ${idleMs} ms` : String(err);
    throw new AxmeConnectionError(`stream ${path} dropped: ${why}`, { cause: err });
  } finally {
    if (idleTimer !== undefined) clearTimeout(idleTimer);
    controller.abort();
  }
}

function parseFrameData<T>(frame: ServerSentEvent, what: string): T {
  try {
    return JSON.parse(frame.data) as T;
  } catch (err) {
    throw new StreamError(`malformed ${what} frame (data is not JSON): ${frame.data.slice(0, 200)}`, { cause: err });
  }
}

export interface StreamContext {
  transport: HttpTransport;
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Yields an intent's events in seq order, each once, until a terminal one. */
export async function* observeEvents(
  ctx: StreamContext,
  intentId: string,
  options: ObserveOptions = {},
): AsyncGenerator<IntentEvent, void, undefined> {
  const path = `/v1/intents/${encodeURIComponent(intentId)}`;
  const untilTerminal = options.untilTerminal ?? true;
  const reconnector = new Reconnector(ctx.baseDelayMs, ctx.maxDelayMs);
  let lastSeq = options.since ?? 0;
  let connectedBefore = false;
  for (;;) {
    let productive = false;
    let windowEnded = false;
    let retryAfter: number | null = null;
    try {
      const query: Record<string, string> = {};
      if (lastSeq > 0) query["since"] = String(lastSeq);
      if (options.waitSeconds !== undefined) query["wait_seconds"] = String(options.waitSeconds);
      const headers: Record<string, string> = connectedBefore && lastSeq > 0 ? { "last-event-id": String(lastSeq) } : {};
      connectedBefore = true;
      for await (const frame of readConnection(ctx.transport, `${path}/events/stream`, query, headers, options)) {
        reconnector.succeeded();
        if (frame.event === "stream.timeout") {
          windowEnded = true; // the server's window ended normally: a healthy connection
          productive = true;
          continue;
        }
        const event = parseFrameData<IntentEvent>(frame, "event");
        if (typeof event.seq !== "number") throw new StreamError(`event frame without a numeric seq: ${frame.data}`);
        if (event.seq <= lastSeq) continue; // already yielded before a reconnect
        lastSeq = event.seq;
        productive = true;
        yield event;
        if (isTerminalStatus(event.status)) return;
      }
      windowEnded = true;
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (streamEndpointMissing(err)) {
        yield* pollEvents(ctx, intentId, lastSeq, untilTerminal, options);
        return;
      }
      if (!reconnectable(err)) throw err;
      if (err instanceof AxmeApiError) retryAfter = err.retryAfter;
    }
    if (!untilTerminal && windowEnded) return;
    await reconnector.wait(productive, options.signal, retryAfter);
  }
}

/** Polling fallback for servers without the stream endpoint. */
async function* pollEvents(
  ctx: StreamContext,
  intentId: string,
  since: number,
  untilTerminal: boolean,
  options: ObserveOptions,
): AsyncGenerator<IntentEvent, void, undefined> {
  let lastSeq = since;
  const requestOptions: RequestOptions = options.signal ? { signal: options.signal } : {};
  for (;;) {
    const query: Record<string, string> = lastSeq > 0 ? { since: String(lastSeq) } : {};
    const page = await ctx.transport.request<EventListResponse>({
      method: "GET",
      path: `/v1/intents/${encodeURIComponent(intentId)}/events`,
      query,
      options: requestOptions,
    });
    const events = page.events ?? [];
    for (const event of events) {
      if (event.seq <= lastSeq) continue;
      lastSeq = event.seq;
      yield event;
      if (isTerminalStatus(event.status)) return;
    }
    if (events.length === 0) {
      if (!untilTerminal) return;
      await sleep(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, options.signal);
    }
  }
}

/**
 * Yields the deliveries offered to an agent, forever (until the signal
 * aborts). Acking and resuming are the caller's job (see `serve`).
 */
export async function* listenDeliveries(
  ctx: StreamContext,
  address: string,
  options: ListenOptions = {},
): AsyncGenerator<Delivery, void, undefined> {
  const path = `/v1/agents/${encodeURIComponent(address)}/intents`;
  const reconnector = new Reconnector(ctx.baseDelayMs, ctx.maxDelayMs);
  let cursor = options.since ?? null;
  for (;;) {
    let productive = false;
    let retryAfter: number | null = null;
    try {
      const query: Record<string, string> = {};
      if (cursor !== null && cursor !== "") query["since"] = cursor;
      if (options.waitSeconds !== undefined) query["wait_seconds"] = String(options.waitSeconds);
      const headers: Record<string, string> = cursor !== null && cursor !== "" ? { "last-event-id": cursor } : {};
      for await (const frame of readConnection(ctx.transport, `${path}/stream`, query, headers, options)) {
        reconnector.succeeded();
        if (frame.event === "stream.timeout") productive = true; // window ended normally
        if (frame.event !== "intent.delivery") continue; // stream.timeout and future frame types
        if (frame.id !== null) cursor = frame.id;
        productive = true;
        yield parseFrameData<Delivery>(frame, "delivery");
      }
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (streamEndpointMissing(err)) {
        yield* pollDeliveries(ctx, path, options);
        return;
      }
      if (!reconnectable(err)) throw err;
      if (err instanceof AxmeApiError) retryAfter = err.retryAfter;
    }
    await reconnector.wait(productive, options.signal, retryAfter);
  }
}

/** Long-poll fallback for servers without the agent stream endpoint. */
async function* pollDeliveries(
  ctx: StreamContext,
  path: string,
  options: ListenOptions,
): AsyncGenerator<Delivery, void, undefined> {
  const requestOptions: RequestOptions = options.signal ? { signal: options.signal } : {};
  const reconnector = new Reconnector(ctx.baseDelayMs, ctx.maxDelayMs);
  for (;;) {
    const query: Record<string, string> = { status: "pending" };
    query["wait_seconds"] = String(options.waitSeconds ?? 30);
    let deliveries: Delivery[] = [];
    let retryAfter: number | null = null;
    try {
      const page = await ctx.transport.request<DeliveryPollResponse>({
        method: "GET",
        path,
        query,
        options: { ...requestOptions, timeout: (options.waitSeconds ?? 30) * 1000 + 30_000 },
      });
      deliveries = page.deliveries ?? [];
      reconnector.succeeded();
    } catch (err) {
      if (options.signal?.aborted) throw options.signal.reason;
      if (!reconnectable(err)) throw err;
      if (err instanceof AxmeApiError) retryAfter = err.retryAfter;
      await reconnector.wait(false, options.signal, retryAfter);
      continue;
    }
    for (const delivery of deliveries) yield delivery;
    if (deliveries.length === 0) await sleep(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, options.signal);
  }
}
