/**
 * Incremental Server-Sent Events parser following the WHATWG EventSource
 * rules: LF, CRLF and lone CR line endings (also split across chunks), `:`
 * comments, exactly one leading space stripped from values, multi-line data
 * joined with LF, sticky last event id (ignored when it contains NUL),
 * `retry:` only when all ASCII digits, a leading BOM ignored, and an event not
 * terminated by a blank line dropped at end of stream.
 *
 * It is fed text as it arrives, so callers can yield each event the moment
 * its terminating blank line is read.
 */
import { AxmeApiError, AxmeConnectionError, StreamError } from "./errors.js";
import type { HttpTransport, RequestOptions } from "./transport.js";
import { backoffDelayMs, isRetryableStatus, type RetryPolicy } from "./retry.js";

export interface ServerSentEvent {
  /** The last event id at dispatch time; null if the stream never set one. */
  id: string | null;
  /** The `event:` field, "message" when absent. */
  event: string;
  data: string;
}

export class SseParser {
  /** The last valid `retry:` value in milliseconds, null if none was seen. */
  retryMs: number | null = null;
  /** The last event id seen (sticky across events), null if none was set. */
  lastEventId: string | null = null;

  private partialLine = "";
  private pendingCr = false;
  private atStreamStart = true;
  private eventType = "";
  private dataBuffer = "";

  /** Consumes a chunk of decoded text and returns the events it completed. */
  feed(chunk: string): ServerSentEvent[] {
    const events: ServerSentEvent[] = [];
    let text = chunk;
    if (this.atStreamStart && text.length > 0) {
      this.atStreamStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let start = 0;
    // A CR that ended the previous chunk may be the first half of a CRLF.
    if (this.pendingCr) {
      this.pendingCr = false;
      if (text.startsWith("\n")) start = 1;
    }
    for (let i = start; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch !== 0x0a && ch !== 0x0d) continue;
      const line = this.partialLine + text.slice(start, i);
      this.partialLine = "";
      if (ch === 0x0d) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 0x0a) i++;
        } else {
          this.pendingCr = true;
        }
      }
      start = i + 1;
      this.processLine(line, events);
    }
    this.partialLine += text.slice(start);
    return events;
  }

  /** End of stream: an unterminated event is discarded, per the spec. */
  end(): void {
    this.partialLine = "";
    this.pendingCr = false;
    this.dataBuffer = "";
    this.eventType = "";
  }

  private processLine(line: string, events: ServerSentEvent[]): void {
    if (line === "") {
      this.dispatch(events);
      return;
    }
    if (line.startsWith(":")) return; // comment (keepalive)
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    switch (field) {
      case "event":
        this.eventType = value;
        break;
      case "data":
        this.dataBuffer += value + "\n";
        break;
      case "id":
        if (!value.includes("\0")) this.lastEventId = value;
        break;
      case "retry":
        if (/^[0-9]+$/.test(value)) this.retryMs = Number.parseInt(value, 10);
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  private dispatch(events: ServerSentEvent[]): void {
    const data = this.dataBuffer;
    const type = this.eventType;
    this.dataBuffer = "";
    this.eventType = "";
    if (data === "") return;
    events.push({ id: this.lastEventId, event: type === "" ? "message" : type, data: data.slice(0, -1) });
  }
}

/**
 * Yields the events of a byte stream as each one completes. UTF-8 is decoded
 * with `stream: true` so a multi-byte character split across chunks survives.
 * Reading stops (and the body is cancelled) when the consumer stops iterating.
 */
export async function* parseSseStream(
  body: ReadableStream<Uint8Array>,
  parser: SseParser = new SseParser(),
  onChunk?: () => void,
): AsyncGenerator<ServerSentEvent, void, undefined> {
  const reader = body.getReader();
  const decoder = new TextDecoder("utf-8");
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        break;
      }
      onChunk?.();
      for (const event of parser.feed(decoder.decode(value, { stream: true }))) yield event;
    }
    for (const event of parser.feed(decoder.decode())) yield event;
    parser.end();
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}

// The reconnecting connection both long-lived reads share: observe.ts (REQ-OBSERVE-*)
// and listen.ts (REQ-LISTEN-*). Each resumes after a drop with `since` + Last-Event-ID,
// reconnects with jittered backoff (never a tight loop), and treats 45 s without a
// byte as a dead connection.

export const DEFAULT_IDLE_TIMEOUT_MS = 45_000;
/** A stream that ends sooner than this after connecting is paced like a failure. */
const QUICK_CLOSE_MS = 250;
const IDLE_TIMEOUT = Symbol("idle-timeout");

export interface StreamOptions {
  signal?: AbortSignal;
  /** Server-side window per connection (`wait_seconds`); server default when unset. */
  waitSeconds?: number;
  /** No byte (not even a keepalive) for this long → reconnect. Default 45 000 ms. */
  idleTimeoutMs?: number;
}

export interface StreamContext {
  transport: HttpTransport;
  retry: RetryPolicy;
}

/** Consecutive failed connections and the pacing between them (REQ-OBSERVE-006). */
export class Reconnector {
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
export async function* readConnection(
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

export function parseFrame<T>(frame: ServerSentEvent, check: (value: T) => boolean): T {
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

/** The `wait_seconds` query of a stream request. */
export function windowQuery(options: StreamOptions): Record<string, string> {
  return options.waitSeconds !== undefined ? { wait_seconds: String(options.waitSeconds) } : {};
}
