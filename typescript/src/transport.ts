/**
 * One HTTP layer for every call: URL and headers, per-attempt timeouts,
 * cancellation, the retry loop and error mapping. Streams open through
 * `openStream` (a single attempt; the stream loops own reconnection).
 */
import { AxmeConnectionError, AxmeError, AxmeTimeoutError, buildApiError, type AxmeApiError } from "./errors.js";
import {
  backoffDelayMs,
  isRetryableStatus,
  parseRetryAfterMs,
  sleep,
  type RetryPolicy,
} from "./retry.js";
import { checkOptions, KNOWN_OPTIONS } from "./options.js";
import { VERSION } from "./version.js";

export const USER_AGENT = `axme-typescript/${VERSION}`;

/** Options every client method accepts. */
export interface RequestOptions {
  /** Cancels the call (including retry waits). */
  signal?: AbortSignal;
  /** Per-attempt timeout in milliseconds (default: the client's). */
  timeout?: number;
  /** X-Trace-Id to send; a fresh UUID is generated per call otherwise. */
  traceId?: string;
  /** Idempotency-Key for a POST; one is generated per call otherwise. */
  idempotencyKey?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/**
 * Where the SDK writes its debug log: one line per HTTP attempt and per stream
 * opened (method, path, status, attempt, request id, trace id). Never API keys,
 * headers or bodies. `console` fits; so does any logger with a `debug` method.
 */
export interface AxmeLogger {
  debug(message: string, fields: Record<string, string | number | null>): void;
}

export interface TransportConfig {
  apiKey: string;
  baseUrl: string;
  timeoutMs: number;
  retry: RetryPolicy;
  fetch: typeof fetch;
  logger?: AxmeLogger;
}

export interface HttpRequest {
  method: "GET" | "POST" | "DELETE";
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  options?: RequestOptions;
  /** Send no credentials (getHealth). */
  anonymous?: boolean;
}

/** Why an attempt's own controller was aborted (vs. the caller's signal). */
export const ATTEMPT_TIMEOUT = Symbol("attempt-timeout");

export class HttpTransport {
  constructor(readonly config: TransportConfig) {}

  url(path: string, query?: Record<string, string>): string {
    const qs = query && Object.keys(query).length > 0 ? `?${new URLSearchParams(query).toString()}` : "";
    return `${this.config.baseUrl}${path}${qs}`;
  }

  headers(options: RequestOptions | undefined, extra: Record<string, string>, anonymous = false): Headers {
    const headers = new Headers({
      ...(anonymous ? {} : { "x-api-key": this.config.apiKey }),
      "user-agent": USER_AGENT,
      "x-axme-client": USER_AGENT,
      "x-trace-id": options?.traceId ?? crypto.randomUUID(),
      ...extra,
    });
    for (const [name, value] of Object.entries(options?.headers ?? {})) headers.set(name, value);
    return headers;
  }

  /** A debug line for the configured logger (fields never hold keys, headers or bodies). */
  private log(message: string, fields: Record<string, string | number | null>): void {
    this.config.logger?.debug(message, fields);
  }

  /** Sends a JSON request with retries and returns the parsed 2xx body. */
  async request<T>(req: HttpRequest): Promise<T> {
    const { options } = req;
    checkOptions("options", options, KNOWN_OPTIONS.request);
    const extra: Record<string, string> = { accept: "application/json" };
    let payload: string | undefined;
    if (req.body !== undefined) {
      payload = JSON.stringify(req.body);
      extra["content-type"] = "application/json";
    }
    if (req.method === "POST") extra["idempotency-key"] = options?.idempotencyKey ?? crypto.randomUUID();
    // Built once: the trace id and idempotency key stay the same on every retry.
    const headers = this.headers(options, extra, req.anonymous);
    const url = this.url(req.path, req.query);
    const { retry } = this.config;
    const traceId = headers.get("x-trace-id");
    for (let attempt = 0; ; attempt++) {
      const canRetry = attempt < retry.maxRetries;
      let failure: AxmeApiError | AxmeConnectionError;
      let waitMs: number | null = null;
      try {
        const text = await this.attempt(url, req.method, headers, payload, options);
        this.log("axme request", {
          method: req.method,
          path: req.path,
          status: text.status,
          attempt: attempt + 1,
          request_id: text.headers.get("x-request-id"),
          trace_id: traceId,
        });
        if (text.ok) return parseJsonBody(text.body, text.status) as T;
        const retryAfterMs = parseRetryAfterMs(text.headers.get("retry-after"));
        failure = buildApiError(
          text.status,
          text.headers,
          text.body,
          retryAfterMs === null ? null : retryAfterMs / 1000,
        );
        if (!isRetryableStatus(text.status)) throw failure;
        if (retryAfterMs !== null) {
          if (retryAfterMs > retry.maxRetryAfterMs) throw failure; // too long to wait: let the caller decide
          waitMs = retryAfterMs;
        }
      } catch (err) {
        if (!(err instanceof AxmeConnectionError)) throw err;
        this.log("axme request failed", {
          method: req.method,
          path: req.path,
          attempt: attempt + 1,
          error: err.message,
          trace_id: traceId,
        });
        failure = err;
      }
      if (!canRetry) throw failure;
      await sleep(waitMs ?? backoffDelayMs(attempt, retry), options?.signal);
    }
  }

