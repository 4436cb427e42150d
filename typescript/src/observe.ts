/**
 * observe: an intent's event log as it grows (REQ-OBSERVE-*), on the shared
 * reconnecting SSE connection of sse.ts, with the polling fallback for servers
 * without the stream endpoint; waitFor (wait.ts) reads the same stream.
 */
import { AxmeApiError } from "./errors.js";
import type { RequestOptions } from "./transport.js";
import { backoffDelayMs, sleep } from "./retry.js";
import {
  parseFrame,
  readConnection,
  Reconnector,
  windowQuery,
  type ServerSentEvent,
  type StreamContext,
  type StreamOptions,
} from "./sse.js";
import { isTerminalStatus, type EventListResponse, type Intent, type IntentEvent } from "./models.js";

const DEFAULT_POLL_INTERVAL_MS = 1_000;

export interface ObserveOptions extends StreamOptions {
  /** Only events with seq greater than this (default 0: from the start). */
  since?: number;
  /** true (default): stop after the first terminal event. false: run until the signal aborts. */
  untilTerminal?: boolean;
  /** Polling interval when the server has no stream endpoint. Default 1 000 ms. */
  pollIntervalMs?: number;
}

/** 404 (other than intent_not_found), 405 or 501: this server has no stream endpoint. */
function streamEndpointMissing(err: unknown): boolean {
  if (!(err instanceof AxmeApiError) || err.code === "intent_not_found") return false;
  return err.status === 404 || err.status === 405 || err.status === 501;
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