  /**
   * One attempt: fetch and read the whole body under the attempt timeout.
   * Network failures become AxmeConnectionError / AxmeTimeoutError; the
   * caller's abort propagates as the signal's reason.
   */
  private async attempt(
    url: string,
    method: string,
    headers: Headers,
    body: string | undefined,
    options: RequestOptions | undefined,
  ): Promise<{ ok: boolean; status: number; headers: Headers; body: string }> {
    const attempt = attemptController(options?.signal, options?.timeout ?? this.config.timeoutMs);
    try {
      const response = await this.config.fetch(url, { method, headers, body, signal: attempt.signal });
      const text = await response.text();
      return { ok: response.ok, status: response.status, headers: response.headers, body: text };
    } catch (err) {
      throw translateFetchError(err, options?.signal, attempt.signal, url);
    } finally {
      attempt.dispose();
    }
  }

  /**
   * Opens an SSE stream (one attempt). Resolves with the response once the
   * headers arrive; the connect timeout stops there and the returned
   * controller is what the caller aborts (idle timeout, early exit).
   */
  async openStream(
    path: string,
    query: Record<string, string>,
    extraHeaders: Record<string, string>,
    options: RequestOptions | undefined,
  ): Promise<{ response: Response; controller: AbortController }> {
    const url = this.url(path, query);
    const headers = this.headers(options, { accept: "text/event-stream", ...extraHeaders });
    const attempt = attemptController(options?.signal, options?.timeout ?? this.config.timeoutMs);
    let response: Response;
    try {
      response = await this.config.fetch(url, { method: "GET", headers, signal: attempt.signal });
    } catch (err) {
      attempt.dispose();
      throw translateFetchError(err, options?.signal, attempt.signal, url);
    }
    attempt.stopTimer();
    this.log("axme stream", {
      method: "GET",
      path,
      status: response.status,
      request_id: response.headers.get("x-request-id"),
      trace_id: headers.get("x-trace-id"),
    });
    if (!response.ok) {
      let text: string;
      try {
        text = await response.text();
      } catch (err) {
        attempt.dispose();
        throw translateFetchError(err, options?.signal, attempt.signal, url);
      }
      attempt.dispose();
      const retryAfterMs = parseRetryAfterMs(response.headers.get("retry-after"));
      throw buildApiError(response.status, response.headers, text, retryAfterMs === null ? null : retryAfterMs / 1000);
    }
    return { response, controller: attempt.controller };
  }
}

interface AttemptController {
  controller: AbortController;
  signal: AbortSignal;
  stopTimer(): void;
  dispose(): void;
}

/**
 * An AbortController for one attempt that aborts when the caller's signal
 * aborts (with the caller's reason) or when `timeoutMs` passes (with
 * ATTEMPT_TIMEOUT), whichever comes first.
 */
function attemptController(callerSignal: AbortSignal | undefined, timeoutMs: number): AttemptController {
  const controller = new AbortController();
  const onCallerAbort = () => controller.abort(callerSignal?.reason);
  if (callerSignal?.aborted) controller.abort(callerSignal.reason);
  else callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined = setTimeout(
    () => controller.abort(ATTEMPT_TIMEOUT),
    timeoutMs,
  );
  const stopTimer = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return {
    controller,
    signal: controller.signal,
    stopTimer,
    dispose() {
      stopTimer();
      callerSignal?.removeEventListener("abort", onCallerAbort);
    },
  };
}

/** Maps whatever fetch threw to the SDK's view of it. */
export function translateFetchError(
  err: unknown,
  callerSignal: AbortSignal | undefined,
  attemptSignal: AbortSignal,
  url: string,
): unknown {
  if (callerSignal?.aborted) return callerSignal.reason;
  if (attemptSignal.aborted && attemptSignal.reason === ATTEMPT_TIMEOUT) {
    return new AxmeTimeoutError(`request to ${redactUrl(url)} timed out`, { cause: err });
  }
  if (err instanceof AxmeConnectionError) return err;
  const reason = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
  return new AxmeConnectionError(`connection to ${redactUrl(url)} failed: ${reason}`, { cause: err });
}

/** A 2xx body: JSON, or `{}` when empty (e.g. 204). */
function parseJsonBody(text: string, status: number): unknown {
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new AxmeError(`server answered ${status} with a body that is not JSON: ${text.slice(0, 200)}`, {
      cause: err,
    });
  }
}

function redactUrl(url: string): string {
  return url.split("?")[0] ?? url;
}

/** One path segment: a non-empty string, percent-encoded (`agent://…` stays one segment). */
export function seg(value: string, what: string): string {
  if (typeof value !== "string" || value === "") throw new TypeError(`${what} must be a non-empty string`);
  return encodeURIComponent(value);
}
